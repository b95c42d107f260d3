"""URLs below /f/<association>/; every view is wrapped in finsam.access.association_view."""

from django.urls import path  # noqa: F401

urlpatterns = []
