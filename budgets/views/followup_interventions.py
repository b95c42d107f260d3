"""The insatser's follow-up of a plan's budget year, and its export for Uppföljning Finsam.

The overview (budgets/interventions_followup.html) shows each insats's money beside its people: the budgeted
amount (with the grant where they differ), the outcome to date, the forecast and the deviation from the budget
follow-up, and the participants and report the insats's follow-up holds. It lives in budgets, not in
interventions, because it reads the budget follow-up, on the floor above the interventions app.

The export (`budgets.national_export`) is a download for everyone who may read the plan, of the adopted
plan's year only; for any other plan it answers 409 with a page that says why and where to go.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from budgets.followup_interventions import plan_interventions_outcome
from budgets.national_export import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    national_csv,
    national_filename,
    national_followup,
    national_xlsx,
)
from budgets.services.followup import followup_is_open
from finsam.access import association_view
from plans.access import get_plan, visible_plans
from plans.gateway import plan_is_followed
from plans.models import Plan


@require_GET
@association_view
def plan_interventions_followup(request, pk: int):
    """Every insats of the plan with its budget, outcome and forecast, grant, participants and report."""
    plan = get_plan(request, pk, plans_only=True)
    outcome = plan_interventions_outcome(plan)
    context = {
        "plan": plan,
        "outcome": outcome,
        "rows": outcome.rows,
        "can_edit": request.access.is_chief and followup_is_open(plan),
        "exportable": plan_is_followed(plan),
    }
    return render(request, "budgets/interventions_followup.html", context)


def _refused(request, plan: Plan):
    """The answer for a plan whose year cannot be exported (None when it can): 409, saying why. A year
    whose annual report closed its follow-up is still exported."""
    if plan_is_followed(plan):
        return None
    adopted = None
    if plan.state == Plan.State.SUPERSEDED:
        message = _(
            "Den här versionen av planen har ersatts av en reviderad budget. Exportera från den fastställda versionen."
        )
        adopted = (
            visible_plans(request.access)
            .filter(first_year=plan.first_year, state=Plan.State.ADOPTED, kind=Plan.Kind.PLAN)
            .order_by("-revision")
            .first()
        )
    else:
        message = _(
            "Uppföljning Finsam exporteras för en fastställd plans budgetår. Planen är inte fastställd än, så det finns ingen uppföljning att exportera."
        )
    context = {"plan": plan, "message": message, "adopted": adopted}
    return render(request, "budgets/national_export_refused.html", context, status=409)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "HEAD"])
@association_view
def national_followup_xlsx(request, pk: int):
    """Uppföljning Finsam of the adopted plan's year as a workbook (a sheet per insats, one for the association)."""
    plan = get_plan(request, pk, plans_only=True)
    refused = _refused(request, plan)
    if refused:
        return refused
    export = national_followup(plan)
    return _download(national_xlsx(export), XLSX_CONTENT_TYPE, national_filename(export, "xlsx"))


def _csv(request, pk: int, table: str):
    plan = get_plan(request, pk, plans_only=True)
    refused = _refused(request, plan)
    if refused:
        return refused
    export = national_followup(plan)
    chosen = getattr(export, table)
    return _download(national_csv(chosen), CSV_CONTENT_TYPE, national_filename(export, "csv", chosen))


@require_http_methods(["GET", "HEAD"])
@association_view
def national_followup_interventions_csv(request, pk: int):
    """Uppföljning Finsam: a row per insats, as CSV for Swedish Excel."""
    return _csv(request, pk, "interventions")


@require_http_methods(["GET", "HEAD"])
@association_view
def national_followup_association_csv(request, pk: int):
    """Uppföljning Finsam: the association's row, as CSV for Swedish Excel."""
    return _csv(request, pk, "association")
