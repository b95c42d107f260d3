"""The intervention admin. An intervention stands outside plans, but what a plan shows of it must not
change behind a plan that cannot change: the grants of the years such a plan covers, and the intervention's
place in such a plan, are shown read-only beside the rows that can still change, and refused if posted."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from interventions.models import Grant, Intervention, PlanIntervention
from interventions.services import status_change_refused
from plans.admin_locks import (
    LockedPlanAdminMixin,
    LockedPlanRowsInlineMixin,
    PlanRowsInlineMixin,
    ReadOnlyInlineMixin,
)
from plans.gateway import plans_record_outside_change
from plans.models import Plan, PlanEvent

# The plans whose numbers the intervention's grants and status must not change behind: sent to the board,
# approved, adopted. A superseded plan is left out, as in the app's rule (`adopted_plans_of`): the plan
# that superseded it covers its years.
LOCKING_STATES = (Plan.State.IN_REVIEW, Plan.State.APPROVED, Plan.State.ADOPTED)


def locking_plans(intervention: Intervention) -> list[Plan]:
    if intervention.pk is None:
        return []
    return [
        link.plan
        for link in intervention.plan_links.filter(plan__state__in=LOCKING_STATES).select_related("plan")
    ]


def locked_years(intervention: Intervention) -> dict[int, Plan]:
    """Year → a plan in `LOCKING_STATES` that lists the intervention and covers that year."""
    years: dict[int, Plan] = {}
    for plan in locking_plans(intervention):
        for year in plan.year_range:
            years.setdefault(year, plan)
    return years


def in_locked_year() -> Exists:
    """For grants: a plan in `LOCKING_STATES` lists the grant's intervention and covers the grant's year."""
    return Exists(
        PlanIntervention.objects.filter(
            intervention=OuterRef("intervention"),
            plan__state__in=LOCKING_STATES,
            plan__first_year__lte=OuterRef("year"),
        )
        .annotate(after_last_year=F("plan__first_year") + F("plan__years"))
        .filter(after_last_year__gt=OuterRef("year"))
    )


class GrantFormSet(BaseInlineFormSet):
    """No grant is added, changed, moved or removed in a year a locking plan covers, even if posted."""

    def clean(self):
        super().clean()
        if self.instance.pk is None:
            return
        locked = locked_years(self.instance)
        problems = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not (
                form.has_changed() or self._should_delete_form(form)
            ):
                continue
            for year in {form.cleaned_data.get("year"), form.initial.get("year")} & locked.keys():
                plan = locked[year]
                problems.append(
                    _(
                        "Beviljat belopp för %(year)s ingår i planen ”%(plan)s”, som har status "
                        "”%(state)s”, och kan inte ändras."
                    )
                    % {"year": year, "plan": plan.title, "state": plan.get_state_display()}
                )
        if problems:
            raise ValidationError(problems)


class GrantInline(admin.TabularInline):
    model = Grant
    formset = GrantFormSet
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(in_locked_year())


class LockedGrantInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Grant
    verbose_name_plural = gettext_lazy(
        "beviljade belopp i år som en inskickad eller fastställd plan omfattar"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(in_locked_year())


class PlanInterventionInline(PlanRowsInlineMixin, admin.TabularInline):
    model = PlanIntervention
    extra = 0
    autocomplete_fields = ["plan"]


class LockedPlanInterventionInline(LockedPlanRowsInlineMixin, admin.TabularInline):
    model = PlanIntervention
    verbose_name_plural = gettext_lazy("insatsen i planer som inte kan ändras")


class InterventionAdminForm(forms.ModelForm):
    def clean_status(self):
        """A status that would move the intervention in or out of an adopted plan's budget is refused
        (the app's rule)."""
        status = self.cleaned_data["status"]
        if self.instance.pk is not None:
            problem = status_change_refused(Intervention.objects.get(pk=self.instance.pk), status)
            if problem:
                raise ValidationError(problem)
        return status


@admin.register(Intervention)
class InterventionAdmin(LockedPlanAdminMixin, admin.ModelAdmin):
    form = InterventionAdminForm
    list_display = ["name", "association", "kind", "status", "owner", "start_date", "end_date", "group"]
    list_filter = ["kind", "status", "association", "group"]
    search_fields = ["name", "short_name", "purpose"]
    filter_horizontal = ["partners"]
    inlines = [GrantInline, LockedGrantInline, PlanInterventionInline, LockedPlanInterventionInline]

    def get_readonly_fields(self, request, obj=None):
        # Its plans and organisations are the association's: it never moves to another association.
        return [*super().get_readonly_fields(request, obj), *(["association"] if obj else [])]

    def save_related(self, request, form, formsets, change):
        """Then, as the app does, a history event on every plan that lists the intervention when what
        they show of it changed (its fields or grants)."""
        super().save_related(request, form, formsets, change)
        grants_changed = any(formset.has_changed() for formset in formsets if formset.model is Grant)
        if change and (form.has_changed() or grants_changed):
            intervention = form.instance
            plans_record_outside_change(
                [link.plan for link in intervention.plan_links.select_related("plan")],
                by=request.user,
                action=PlanEvent.Action.EDITED,
                summary=_("Administration: %(what)s ”%(name)s”")
                % {"what": Intervention._meta.verbose_name, "name": intervention.name[:80]},
                details={"admin": Intervention._meta.label_lower, "id": intervention.pk},
            )
