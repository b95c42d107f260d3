from django.contrib import admin

from interventions.models import Grant, Intervention, PlanIntervention


class GrantInline(admin.TabularInline):
    model = Grant
    extra = 0


class PlanInterventionInline(admin.TabularInline):
    model = PlanIntervention
    extra = 0
    autocomplete_fields = ["plan"]


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    list_display = ["name", "association", "kind", "status", "owner", "start_date", "end_date", "group"]
    list_filter = ["kind", "status", "association", "group"]
    search_fields = ["name", "short_name", "purpose"]
    filter_horizontal = ["partners"]
    inlines = [GrantInline, PlanInterventionInline]
