"""The year's outcome from the accounting system (budgets/outcome_import.html), for the chief on the
adopted plan only, like every write of the follow-up.

Upload (an SIE 4 file or an .xlsx of balances) → a preview of what will be stored per row and period, with
the account mapping editable in it (each select posts the mapping and previews again; without JavaScript
the "Spara kopplingarna" button does the same) → "Importera" stores it. The file's figures travel between
the steps as a signed field (`budgets.outcome_import.dumps`); nothing is stored before "Importera".
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from budgets.followup import plan_followup
from budgets.forms import OutcomeImportForm
from budgets.models import OutcomeMapping
from budgets.outcome_import import OutcomeFileError, dumps, loads, outcome_preview
from budgets.services.followup import followup_refuse_unless_open
from budgets.services.outcome_import import outcome_import_apply, outcome_mapping_set, outcome_rules
from finsam.access import association_view
from plans.access import get_plan

TEMPLATE = "budgets/outcome_import.html"


def _mapping_rows(balances, rules, preview):
    """The preview's mapping table: each account, and under it each of its cost centres and projects,
    with the row it goes to now and whether that comes from a rule of its own."""
    decided = {(s.account, s.dimension, s.code): s for s in preview.sources}
    rows = []
    for key in sorted(balances.entries):
        account, dim, code = key
        amounts = balances.entries[key]
        own = rules.get(key)
        source = decided.get(key)
        rows.append(
            {
                "field": f"map:{account}:{dim}:{code}",
                "account": account,
                "name": balances.names.get(account, "")
                if not dim
                else balances.objects.get(f"{dim}:{code}", ""),
                "dimension": OutcomeMapping.Dimension(dim).label if dim else "",
                "code": code,
                "total": sum(amounts),
                "value": own or "",
                "via": source.rule_account if source and not own and source.rule_account else "",
                "row": source.row if source else None,
            }
        )
    return rows


def _render(request, plan, *, form, balances=None, status=200, **extra):
    followup = plan_followup(plan)
    labels = {key: row.row.label for key, row in followup.rows.items()}
    context = {"plan": plan, "association": plan.association, "form": form, "followup": followup, **extra}
    if balances is not None:
        rules = outcome_rules(plan.association)
        try:
            preview = outcome_preview(
                balances, rules, period_count=len(followup.periods), known_rows=set(labels)
            )
        except OutcomeFileError as error:
            return _render(request, plan, form=form, status=422, error=str(error))
        context |= {
            "preview": preview,
            "token": dumps(balances, plan_id=plan.pk),
            "labels": labels,
            "choices": list(labels.items()),
            "mapping": _mapping_rows(balances, rules, preview),
            "preview_rows": [
                (labels[key], [amounts[period - 1] for period in preview.periods])
                for key, amounts in preview.rows.items()
            ],
            "period_labels": [followup.labels[p - 1] for p in preview.periods],
        }
    template = f"{TEMPLATE}#body" if request.htmx else TEMPLATE
    return render(request, template, context, status=status)


def _save_mapping(request, plan, balances) -> None:
    """Save the preview's selects (each a part of the file: an account or one object's part of it) and a
    series (the start of account numbers, a rule for accounts not in this file too), all or nothing."""
    known = set(plan_followup(plan).rows)
    rules = outcome_rules(plan.association)
    series = request.POST.get("series", "").strip()
    series_row = request.POST.get("series_row", "")
    if series and (not series.isdigit() or len(series) > 9):
        raise ValidationError(_("Kontot ska vara ett kontonummer eller början av ett."))
    if series and series_row and series_row not in known:
        raise ValidationError(_("Välj en budgetrad i listan."))
    with transaction.atomic():
        for name, value in request.POST.items():
            if not name.startswith("map:"):
                continue
            account, _sep, rest = name[4:].partition(":")
            dim, _sep, code = rest.partition(":")
            if (account, dim, code) not in balances.entries or (value and value not in known):
                continue
            if rules.get((account, dim, code), "") == value:
                continue
            outcome_mapping_set(
                association=plan.association, account=account, dimension=dim, code=code, row=value or None
            )
        if series:
            outcome_mapping_set(
                association=plan.association, account=series, dimension="", code="", row=series_row or None
            )


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@association_view
def followup_import(request, pk: int):
    plan = get_plan(request, pk, plans_only=True)
    if not request.access.is_chief:
        raise PermissionDenied(_("Bara förbundschefen kan importera utfall."))
    followup_refuse_unless_open(plan)
    if request.method == "GET":
        return _render(request, plan, form=OutcomeImportForm(plan=plan))
    action = request.POST.get("action", "preview")
    if action in ("map", "import"):
        form = OutcomeImportForm(plan=plan)
        try:
            balances = loads(request.POST.get("token", ""), plan_id=plan.pk)
        except OutcomeFileError as error:
            return _render(request, plan, form=form, status=422, error=str(error))
        if action == "map":
            try:
                _save_mapping(request, plan, balances)
            except ValidationError as error:
                series = request.POST.get("series", "")[:9]
                return _render(
                    request,
                    plan,
                    form=form,
                    balances=balances,
                    status=422,
                    error=error.messages[0],
                    series=series,
                )
            return _render(request, plan, form=form, balances=balances, mapped=True)
        followup = plan_followup(plan)
        rules = outcome_rules(plan.association)
        try:
            preview = outcome_preview(
                balances, rules, period_count=len(followup.periods), known_rows=set(followup.rows)
            )
            written = outcome_import_apply(plan=plan, preview=preview, by=request.user)
        except (OutcomeFileError, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            return _render(request, plan, form=form, balances=balances, status=422, error=message)
        messages.success(
            request,
            _("Utfallet importerades från %(source)s: %(count)s celler.")
            % {"source": balances.source, "count": written},
        )
        url = reverse("plan_followup", kwargs={"association": plan.association.slug, "pk": plan.pk})
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": url})
        return redirect(url)
    form = OutcomeImportForm(request.POST, request.FILES, plan=plan)
    if not form.is_valid():
        return _render(request, plan, form=form, status=422)
    return _render(request, plan, form=form, balances=form.cleaned_data["balances"])
