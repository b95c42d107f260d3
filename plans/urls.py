"""URLs below /f/<association>/; every view is wrapped in finsam.access.association_view."""

from django.urls import path

from plans import views

urlpatterns = [
    path("planer/<int:pk>/", views.plan_detail, name="plan_detail"),
]
