"""Budget pages of a plan, below /f/<association>/planer/<pk>/budget/.

Three blocks live here: the budget grid editor, budget import/export, and member contributions with
their key. Each keeps to its own block.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from budgets import contribution_forms
from budgets import grid as grid_services
from budgets.calc import plan_budget
from budgets.checks import plan_checks
from budgets.exporter import XLSX_CONTENT_TYPE, budget_filename, budget_xlsx
from budgets.forms import BudgetImportForm
from budgets.importing import budget_import_apply, budget_import_preview
from budgets.models import BudgetColumn, BudgetGroup, BudgetLine, ContributionOverride
from budgets.services import contribution_key_set, contribution_override_clear, contribution_override_set
from finsam.access import association_view
from finsam.editing import StaleVersion
from finsam.money import format_kronor, parse_amount, to_decimal
from plans.access import get_plan
from plans.checks import finding_links, findings_digest

# --- Budget grid editor ---------------------------------------------------------------------------
# One page (budgets/grid.html). A cell save answers with the cell and, out of band, everything that
# follows from it (subtotals, totals, result, equity, checks, an announcement); structural changes
# (lines, groups, columns) answer with the whole editor region. Without JavaScript every form posts
# and redirects back to the grid; refusals render the page with the user's input and the message.

GRID_TEMPLATE = "budgets/grid.html"


def _grid_url(plan, anchor: str = "") -> str:
    url = reverse("plan_budget_grid", kwargs={"association": plan.association.slug, "pk": plan.pk})
    return f"{url}#{anchor}" if anchor else url


def _grid_context(
    plan,
    *,
    budget=None,
    cell_state=None,
    contribution_state=None,
    form_errors=None,
    form_values=None,
    lines=None,
    shown_checks_digest=None,
    **extra,
) -> dict:
    """Everything the grid page and its partials show. `shown_checks_digest` is the digest of the checks
    the page shows (a cell's post includes it): when the findings are still the same, `checks_unchanged`
    tells the answer to leave the panel out, and their links are not built."""
    budget = budget or plan_budget(plan)
    grid = grid_services.budget_grid(
        plan,
        budget,
        cell_state=cell_state,
        contribution_state=contribution_state,
        form_errors=form_errors,
        form_values=form_values,
        lines=lines,
    )
    findings = plan_checks(plan, budget=budget)
    digest = findings_digest(findings)
    checks_unchanged = shown_checks_digest == digest
    return {
        "plan": plan,
        "grid": grid,
        "budget": budget,
        "association": plan.association,
        # The plan editor's checks panel, each finding with the place where it is fixed.
        "findings": [] if checks_unchanged else [(f, finding_links(plan, f)) for f in findings],
        "findings_digest": digest,
        "checks_unchanged": checks_unchanged,
        "group_kinds": {
            section: [
                (kind, label)
                for kind, label in BudgetGroup.Kind.choices
                if (kind in BudgetGroup.REVENUE_KINDS) == (section == BudgetGroup.Section.REVENUE)
                or kind == BudgetGroup.Kind.OTHER
            ]
            for section in BudgetGroup.Section.values
        },
        "column_kinds": BudgetColumn.Kind.choices,
        **extra,
    }


def _editor_response(request, plan, *, status: int = 200, announcement: str = "", **context):
    """The whole editor region for HTMX, the whole page otherwise (used for refusals)."""
    template = f"{GRID_TEMPLATE}#editor-response" if request.htmx else GRID_TEMPLATE
    context = _grid_context(plan, announcement=announcement, **context)
    return render(request, template, context, status=status)


def _done(request, plan, message: str, *, anchor: str = ""):
    """After a structural change: the editor region (HTMX) or a redirect back to the grid."""
    if request.htmx:
        return _editor_response(request, plan, announcement=message)
    messages.success(request, message)
    return redirect(_grid_url(plan, anchor))


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _amount_or_blank(text: str, unit: str):
    """An empty input empties the cell; anything else must be an amount."""
    return None if not text.strip() else parse_amount(text, unit)


@association_view
def plan_budget_grid(request, pk: int):
    plan = get_plan(request, pk, for_edit=True)
    return render(request, GRID_TEMPLATE, _grid_context(plan))


def _cell_objects(request, pk: int, line_id: int, column_id: int):
    plan = get_plan(request, pk, for_edit=True)
    line = get_object_or_404(BudgetLine.objects.select_related("group"), pk=line_id, group__plan=plan)
    column = get_object_or_404(BudgetColumn, pk=column_id, plan=plan)
    line.group.plan = column.plan = plan
    return plan, line, column


def _saved_cell_response(request, plan, *, line=None, column, announce: bool = True):
    """The saved cell with everything that follows from it (out of band): one budget computation. Only
    the saved line's row is built; the totals follow from the whole budget."""
    lines = {line.pk} if line is not None else set()
    context = _grid_context(
        plan,
        announce_column=column if announce else None,
        lines=lines,
        shown_checks_digest=request.POST.get("checks_digest") if request.method == "POST" else None,
    )
    grid = context["grid"]
    if line is not None:
        context["grid_row"] = grid.line_row(line.pk)
        context["cell"] = grid.line_cell(line.pk, column.pk)
        return render(request, f"{GRID_TEMPLATE}#line-cell-response", context)
    context["cell"] = grid.contribution_cell(column.pk)
    return render(request, f"{GRID_TEMPLATE}#contribution-cell-response", context)


def _refused_cell_response(request, plan, *, line, column, status: int, **state):
    """A refused save: the cell keeps what the user typed, with the message (HTMX), or the whole page.

    After a conflict the totals follow what is saved now (the other person's value), out of band."""
    extra = {}
    if status == 409:
        extra["announcement"] = _(
            "Någon annan har just ändrat samma cell. Summorna visar det som är sparat nu."
        )
    elif state.get("error"):
        # Announced too: after Tab the focus is already in the next cell.
        extra["announcement"] = _("Inte sparat: %(error)s") % {"error": state["error"]}
    if line is not None:
        context = _grid_context(plan, cell_state={(line.pk, column.pk): state}, **extra)
    else:
        context = _grid_context(plan, contribution_state={column.pk: state}, **extra)
    if not request.htmx:
        return render(request, GRID_TEMPLATE, context, status=status)
    grid = context["grid"]
    if line is not None:
        context["cell"] = grid.line_cell(line.pk, column.pk)
        context["grid_row"] = grid.line_row(line.pk)
        partial = "line-cell-response" if status == 409 else "line-cell-refused"
    else:
        context["cell"] = grid.contribution_cell(column.pk)
        partial = "contribution-cell-response" if status == 409 else "contribution-cell-refused"
    return render(request, f"{GRID_TEMPLATE}#{partial}", context, status=status)


def _their_value(amount) -> str:
    return _("tom") if amount is None else format_kronor(to_decimal(amount))


@require_http_methods(["GET", "POST"])
@association_view
def budget_cell(request, pk: int, line_id: int, column_id: int):
    """Save one typed cell (POST), or show it as it is now (GET, after choosing the other's value)."""
    plan, line, column = _cell_objects(request, pk, line_id, column_id)
    anchor = f"cell-{line.pk}-{column.pk}"
    if request.method == "GET":
        if not request.htmx:
            return redirect(_grid_url(plan, anchor))
        return _saved_cell_response(request, plan, line=line, column=column, announce=False)
    expected_version = _version(request)
    if expected_version is None:
        return HttpResponseBadRequest(_("Cellens version saknas."))
    text = request.POST.get("amount", "")
    try:
        amount = _amount_or_blank(text, plan.unit)
        grid_services.budget_cell_update(
            line=line, column=column, amount=amount, expected_version=expected_version, by=request.user
        )
    except ValidationError as error:
        return _refused_cell_response(
            request,
            plan,
            line=line,
            column=column,
            status=422,
            text=text,
            error=error.messages[0],
            version=expected_version,
        )
    except StaleVersion as conflict:
        current = conflict.current
        return _refused_cell_response(
            request,
            plan,
            line=line,
            column=column,
            status=409,
            text=text,
            conflict=_their_value(current.amount if current else None),
            version=current.version if current else 0,
        )
    if not request.htmx:
        return redirect(_grid_url(plan, anchor))
    return _saved_cell_response(request, plan, line=line, column=column)


@require_http_methods(["GET", "POST"])
@association_view
def budget_contributions(request, pk: int, column_id: int):
    """The members' total contribution of one column; the contribution rows are computed from it."""
    plan = get_plan(request, pk, for_edit=True)
    column = get_object_or_404(BudgetColumn, pk=column_id, plan=plan)
    column.plan = plan
    anchor = f"contributions-{column.pk}"
    if request.method == "GET":
        if not request.htmx:
            return redirect(_grid_url(plan, anchor))
        return _saved_cell_response(request, plan, column=column, announce=False)
    expected_version = _version(request)
    if expected_version is None:
        return HttpResponseBadRequest(_("Kolumnens version saknas."))
    text = request.POST.get("amount", "")
    try:
        amount = _amount_or_blank(text, plan.unit)
        grid_services.budget_column_update(
            column=column, expected_version=expected_version, by=request.user, contributions_total=amount
        )
    except ValidationError as error:
        return _refused_cell_response(
            request,
            plan,
            line=None,
            column=column,
            status=422,
            text=text,
            error=error.messages[0],
            version=expected_version,
        )
    except StaleVersion as conflict:
        current = conflict.current
        return _refused_cell_response(
            request,
            plan,
            line=None,
            column=column,
            status=409,
            text=text,
            conflict=_their_value(current.contributions_total if current else None),
            version=current.version if current else 0,
        )
    if not request.htmx:
        return redirect(_grid_url(plan, anchor))
    return _saved_cell_response(request, plan, column=column)


@require_POST
@association_view
def budget_column_kind(request, pk: int, column_id: int):
    plan = get_plan(request, pk, for_edit=True)
    column = get_object_or_404(BudgetColumn, pk=column_id, plan=plan)
    column.plan = plan
    expected_version = _version(request)
    kind = request.POST.get("kind", "")
    if expected_version is None or kind not in BudgetColumn.Kind.values:
        return _editor_response(
            request, plan, status=422, form_errors={f"column-{column.pk}": _("Välj en typ för kolumnen.")}
        )
    try:
        grid_services.budget_column_update(
            column=column, expected_version=expected_version, by=request.user, kind=kind
        )
    except StaleVersion:
        return _editor_response(
            request,
            plan,
            status=409,
            form_errors={
                f"column-{column.pk}": _("Någon annan har just ändrat kolumnen. Kontrollera och försök igen.")
            },
        )
    return _done(
        request,
        plan,
        _("Kolumnen %(year)s är nu %(kind)s.")
        % {"year": column.year, "kind": column.get_kind_display().lower()},
    )


def _line(request, pk: int, line_id: int):
    plan = get_plan(request, pk, for_edit=True)
    line = get_object_or_404(BudgetLine.objects.select_related("group"), pk=line_id, group__plan=plan)
    line.group.plan = plan
    return plan, line


def _group(request, pk: int, group_id: int):
    plan = get_plan(request, pk, for_edit=True)
    group = get_object_or_404(BudgetGroup, pk=group_id, plan=plan)
    group.plan = plan
    return plan, group


def _first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else _("Kontrollera uppgifterna.")


@require_POST
@association_view
def budget_line_add(request, pk: int, group_id: int):
    plan, group = _group(request, pk, group_id)
    name = request.POST.get("name", "")
    try:
        line = grid_services.budget_line_add(
            group=group, name=name, undecided=request.POST.get("undecided") == "on", by=request.user
        )
    except ValidationError as error:
        return _editor_response(
            request,
            plan,
            status=422,
            form_errors={f"line-add-{group.pk}": _first_message(error)},
            form_values={f"line-add-{group.pk}": name},
        )
    return _done(
        request, plan, _("Raden %(line)s lades till.") % {"line": line.name}, anchor=f"rad-{line.pk}"
    )


def _rename(request, plan, *, key: str, save, missing_version: str, conflict: str, done: str, anchor: str):
    """A line's or a group's rename form: `save(expected_version, name)`; 422 for bad input with the
    name kept, 409 naming what the other person saved, else done."""
    name = request.POST.get("name", "")
    expected_version = _version(request)
    try:
        if expected_version is None:
            raise ValidationError(missing_version)
        saved = save(expected_version, name)
    except ValidationError as error:
        return _editor_response(
            request, plan, status=422, form_errors={key: _first_message(error)}, form_values={key: name}
        )
    except StaleVersion as stale:
        theirs = stale.current.name if stale.current else _("(borttagen)")
        return _editor_response(
            request, plan, status=409, form_errors={key: conflict % {"name": theirs}}, form_values={key: name}
        )
    return _done(request, plan, done(saved), anchor=anchor)


@require_POST
@association_view
def budget_line_edit(request, pk: int, line_id: int):
    plan, line = _line(request, pk, line_id)
    return _rename(
        request,
        plan,
        key=f"line-{line.pk}",
        save=lambda version, name: grid_services.budget_line_update(
            line=line,
            expected_version=version,
            name=name,
            undecided=request.POST.get("undecided") == "on",
            by=request.user,
        ),
        missing_version=_("Radens version saknas."),
        conflict=_(
            "Någon annan har just ändrat raden till ”%(name)s”. Spara igen för att ersätta med ditt namn."
        ),
        done=lambda saved: _("Raden heter nu %(line)s.") % {"line": saved.name},
        anchor=f"rad-{line.pk}",
    )


@require_POST
@association_view
def budget_line_move(request, pk: int, line_id: int):
    plan, line = _line(request, pk, line_id)
    direction = request.POST.get("direction", "")
    if direction not in (grid_services.UP, grid_services.DOWN):
        return HttpResponseBadRequest(_("Okänd riktning."))
    moved = grid_services.budget_line_move(line=line, direction=direction, by=request.user)
    if moved:
        message = (
            _("Raden %(line)s flyttades upp.")
            if direction == grid_services.UP
            else _("Raden %(line)s flyttades ned.")
        )
    else:
        message = (
            _("Raden %(line)s står redan först.")
            if direction == grid_services.UP
            else _("Raden %(line)s står redan sist.")
        )
    return _done(request, plan, message % {"line": line.name}, anchor=f"rad-{line.pk}")


@require_POST
@association_view
def budget_line_remove(request, pk: int, line_id: int):
    """Without `confirm`, the page asks first (no JavaScript); HTMX asks with a dialog and confirms."""
    plan, line = _line(request, pk, line_id)
    if request.POST.get("confirm") != "1":
        return render(request, GRID_TEMPLATE, _grid_context(plan, confirm_line=line))
    grid_services.budget_line_remove(line=line, by=request.user)
    return _done(request, plan, _("Raden %(line)s togs bort.") % {"line": line.name})


@require_POST
@association_view
def budget_group_add(request, pk: int):
    plan = get_plan(request, pk, for_edit=True)
    section = request.POST.get("section", "")
    kind = request.POST.get("kind", BudgetGroup.Kind.OTHER)
    name = request.POST.get("name", "")
    key = f"group-add-{section}"
    try:
        if section not in BudgetGroup.Section.values or kind not in BudgetGroup.Kind.values:
            raise ValidationError(_("Välj del och typ för gruppen."))
        group = grid_services.budget_group_add(
            plan=plan, section=section, kind=kind, name=name, by=request.user
        )
    except ValidationError as error:
        return _editor_response(
            request, plan, status=422, form_errors={key: _first_message(error)}, form_values={key: name}
        )
    return _done(
        request, plan, _("Gruppen %(group)s lades till.") % {"group": group.name}, anchor=f"grupp-{group.pk}"
    )


@require_POST
@association_view
def budget_group_edit(request, pk: int, group_id: int):
    plan, group = _group(request, pk, group_id)
    return _rename(
        request,
        plan,
        key=f"group-{group.pk}",
        save=lambda version, name: grid_services.budget_group_update(
            group=group,
            expected_version=version,
            name=name,
            collapsed=request.POST.get("collapsed") == "on",
            by=request.user,
        ),
        missing_version=_("Gruppens version saknas."),
        conflict=_(
            "Någon annan har just ändrat gruppen till ”%(name)s”. Spara igen för att ersätta med ditt namn."
        ),
        done=lambda saved: _("Gruppen heter nu %(group)s.") % {"group": saved.name},
        anchor=f"grupp-{group.pk}",
    )


@require_POST
@association_view
def budget_group_move(request, pk: int, group_id: int):
    plan, group = _group(request, pk, group_id)
    direction = request.POST.get("direction", "")
    if direction not in (grid_services.UP, grid_services.DOWN):
        return HttpResponseBadRequest(_("Okänd riktning."))
    moved = grid_services.budget_group_move(group=group, direction=direction, by=request.user)
    if moved:
        message = (
            _("Gruppen %(group)s flyttades upp.")
            if direction == grid_services.UP
            else _("Gruppen %(group)s flyttades ned.")
        )
    else:
        message = (
            _("Gruppen %(group)s står redan först.")
            if direction == grid_services.UP
            else _("Gruppen %(group)s står redan sist.")
        )
    return _done(request, plan, message % {"group": group.name}, anchor=f"grupp-{group.pk}")


@require_POST
@association_view
def budget_group_remove(request, pk: int, group_id: int):
    plan, group = _group(request, pk, group_id)
    if request.POST.get("confirm") != "1":
        return render(request, GRID_TEMPLATE, _grid_context(plan, confirm_group=group))
    grid_services.budget_group_remove(group=group, by=request.user)
    return _done(request, plan, _("Gruppen %(group)s togs bort.") % {"group": group.name})


# --- end of the budget grid editor ----------------------------------------------------------------


# --- Budget import and export ---------------------------------------------------------------------
# Import: one page (budgets/import.html). A paste or upload is parsed and previewed by running the
# import in a rolled-back transaction; "Importera" posts the same table text again with the plan's
# version at the preview, and only then is the budget replaced. Nothing is stored between the steps.
# Export: the budget as .xlsx for anyone who may see the plan.

IMPORT_TEMPLATE = "budgets/import.html"


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@association_view
def budget_import(request, pk: int):
    plan = get_plan(request, pk, for_edit=True)
    template = f"{IMPORT_TEMPLATE}#import-body" if request.htmx else IMPORT_TEMPLATE
    if request.method == "GET":
        return render(request, IMPORT_TEMPLATE, {"plan": plan, "form": BudgetImportForm()})
    form = BudgetImportForm(request.POST, request.FILES)
    context = {"plan": plan, "form": form}
    if not form.is_valid():
        context |= {"status": _("Tabellen kunde inte läsas. Se felen vid fälten."), "status_level": "error"}
        return render(request, template, context, status=422)
    parsed, source = form.cleaned_data["parsed"], form.cleaned_data["source"]
    if request.POST.get("action") == "import":
        version = form.cleaned_data.get("version")
        try:
            if version is None:
                raise StaleVersion(plan)
            report = budget_import_apply(
                plan=plan, parsed=parsed, by=request.user, expected_version=version, source=source
            )
        except StaleVersion:
            # Someone changed the plan after the preview: show the table again, to be previewed anew.
            message = _("Planen har ändrats sedan förhandsgranskningen. Förhandsgranska tabellen igen.")
            form.add_error(None, message)
            context |= {"status": message, "status_level": "error"}
            return render(request, template, context, status=409)
        context |= {"report": report, "status": _("Budgeten importerades."), "status_level": "success"}
        return render(request, template, context)
    report = budget_import_preview(plan=plan, parsed=parsed, by=request.user, source=source)
    context |= {
        "report": report,
        "table_text": parsed.text,
        "version": plan.version,
        "status": _("Förhandsgranskningen är klar. Inget är sparat ännu."),
    }
    return render(request, template, context)


@require_http_methods(["GET", "HEAD"])
@association_view
def budget_export(request, pk: int):
    plan = get_plan(request, pk)
    response = HttpResponse(budget_xlsx(plan), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{budget_filename(plan)}"'
    return response


# --- end of budget import and export --------------------------------------------------------------


# --- Member contributions and their key -----------------------------------------------------------
# One page (budgets/contributions.html): the split of each column's total (state 50 %, region 25 %,
# municipalities 25 %, the municipalities' part split by the key), the key's form and the chief's
# overrides. One URL; the button pressed (`action`) chooses what a POST does: save the key, add an
# empty factor (nothing saved), override a part, clear an override. HTMX requests get the
# #contributions-editor region with the message out of band; without JavaScript a save redirects back
# and a refusal renders the whole page with the input kept (422, or 409 when the page was outdated).

CONTRIBUTIONS_TEMPLATE = "budgets/contributions.html"


class _ContributionsChanged(Exception):
    """What a form was filled in against has changed since the page was shown."""


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
    page = contribution_forms.contributions_view_model(plan, budget)
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
            "key_forms": key_forms
            or contribution_forms.key_formset(plan, municipalities=page.municipalities),
            "key_errors": list(key_errors),
            "key_stamp": key_stamp or contribution_forms.key_fingerprint(plan),
            "override_form": override_form
            or contribution_forms.ContributionOverrideForm(plan=plan, choices=page.part_choices),
            "override_stamp": override_stamp or contribution_forms.overrides_fingerprint(plan),
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


def _lock_plan(plan) -> None:
    """Serialise changes to the plan's contributions (a no-op on SQLite, which writes one at a time)."""
    type(plan).objects.select_for_update().filter(pk=plan.pk).first()


def _contribution_key_save(request, plan):
    municipalities = contribution_forms.key_municipalities(plan)
    formset = contribution_forms.key_formset(plan, municipalities=municipalities, data=request.POST)
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
        with transaction.atomic():
            _lock_plan(plan)
            if posted_stamp != contribution_forms.key_fingerprint(plan):
                raise _ContributionsChanged
            contribution_key_set(plan=plan, factors=formset.factors(), by=request.user)
    except _ContributionsChanged:
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
    municipalities = contribution_forms.key_municipalities(plan)
    formset = contribution_forms.key_formset(plan, municipalities=municipalities, data=request.POST)
    return _contributions_response(
        request,
        plan,
        key_forms=contribution_forms.formset_with_one_more(formset),
        key_stamp=request.POST.get("nyckel-stamp", ""),
        focus_new_factor=True,
        status_message=_("En tom fördelningsgrund lades till. Inget är sparat ännu."),
    )


def _contribution_override_save(request, plan):
    municipalities = contribution_forms.key_municipalities(plan)
    choices = contribution_forms.part_choices(
        plan,
        municipalities=municipalities,
        per_municipality=contribution_forms.has_key(plan, municipalities),
    )
    form = contribution_forms.ContributionOverrideForm(request.POST, plan=plan, choices=choices)
    posted_stamp = request.POST.get("justering-stamp", "")
    refused = {"override_form": form, "override_stamp": posted_stamp, "status_level": "error"}
    message = _("Justeringen sparades inte. Rätta det som är markerat.")
    if not form.is_valid():
        return _contributions_response(request, plan, status=422, status_message=message, **refused)
    part, organisation_id = contribution_forms.parse_part(form.cleaned_data["part"])
    organisation = next((org for org in municipalities if org.pk == organisation_id), organisation_id)
    column = form.cleaned_data["column"]
    column.plan = plan
    try:
        with transaction.atomic():
            _lock_plan(plan)
            if posted_stamp != contribution_forms.overrides_fingerprint(plan):
                raise _ContributionsChanged
            contribution_override_set(
                column=column,
                part=part,
                organisation=organisation,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
    except _ContributionsChanged:
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
    form = contribution_forms.ContributionOverrideClearForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Justeringen saknas."))
    with transaction.atomic():
        _lock_plan(plan)
        override = (
            ContributionOverride.objects.select_related("column", "organisation")
            .filter(pk=form.cleaned_data["override"], column__plan=plan)
            .first()
        )
        if override is None or override.version != form.cleaned_data["version"]:
            conflict = True
        else:
            conflict = False
            override.column.plan = plan
            contribution_override_clear(
                column=override.column,
                part=override.part,
                organisation=override.organisation,
                by=request.user,
            )
    if conflict:
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
        plan = get_plan(request, pk)
        return render(request, CONTRIBUTIONS_TEMPLATE, _contributions_context(request, plan))
    plan = get_plan(request, pk, for_edit=True)
    handler = CONTRIBUTION_ACTIONS.get(request.POST.get("action", ""))
    if handler is None:
        return HttpResponseBadRequest(_("Okänd åtgärd."))
    return handler(request, plan)


# --- end of member contributions and their key ----------------------------------------------------
