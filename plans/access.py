"""The plans a user may see, and a plan looked up through the request's association.

A plan of another association is a 404; a plan the user may see but not change is a 403 for a write.
Whether the plan's state lets anything change is the write gateway's rule (`plans.gateway`).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from finsam.access import Access
from plans.gateway import plan_refuse_unless_editable
from plans.models import Plan


def visible_plans(access: Access) -> QuerySet[Plan]:
    """The association's plans this role sees: every plan for the chief and the board, readers only adopted ones."""
    plans = access.association.plans.all()
    if not access.sees_drafts:
        plans = plans.filter(state__in=Plan.LOCKED_STATES)
    return plans


def get_plan(
    request, pk: int, *, for_edit: bool = False, text: bool = False, plans_only: bool = False
) -> Plan:
    """A plan of the request's association that this user may see; with `for_edit`, may change.

    `for_edit` refuses early, before a form is read, with the gateway's own rule and message; the gateway
    refuses again under the plan's row lock, which is what actually protects the plan. `text`: the view
    changes the plan's text parts or settings (refused on a revised budget, `plans.gateway`). `plans_only`:
    a page of a plan's own parts (budget, contributions, follow-up, insatser), which a report has not: a
    report's id is a 404 there (`plans.reports`)."""
    access: Access = request.access
    plans = visible_plans(access).select_related("association")
    if plans_only:
        plans = plans.filter(kind=Plan.Kind.PLAN)
    plan = get_object_or_404(plans, pk=pk)
    if for_edit:
        if not access.is_chief:
            raise PermissionDenied(_("Bara förbundschefen kan ändra planen."))
        plan_refuse_unless_editable(plan, text=text)
    return plan
