"""The admin goes through the same door as the app (`plans.gateway`): only a plan that can be edited can be
changed, and a change made in the admin is recorded in the plan's history like any other."""

from django.contrib.admin.options import InlineModelAdmin
from django.utils.translation import gettext as _

from plans.gateway import EDITABLE_STATES, plan_change
from plans.models import Plan, PlanEvent


def plan_of(obj) -> Plan | None:
    """The plan an admin object belongs to, following plan / goal / group / line / column links."""
    for path in ("plan", "goal.plan", "group.plan", "line.group.plan", "column.plan", "factor.plan"):
        current = obj
        for attribute in path.split("."):
            current = getattr(current, attribute, None)
            if current is None:
                break
        if isinstance(current, Plan):
            return current
    return obj if isinstance(obj, Plan) else None


class LockedPlanAdminMixin:
    """No change or delete through the admin (or its inlines) while the plan cannot be edited."""

    def _locked(self, obj) -> bool:
        plan = plan_of(obj) if obj is not None else None
        return plan is not None and plan.state not in EDITABLE_STATES

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)

    def has_add_permission(self, request, obj=None):
        # An inline is asked with the parent object; a ModelAdmin only with the request.
        if isinstance(self, InlineModelAdmin):
            return super().has_add_permission(request, obj) and not self._locked(obj)
        return super().has_add_permission(request)

    # The writes: through the gateway, with a history event naming what the admin changed.

    def _through_gateway(self, request, obj, action: str, write) -> None:
        plan = plan_of(obj)
        if plan is None or plan.pk is None:  # a new plan: nothing to lock or record on yet
            write()
            return
        label = _("Administration: %(what)s ”%(name)s”") % {
            "what": obj._meta.verbose_name,
            "name": str(obj)[:80],
        }
        with plan_change(plan, by=request.user) as change:
            write()
            change.record(action, label, {"admin": obj._meta.label_lower, "id": obj.pk})

    def save_model(self, request, obj, form, change):
        action = PlanEvent.Action.EDITED if change else PlanEvent.Action.ADDED
        self._through_gateway(
            request,
            obj,
            action,
            lambda: super(LockedPlanAdminMixin, self).save_model(request, obj, form, change),
        )

    def delete_model(self, request, obj):
        self._through_gateway(
            request,
            obj,
            PlanEvent.Action.DELETED,
            lambda: super(LockedPlanAdminMixin, self).delete_model(request, obj),
        )

    def save_related(self, request, form, formsets, change):
        def write():
            super(LockedPlanAdminMixin, self).save_related(request, form, formsets, change)

        if any(formset.has_changed() for formset in formsets):
            self._through_gateway(request, form.instance, PlanEvent.Action.EDITED, write)
        else:
            write()
