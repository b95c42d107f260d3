"""The refusal page (handler403): a plan that cannot change says so, why, and where to go instead.

Part of the project wiring (the root URLs name it), so it may know of plans: `plans.gateway.PlanLocked`
carries the plan it refused. Rendered without context processors, as every error page (no user lookup)."""

from django.http import HttpResponseForbidden
from django.template import loader

from plans.gateway import PlanLocked


def permission_denied(request, exception=None):
    plan = exception.plan if isinstance(exception, PlanLocked) else None
    context = {"exception": exception, "plan": plan}
    return HttpResponseForbidden(loader.get_template("403.html").render(context))
