"""URLs below /f/<association>/; every view is wrapped in finsam.access.association_view."""

from django.urls import path, register_converter

from plans import views


class PartKindConverter:
    """The editor's item kinds by their URL segment (kapitel, mal, ...); anything else does not match."""

    regex = "|".join(views.PART_KINDS_BY_SLUG)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        # Accept the kind's key ("chapter") as well as its segment ("kapitel").
        kind = views.PART_KINDS.get(value) or views.PART_KINDS_BY_SLUG[value]
        return kind.slug


register_converter(PartKindConverter, "plan_part")

EDIT = "planer/<int:pk>/redigera/"

urlpatterns = [
    path("planer/ny/", views.plan_new, name="plan_new"),
    path("planer/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("planer/<int:pk>/pdf/", views.plan_pdf, name="plan_pdf"),
    path("planer/<int:pk>/pdf/<int:pdf>/", views.plan_pdf_status, name="plan_pdf_status"),
    path("planer/<int:pk>/pdf/<int:pdf>/ladda-ned/", views.plan_pdf_file, name="plan_pdf_file"),
    # The one view here without login: published adopted plans (the view checks the association).
    path("planer/<int:pk>/publicerad.pdf", views.plan_pdf_public, name="plan_pdf_public"),
    path(EDIT, views.plan_edit, name="plan_edit"),
    path(f"{EDIT}kontroller/", views.plan_editor_checks, name="plan_editor_checks"),
    path(f"{EDIT}forhandsgranska/", views.plan_markdown_preview, name="plan_markdown_preview"),
    path(f"{EDIT}installningar/", views.plan_settings, name="plan_settings"),
    path(f"{EDIT}installningar/andra/", views.plan_settings_edit, name="plan_settings_edit"),
    path(f"{EDIT}<plan_part:kind>/", views.part_list, name="plan_part_list"),
    path(f"{EDIT}<plan_part:kind>/ny/", views.part_add, name="plan_part_add"),
    path(f"{EDIT}<plan_part:kind>/<int:item>/", views.part_row, name="plan_part_row"),
    path(f"{EDIT}<plan_part:kind>/<int:item>/andra/", views.part_edit, name="plan_part_edit"),
    path(f"{EDIT}<plan_part:kind>/<int:item>/ta-bort/", views.part_delete, name="plan_part_delete"),
    path(f"{EDIT}<plan_part:kind>/<int:item>/flytta/", views.part_move, name="plan_part_move"),
    # Indicators belong to a goal: the goal (looked up through the plan) is part of their list's address.
    path(
        f"{EDIT}mal/<int:goal>/indikatorer/",
        views.part_list,
        {"kind": "indikatorer"},
        name="plan_indicator_list",
    ),
    path(
        f"{EDIT}mal/<int:goal>/indikatorer/ny/",
        views.part_add,
        {"kind": "indikatorer"},
        name="plan_indicator_add",
    ),
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
