"""Member contributions and their key (budgets/contributions.html).

One page: the split of each column's total (state 50 %, region 25 %, municipalities 25 %, the
municipalities' part split by the key), the key's form and the chief's overrides. One URL; the button
pressed (`action`) chooses what a POST does: save the key, add an empty factor (nothing saved), override a
part, clear an override. HTMX requests get the #contributions-editor region with the message out of band;
without JavaScript a save redirects back and a refusal renders the whole page with the input kept (422,
or 409 when the page was outdated: the services compare what the form was filled in against).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from budgets.calc import plan_budget
from budgets.contribution_page import contributions_view_model
from budgets.forms import (
    ContributionOverrideClearForm,
    ContributionOverrideForm,
    formset_with_one_more,
    key_formset,
    parse_part,
    part_choices,
)
from budgets.models import ContributionOverride
from budgets.queries import has_key, member_municipalities
from budgets.services import (
    contribution_key_set,
    contribution_override_clear,
    contribution_override_set,
    key_fingerprint,
    overrides_fingerprint,
)
from finsam.access import association_view
from finsam.editing import StaleVersion
from finsam.money import format_kronor
from plans.access import get_plan

CONTRIBUTIONS_TEMPLATE = "budgets/contributions.html"


def _contributions_url(plan, anchor: str = "") -> str:
    url = reverse("plan_contributions", kwargs={"association": plan.association.slug, "pk": plan.pk})
    return f"{url}#{anchor}" if anchor else url


def _contributions_context(
    request,
    plan,
    *,
    key_forms=None,
    key_errors=(),
    key_stamp=None,
    override_form=None,
    override_stamp=None,
    status_message="",
    status_level="info",
    focus_new_factor=False,
) -> dict:
    budget = plan_budget(plan)
    page = contributions_view_model(plan, budget)
    can_edit = request.access.is_chief and plan.is_editable
    context = {
        "plan": plan,
        "budget": budget,
        "page": page,
        "can_edit": can_edit,
        "status_message": status_message,
        "status_level": status_level,
    }
    if can_edit:
        context |= {
            "key_forms": key_forms or key_formset(plan, municipalities=page.municipalities),
            "key_errors": list(key_errors),
            "key_stamp": key_stamp or key_fingerprint(plan),
            "override_form": override_form or ContributionOverrideForm(plan=plan, choices=page.part_choices),
            "override_stamp": override_stamp or overrides_fingerprint(plan),
            "focus_new_factor": focus_new_factor,
        }
    return context


def _contributions_response(request, plan, *, status: int = 200, **context):
    """The editor region (HTMX) or the whole page; refusals also name themselves in #messages."""
    template = f"{CONTRIBUTIONS_TEMPLATE}#editor-response" if request.htmx else CONTRIBUTIONS_TEMPLATE
    if not request.htmx and context.get("status_message"):
        level = messages.ERROR if context.get("status_level") == "error" else messages.INFO
        messages.add_message(request, level, context.pop("status_message"))
    return render(request, template, _contributions_context(request, plan, **context), status=status)


def _contributions_done(request, plan, message: str, *, anchor: str):
    if request.htmx:
        return _contributions_response(request, plan, status_message=message, status_level="success")
    messages.success(request, message)
    return redirect(_contributions_url(plan, anchor))


def _contribution_key_save(request, plan):
    municipalities = member_municipalities(plan)
    formset = key_formset(plan, municipalities=municipalities, data=request.POST)
    posted_stamp = request.POST.get("nyckel-stamp", "")
    refused = {"key_forms": formset, "key_stamp": posted_stamp, "status_level": "error"}
    if not formset.is_valid():
        return _contributions_response(
            request,
            plan,
            status=422,
            status_message=_("Fördelningsnyckeln sparades inte. Rätta det som är markerat."),
            **refused,
        )
    try:
        contribution_key_set(
            plan=plan, factors=formset.factors(), by=request.user, expected_fingerprint=posted_stamp
        )
    except StaleVersion:
        message = _(
            "Någon annan har ändrat fördelningsnyckeln sedan sidan visades. Fördelningen ovan visar den "
            "sparade nyckeln; din nyckel står kvar i formuläret. Spara igen för att ersätta den."
        )
        return _contributions_response(
            request, plan, status=409, key_errors=[message], **(refused | {"key_stamp": None})
        )
    except ValidationError as error:
        return _contributions_response(
            request,
            plan,
            status=422,
            key_errors=error.messages,
            status_message=_("Fördelningsnyckeln sparades inte. Rätta det som är markerat."),
            **refused,
        )
    message = (
        _("Fördelningsnyckeln sparades. Kommunernas del fördelas nu efter den.")
        if formset.factors()
        else _("Fördelningsnyckeln togs bort. Kommunerna delar på en gemensam rad.")
    )
    return _contributions_done(request, plan, message, anchor="fordelning")


def _contribution_factor_add(request, plan):
    """One more empty factor in the key as typed: nothing is checked or saved."""
    municipalities = member_municipalities(plan)
    formset = key_formset(plan, municipalities=municipalities, data=request.POST)
    return _contributions_response(
        request,
        plan,
        key_forms=formset_with_one_more(formset),
        key_stamp=request.POST.get("nyckel-stamp", ""),
        focus_new_factor=True,
        status_message=_("En tom fördelningsgrund lades till. Inget är sparat ännu."),
    )


def _contribution_override_save(request, plan):
    municipalities = member_municipalities(plan)
    choices = part_choices(
        plan,
        municipalities=municipalities,
        per_municipality=has_key(plan, municipalities),
    )
    form = ContributionOverrideForm(request.POST, plan=plan, choices=choices)
    posted_stamp = request.POST.get("justering-stamp", "")
    refused = {"override_form": form, "override_stamp": posted_stamp, "status_level": "error"}
    message = _("Justeringen sparades inte. Rätta det som är markerat.")
    if not form.is_valid():
        return _contributions_response(request, plan, status=422, status_message=message, **refused)
    part, organisation_id = parse_part(form.cleaned_data["part"])
    organisation = next((org for org in municipalities if org.pk == organisation_id), organisation_id)
    column = form.cleaned_data["column"]
    column.plan = plan
    try:
        contribution_override_set(
            column=column,
            part=part,
            organisation=organisation,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            expected_fingerprint=posted_stamp,
        )
    except StaleVersion:
        form.add_error(
            None,
            _(
                "Medlemsavgifterna har ändrats sedan sidan visades (en total eller en justering). "
                "Kontrollera fördelningen ovan och spara igen."
            ),
        )
        return _contributions_response(
            request, plan, status=409, status_message=message, **(refused | {"override_stamp": None})
        )
    except ValidationError as error:
        for text in error.messages:
            form.add_error(None, text)
        return _contributions_response(request, plan, status=422, status_message=message, **refused)
    label = dict(choices).get(form.cleaned_data["part"], part)
    return _contributions_done(
        request,
        plan,
        _("%(part)s %(year)s är justerad till %(amount)s.")
        % {"part": label, "year": column.year, "amount": format_kronor(form.cleaned_data["amount"])},
        anchor="fordelning",
    )


def _contribution_override_clear(request, plan):
    form = ContributionOverrideClearForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Justeringen saknas."))
    override = (
        ContributionOverride.objects.select_related("column", "organisation")
        .filter(pk=form.cleaned_data["override"], column__plan=plan)
        .first()
    )
    try:
        if override is None:
            raise StaleVersion(None)
        override.column.plan = plan
        contribution_override_clear(
            column=override.column,
            part=override.part,
            organisation=override.organisation,
            by=request.user,
            expected_version=form.cleaned_data["version"],
        )
    except StaleVersion:
        return _contributions_response(
            request,
            plan,
            status=409,
            status_level="error",
            status_message=_(
                "Justeringen har ändrats eller tagits bort sedan sidan visades. Inget togs bort; "
                "kontrollera justeringarna nedan."
            ),
        )
    return _contributions_done(
        request,
        plan,
        _("Justeringen togs bort. Det beräknade beloppet gäller för %(year)s.")
        % {"year": override.column.year},
        anchor="fordelning",
    )


CONTRIBUTION_ACTIONS = {
    "key": _contribution_key_save,
    "add-factor": _contribution_factor_add,
    "override": _contribution_override_save,
    "clear": _contribution_override_clear,
}


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@association_view
def plan_contributions(request, pk: int):
    """The contributions page for everyone who sees the plan; its changes for the chief of an editable
    plan (the button pressed chooses the change)."""
    if request.method == "GET":
        plan = get_plan(request, pk, plans_only=True)
        return render(request, CONTRIBUTIONS_TEMPLATE, _contributions_context(request, plan))
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    handler = CONTRIBUTION_ACTIONS.get(request.POST.get("action", ""))
    if handler is None:
        return HttpResponseBadRequest(_("Okänd åtgärd."))
    return handler(request, plan)
