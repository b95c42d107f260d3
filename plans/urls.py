"""URLs below /f/<association>/; every view is wrapped in finsam.access.association_view."""

from django.urls import path, register_converter

from plans.editor import editor_kinds, editor_kinds_by_slug
from plans.views import editor, followup, goal_categories, pdf, plans, reports, review


class PartKindConverter:
    """The editor's item kinds by their URL segment (kapitel, mal, ...); anything else does not match."""

    regex = "|".join(editor_kinds_by_slug())

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        # Accept the kind's key ("chapter") as well as its segment ("kapitel").
        kind = editor_kinds().get(value) or editor_kinds_by_slug()[value]
        return kind.slug


register_converter(PartKindConverter, "plan_part")

EDIT = "planer/<int:pk>/redigera/"

urlpatterns = [
    path("planer/ny/", plans.plan_new, name="plan_new"),
    path("malkategorier/", goal_categories.goal_categories_edit, name="goal_categories"),
    path("planer/<int:pk>/", plans.plan_detail, name="plan_detail"),
    path("planer/<int:pk>/ta-bort/", plans.plan_delete_view, name="plan_delete"),
    path("planer/<int:pk>/publicering/", plans.plan_publish_view, name="plan_publish"),
    path("planer/<int:pk>/pdf/", pdf.plan_pdf, name="plan_pdf"),
    path("planer/<int:pk>/pdf/<int:pdf>/", pdf.plan_pdf_status, name="plan_pdf_status"),
    path("planer/<int:pk>/pdf/<int:pdf>/ladda-ned/", pdf.plan_pdf_file, name="plan_pdf_file"),
    # The one view here without login: published adopted plans (the view checks the association).
    path("planer/<int:pk>/publicerad.pdf", pdf.plan_pdf_public, name="plan_pdf_public"),
    path(EDIT, editor.plan_edit, name="plan_edit"),
    path(f"{EDIT}kontroller/", editor.plan_editor_checks, name="plan_editor_checks"),
    path(f"{EDIT}forhandsgranska/", editor.plan_markdown_preview, name="plan_markdown_preview"),
    path(f"{EDIT}installningar/", editor.plan_settings, name="plan_settings"),
    path(f"{EDIT}installningar/andra/", editor.plan_settings_edit, name="plan_settings_edit"),
    path(f"{EDIT}<plan_part:kind>/", editor.part_list, name="plan_part_list"),
    path(f"{EDIT}<plan_part:kind>/ny/", editor.part_add, name="plan_part_add"),
    path(f"{EDIT}<plan_part:kind>/<int:item>/", editor.part_row, name="plan_part_row"),
    path(f"{EDIT}<plan_part:kind>/<int:item>/andra/", editor.part_edit, name="plan_part_edit"),
    path(f"{EDIT}<plan_part:kind>/<int:item>/ta-bort/", editor.part_delete, name="plan_part_delete"),
    path(f"{EDIT}<plan_part:kind>/<int:item>/flytta/", editor.part_move, name="plan_part_move"),
    # Indicators belong to a goal: the goal (looked up through the plan) is part of their list's address.
    path(
        f"{EDIT}mal/<int:goal>/indikatorer/",
        editor.part_list,
        {"kind": "indikatorer"},
        name="plan_indicator_list",
    ),
    path(
        f"{EDIT}mal/<int:goal>/indikatorer/ny/",
        editor.part_add,
        {"kind": "indikatorer"},
        name="plan_indicator_add",
    ),
]

# Review and adoption (plans/review.py).

urlpatterns += [
    path("planer/<int:pk>/granskning/", review.plan_review, name="plan_review"),
    path("planer/<int:pk>/granskning/atgard/", review.plan_action, name="plan_action"),
    path("planer/<int:pk>/kommentarer/", review.comment_create, name="comment_create"),
    path(
        "planer/<int:pk>/kommentarer/<int:comment_pk>/lost/",
        review.comment_resolve,
        name="comment_resolve",
    ),
    path("planer/<int:pk>/andringar/", review.plan_changes, name="plan_changes"),
    path("planer/<int:pk>/historik/", review.plan_history, name="plan_history"),
]

# Reports on an adopted plan (plans/reports.py), and the members' decisions on the annual report.

urlpatterns += [
    path("planer/<int:pk>/rapporter/ny/", reports.report_new, name="report_new"),
    path("planer/<int:pk>/ansvarsfrihet/", reports.report_discharge, name="report_discharge"),
]

# The year's follow-up of an adopted plan (plans/goal_outcomes.py).

urlpatterns += [
    path("planer/<int:pk>/maluppfyllelse/", followup.plan_goal_followup, name="plan_goal_followup"),
    path(
        "planer/<int:pk>/maluppfyllelse/<int:indicator>/",
        followup.indicator_outcome_edit,
        name="indicator_outcome_edit",
    ),
]
