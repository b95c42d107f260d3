"""URLs below /f/<association>/; every view is wrapped in finsam.access.association_view."""

from django.urls import path

from budgets.views import (
    contributions,
    followup,
    followup_interventions,
    grid,
    grid_structure,
    imports,
    outcome_import,
    paste,
    stated,
    undo,
)

urlpatterns = []

# --- Budget grid editor ---------------------------------------------------------------------------
urlpatterns += [
    path("planer/<int:pk>/budget/", grid.plan_budget_grid, name="plan_budget_grid"),
    path(
        "planer/<int:pk>/budget/rad/<int:line_id>/kolumn/<int:column_id>/",
        grid.budget_cell,
        name="budget_cell",
    ),
    path("planer/<int:pk>/budget/klistra-in/", paste.budget_cells_paste, name="budget_cells_paste"),
    path("planer/<int:pk>/budget/angra/", undo.budget_undo, name="budget_undo"),
    path(
        "planer/<int:pk>/budget/insats/<int:intervention_id>/kolumn/<int:column_id>/",
        grid.budget_intervention_cell,
        name="budget_intervention_cell",
    ),
    path(
        "planer/<int:pk>/budget/kolumn/<int:column_id>/medlemsavgifter/",
        grid.budget_contributions,
        name="budget_contributions",
    ),
    path(
        "planer/<int:pk>/budget/kolumn/<int:column_id>/typ/",
        grid_structure.budget_column_kind,
        name="budget_column_kind",
    ),
    path("planer/<int:pk>/budget/ny-kolumn/", grid_structure.budget_column_add, name="budget_column_add"),
    path(
        "planer/<int:pk>/budget/kolumn/<int:column_id>/ta-bort/",
        grid_structure.budget_column_remove,
        name="budget_column_remove",
    ),
    path(
        "planer/<int:pk>/budget/grupp/<int:group_id>/ny-rad/",
        grid_structure.budget_line_add,
        name="budget_line_add",
    ),
    path(
        "planer/<int:pk>/budget/rad/<int:line_id>/", grid_structure.budget_item_edit, name="budget_line_edit"
    ),
    path(
        "planer/<int:pk>/budget/rad/<int:line_id>/flytta/",
        grid_structure.budget_item_move,
        name="budget_line_move",
    ),
    path(
        "planer/<int:pk>/budget/rad/<int:line_id>/ta-bort/",
        grid_structure.budget_item_remove,
        name="budget_line_remove",
    ),
    path("planer/<int:pk>/budget/ny-grupp/", grid_structure.budget_group_add, name="budget_group_add"),
    path(
        "planer/<int:pk>/budget/grupp/<int:group_id>/",
        grid_structure.budget_item_edit,
        name="budget_group_edit",
    ),
    path(
        "planer/<int:pk>/budget/grupp/<int:group_id>/flytta/",
        grid_structure.budget_item_move,
        name="budget_group_move",
    ),
    path(
        "planer/<int:pk>/budget/grupp/<int:group_id>/ta-bort/",
        grid_structure.budget_item_remove,
        name="budget_group_remove",
    ),
]
# --- end of the budget grid editor ----------------------------------------------------------------

# --- Stated figures: what a document printed, compared with the budget -----------------------------------
urlpatterns += [
    path("planer/<int:pk>/budget/angivna-summor/", stated.plan_stated_figures, name="plan_stated_figures"),
    path(
        "planer/<int:pk>/budget/angivna-summor/<int:figure_id>/",
        stated.stated_figure,
        name="stated_figure",
    ),
]
# --- end of stated figures --------------------------------------------------------------------------------

# --- Budget import and export ---------------------------------------------------------------------
urlpatterns += [
    path("planer/<int:pk>/budget/importera/", imports.budget_import, name="budget_import"),
    path("planer/<int:pk>/budget.xlsx", imports.budget_export, name="budget_export"),
]
# --- end of budget import and export --------------------------------------------------------------

# --- Member contributions and their key -----------------------------------------------------------
urlpatterns += [
    path(
        "planer/<int:pk>/budget/medlemsavgifter/", contributions.plan_contributions, name="plan_contributions"
    ),
]
# --- end of member contributions and their key ----------------------------------------------------

# --- Follow-up of the adopted budget: outcome per period and forecasts ----------------------------------
urlpatterns += [
    path("planer/<int:pk>/uppfoljning/", followup.plan_followup_page, name="plan_followup"),
    path("uppfoljning/installningar/", followup.followup_settings, name="followup_settings"),
    path(
        "planer/<int:pk>/uppfoljning/rad/<slug:row>/period/<int:period>/",
        followup.followup_outcome,
        name="followup_outcome",
    ),
    path(
        "planer/<int:pk>/uppfoljning/rad/<slug:row>/prognos/",
        followup.followup_forecast,
        name="followup_forecast",
    ),
    path(
        "planer/<int:pk>/uppfoljning/rad/<slug:row>/kommentar/",
        followup.followup_comment,
        name="followup_comment",
    ),
    path("planer/<int:pk>/uppfoljning/importera/", outcome_import.followup_import, name="followup_import"),
]
# --- end of the follow-up -----------------------------------------------------------------------------

# --- The insatser's follow-up (money beside people) and the export for Uppföljning Finsam -----------------
urlpatterns += [
    path(
        "planer/<int:pk>/insatser/uppfoljning/",
        followup_interventions.plan_interventions_followup,
        name="plan_interventions_followup",
    ),
    path(
        "planer/<int:pk>/uppfoljning-finsam.xlsx",
        followup_interventions.national_followup_xlsx,
        name="national_followup_xlsx",
    ),
    path(
        "planer/<int:pk>/uppfoljning-finsam-insatser.csv",
        followup_interventions.national_followup_interventions_csv,
        name="national_followup_interventions_csv",
    ),
    path(
        "planer/<int:pk>/uppfoljning-finsam-forbundet.csv",
        followup_interventions.national_followup_association_csv,
        name="national_followup_association_csv",
    ),
]
# --- end of the insatser's follow-up and Uppföljning Finsam ----------------------------------------------
