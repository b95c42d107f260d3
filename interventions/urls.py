"""URLs below /f/<association>/; every view is wrapped in finsam.access.association_view."""

from django.urls import path

from interventions import followup_views, views

urlpatterns = [
    path("insatser/", views.intervention_list, name="intervention_list"),
    path("insatser/ny/", views.intervention_create, name="intervention_create"),
    path("insatser/<int:pk>/", views.intervention_detail, name="intervention_detail"),
    path("insatser/<int:pk>/avsluta/", views.intervention_end, name="intervention_end"),
    path("insatser/<int:pk>/planer/lagg-till/", views.intervention_plan_add, name="intervention_plan_add"),
    path("planer/<int:pk>/insatser/", views.plan_interventions, name="plan_interventions"),
    path("planer/<int:pk>/insatser/lagg-till/", views.plan_intervention_add, name="plan_intervention_add"),
    path(
        "planer/<int:pk>/insatser/<int:intervention_id>/ta-bort/",
        views.plan_intervention_remove,
        name="plan_intervention_remove",
    ),
    path(
        "planer/<int:pk>/insatser/<int:intervention_id>/flytta/",
        views.plan_intervention_move,
        name="plan_intervention_move",
    ),
    # One insats's follow-up of a year (interventions/followup.py); the plan's overview of them all is in
    # budgets/urls.py (it shows the budget follow-up beside them).
    path("mina-insatser/", followup_views.my_interventions, name="my_interventions"),
    path(
        "insatser/<int:pk>/insatsansvariga/",
        followup_views.intervention_reporters_edit,
        name="intervention_reporters_edit",
    ),
    path(
        "insatser/<int:pk>/insatsansvariga/bjud-in/",
        followup_views.intervention_owner_invite,
        name="intervention_owner_invite",
    ),
    path(
        "insatser/<int:pk>/insatsansvariga/inbjudningar/<int:owner_invitation>/aterkalla/",
        followup_views.intervention_owner_invitation_revoke,
        name="intervention_owner_invitation_revoke",
    ),
    path(
        "insatser/<int:pk>/uppfoljning/<int:year>/",
        followup_views.intervention_year_edit,
        name="intervention_year_edit",
    ),
]
