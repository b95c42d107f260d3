"""URLs below /f/<association>/; every view is wrapped in finsam.access.association_view."""

from django.urls import path

from plans import views

urlpatterns = [
    path("planer/<int:pk>/", views.plan_detail, name="plan_detail"),
]

# Review and adoption (plans/review_views.py).
from plans import review_views  # noqa: E402

urlpatterns += [
    path("planer/<int:pk>/granskning/", review_views.plan_review, name="plan_review"),
    path("planer/<int:pk>/granskning/atgard/", review_views.plan_action, name="plan_action"),
    path("planer/<int:pk>/kommentarer/", review_views.comment_create, name="comment_create"),
    path(
        "planer/<int:pk>/kommentarer/<int:comment_pk>/lost/",
        review_views.comment_resolve,
        name="comment_resolve",
    ),
    path("planer/<int:pk>/andringar/", review_views.plan_changes, name="plan_changes"),
    path("planer/<int:pk>/historik/", review_views.plan_history, name="plan_history"),
]
