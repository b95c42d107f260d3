from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from finsam.money import to_decimal
from interventions.models import Grant, Intervention, PlanIntervention
from interventions.services import grant_changes_refused
from plans.gateway import EDITABLE_STATES, PlanLocked


class GrantFormSet(BaseInlineFormSet):
    """The grants of years an adopted plan covers are final here too (the service's own rule)."""

    def clean(self):
        super().clean()
        if self.instance.pk is None:
            return
        grants = {
            form.cleaned_data["year"]: to_decimal(form.cleaned_data["amount"])
            for form in self.forms
            if form.cleaned_data.get("year") and not form.cleaned_data.get("DELETE")
        }
        problems = grant_changes_refused(Intervention.objects.get(pk=self.instance.pk), grants)
        if problems:
            raise ValidationError(problems)


class PlanInterventionFormSet(BaseInlineFormSet):
    """An intervention is put into or taken out of a plan only while that plan can be edited."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() and not form.cleaned_data.get("DELETE"):
                continue
            plans = {
                form.cleaned_data.get("plan"),
                getattr(form.instance, "plan", None) if form.instance.pk else None,
            }
            for plan in plans - {None}:
                if plan.state not in EDITABLE_STATES:
                    raise ValidationError(f"{plan.title}: {PlanLocked(plan).args[0]}")


class GrantInline(admin.TabularInline):
    model = Grant
    formset = GrantFormSet
    extra = 0


class PlanInterventionInline(admin.TabularInline):
    model = PlanIntervention
    formset = PlanInterventionFormSet
    extra = 0
    autocomplete_fields = ["plan"]


@admin.register(Intervention)
class InterventionAdmin(admin.ModelAdmin):
    list_display = ["name", "association", "kind", "status", "owner", "start_date", "end_date", "group"]
    list_filter = ["kind", "status", "association", "group"]
    search_fields = ["name", "short_name", "purpose"]
    filter_horizontal = ["partners"]
    inlines = [GrantInline, PlanInterventionInline]
