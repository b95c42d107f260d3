"""The year's follow-up of an adopted plan (budgets/followup.html): outcome per period and a forecast.

Everyone who sees the plan reads the page (a superseded version's page leads to the latest adopted
version's, `budgets.followup.followup_plan`); the chief types outcome and forecasts while the plan is the
adopted budget of its year (`budgets.services.followup`). A cell works as the budget grid's do: it posts
itself on Enter or Tab, and the answer replaces the cell and, out of band, what follows from it (the row's
outcome to date and deviation, the sums, the result, equity and the deviation list). Bad input (422) and a
conflict with another editor (409) keep what was typed, with the message. Without JavaScript every form
posts and the server redirects back to the page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from budgets.followup import MEASURES, followup_plan, plan_followup
from budgets.followup_grid import followup_grid
from budgets.forms import FollowUpSettingsForm
from budgets.services.followup import (
    followup_forecast_update,
    followup_is_open,
    followup_outcome_update,
    followup_refuse_unless_open,
)
from finsam.access import association_view
from finsam.editing import StaleVersion
from finsam.money import format_kronor, parse_amount, to_decimal
from plans.access import get_plan
from plans.gateway import plan_is_followed
from plans.models import Plan

TEMPLATE = "budgets/followup.html"
SETTINGS_TEMPLATE = "budgets/followup_settings.html"


def _page_url(plan, anchor: str = "") -> str:
    url = reverse("plan_followup", kwargs={"association": plan.association.slug, "pk": plan.pk})
    return f"{url}#{anchor}" if anchor else url


def _editable(request, plan: Plan) -> bool:
    return request.access.is_chief and followup_is_open(plan)


def _context(
    request, plan, *, budget=None, keys=None, outcome_state=None, forecast_state=None, **extra
) -> dict:
    followup = plan_followup(plan, budget=budget)
    return {
        "plan": plan,
        "association": plan.association,
        "followup": followup,
        "budget": followup.budget,
        "rows": followup_grid(
            followup, keys=keys, outcome_state=outcome_state, forecast_state=forecast_state
        ),
        "editable": _editable(request, plan),
        "open": followup_is_open(plan),
        "followed": plan_is_followed(plan),
        "measure": MEASURES,
        **extra,
    }


@require_GET
@association_view
def plan_followup_page(request, pk: int):
    """The follow-up of the plan's year; a version that a revised budget superseded leads to the latest
    adopted version's follow-up, which shows the first budget beside the revised one."""
    plan = get_plan(request, pk, plans_only=True)
    latest = followup_plan(plan)
    if latest.pk != plan.pk:
        return redirect(_page_url(latest))
    return render(request, TEMPLATE, _context(request, plan))


def _their_value(amount) -> str:
    return _("tom") if amount is None else format_kronor(to_decimal(amount))


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _amount(text: str, plan):
    """An empty input empties the cell; anything else must be an amount in the plan's unit."""
    return None if not text.strip() else parse_amount(text, plan.unit)


def _cell(
    request,
    plan,
    *,
    key: str,
    anchor: str,
    partial: str,
    pick,
    save,
    state_of,
    period: int | None = None,
    their=None,
):
    """One cell of the follow-up (see the module's doc): GET shows it as it is now (after choosing the
    other's value), POST saves `save(label, version)`. `pick(grid_row)` is the cell in its row (an outcome's
    cell is in the `period` given, which must be one of the year's);
    `state_of(state)` turns what a refused save keeps into the grid's `outcome_state` or `forecast_state`;
    `their(current)` is the other person's value after a conflict (by default the stored amount)."""
    followup = plan_followup(plan)
    row = followup.rows.get(key)
    if row is None or (period is not None and period not in followup.periods):
        raise Http404(_("Uppföljningen har ingen sådan cell."))
    answer = {"plan": plan, "budget": followup.budget, "key": key, "partial": partial, "pick": pick}
    if request.method == "GET":
        if not request.htmx:
            return redirect(_page_url(plan, anchor))
        return _answer(request, status=200, state={}, **answer)
    if not request.access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen kan skriva in utfall och prognos."))
    followup_refuse_unless_open(plan)
    version = _version(request)
    if version is None:
        return HttpResponseBadRequest(_("Cellens version saknas."))
    kept = {"comment": request.POST["comment"]} if "comment" in request.POST else {}
    if "amount" in request.POST:
        kept["text"] = request.POST["amount"]
    try:
        save(row.row.label, version)
    except ValidationError as error:
        message = error.messages[0]
        state = state_of({**kept, "error": message, "version": version})
        announcement = _("Inte sparat: %(error)s") % {"error": message}
        return _answer(request, status=422, state=state, announcement=announcement, **answer)
    except StaleVersion as conflict:
        current = conflict.current
        value = their(current) if their else _their_value(current.amount if current else None)
        state = state_of({**kept, "conflict": value, "version": current.version if current else 0})
        announcement = _("Någon annan har just ändrat samma cell. Summorna visar det som är sparat nu.")
        return _answer(request, status=409, state=state, announcement=announcement, **answer)
    if not request.htmx:
        return redirect(_page_url(plan, anchor))
    return _answer(request, status=200, state={}, announcement=_("Sparat."), **answer)


def _answer(request, *, plan, budget, key, partial, pick, status, state, announcement=""):
    """The cell with what follows from it (HTMX), or the whole page with the cell's message."""
    if not request.htmx:
        context = _context(request, plan, budget=budget, announcement=announcement, **state)
        return render(request, TEMPLATE, context, status=status)
    context = _context(request, plan, budget=budget, keys={key}, announcement=announcement, **state)
    context["grid_row"] = context["rows"][key]
    context["cell"] = pick(context["grid_row"])
    return render(request, f"{TEMPLATE}#{partial}", context, status=status)


@require_http_methods(["GET", "POST"])
@association_view
def followup_outcome(request, pk: int, row: str, period: int):
    """Save a row's outcome in one period (POST; empty removes it), or show the cell as it is now (GET)."""
    plan = get_plan(request, pk, plans_only=True)

    def save(label, version):
        followup_outcome_update(
            plan=plan,
            row=row,
            label=label,
            period=period,
            amount=_amount(request.POST.get("amount", ""), plan),
            expected_version=version,
            by=request.user,
        )

    return _cell(
        request,
        plan,
        key=row,
        anchor=f"utfall-{row}-{period}",
        partial="outcome-response",
        period=period,
        pick=lambda grid_row: grid_row.outcome_cells[period - 1],
        save=save,
        state_of=lambda state: {"outcome_state": {(row, period): state}},
    )


@require_http_methods(["GET", "POST"])
@association_view
def followup_forecast(request, pk: int, row: str):
    """Save a row's whole-year forecast (POST; empty: the forecast is the budget again), or show the cell
    as it is now (GET)."""
    plan = get_plan(request, pk, plans_only=True)

    def save(label, version):
        followup_forecast_update(
            plan=plan,
            row=row,
            label=label,
            amount=_amount(request.POST.get("amount", ""), plan),
            expected_version=version,
            by=request.user,
        )

    return _cell(
        request,
        plan,
        key=row,
        anchor=f"prognos-{row}",
        partial="forecast-response",
        pick=lambda grid_row: grid_row.forecast,
        save=save,
        state_of=lambda state: {"forecast_state": {row: state}},
    )


@require_http_methods(["GET", "POST"])
@association_view
def followup_comment(request, pk: int, row: str):
    """Save the chief's comment on a row's forecast (POST), or show the cell as it is now (GET)."""
    plan = get_plan(request, pk, plans_only=True)

    def save(label, version):
        followup_forecast_update(
            plan=plan,
            row=row,
            label=label,
            comment=request.POST.get("comment", ""),
            expected_version=version,
            by=request.user,
        )

    def state_of(state):
        # The comment cell's own names for what a refused save keeps.
        return {
            "forecast_state": {
                row: {
                    "comment": state.get("comment", ""),
                    "comment_error": state.get("error", ""),
                    "comment_conflict": state.get("conflict"),
                    "version": state["version"],
                }
            }
        }

    return _cell(
        request,
        plan,
        key=row,
        anchor=f"kommentar-{row}",
        partial="comment-response",
        pick=lambda grid_row: grid_row.forecast,
        save=save,
        state_of=state_of,
        their=lambda current: current.comment if current and current.comment else _("tom"),
    )


@require_http_methods(["GET", "POST"])
@association_view
def followup_settings(request):
    """The chief sets the association's follow-up period and deviation limits (GET: the form)."""
    access = request.access
    if not access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen kan ändra uppföljningens inställningar."))
    association = access.association
    form = FollowUpSettingsForm(request.POST or None, instance=association)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Inställningarna för uppföljningen är sparade."))
            return redirect("followup_settings", association=association.slug)
        return render(request, SETTINGS_TEMPLATE, {"association": association, "form": form}, status=422)
    return render(request, SETTINGS_TEMPLATE, {"association": association, "form": form})
