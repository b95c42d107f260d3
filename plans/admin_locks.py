"""The admin obeys the same rule as the app (`plans.gateway`): only a plan that can be edited can be changed."""

from django.contrib.admin.options import InlineModelAdmin

from plans.gateway import EDITABLE_STATES
from plans.models import Plan


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
