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
    # The insatser's follow-up of an adopted plan's budget year (interventions/followup.py).
    path(
        "planer/<int:pk>/insatser/uppfoljning/",
        followup_views.plan_interventions_followup,
        name="plan_interventions_followup",
    ),
    path(
        "insatser/<int:pk>/uppfoljning/<int:year>/",
        followup_views.intervention_year_edit,
        name="intervention_year_edit",
    ),
]
