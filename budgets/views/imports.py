"""Budget import and export of a plan.

Import: one page (budgets/import.html). A paste or upload is parsed and previewed by running the import in
a rolled-back transaction; each row's and column's reading can be corrected in the preview (a select per
row and column, posted with the table's text and previewed again); "Importera" posts the same table text
and corrections again with the plan's version at the preview, and only then is the budget replaced.
Nothing is stored between the steps.
Export: the budget as .xlsx for anyone who may see the plan.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from budgets.exporter import XLSX_CONTENT_TYPE, budget_filename, budget_xlsx
from budgets.forms import BudgetImportForm
from budgets.imports.apply import budget_import_apply, budget_import_preview
from budgets.imports.overrides import ROW_READINGS
from budgets.imports.report import column_readings, row_choices
from finsam.access import association_view
from finsam.editing import StaleVersion
from plans.access import get_plan

IMPORT_TEMPLATE = "budgets/import.html"


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@association_view
def budget_import(request, pk: int):
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    template = f"{IMPORT_TEMPLATE}#import-body" if request.htmx else IMPORT_TEMPLATE
    if request.method == "GET":
        return render(request, IMPORT_TEMPLATE, {"plan": plan, "form": BudgetImportForm()})
    form = BudgetImportForm(request.POST, request.FILES, association=plan.association)
    context = {"plan": plan, "form": form}
    if not form.is_valid():
        context |= {"status": _("Tabellen kunde inte läsas. Se felen vid fälten."), "status_level": "error"}
        return render(request, template, context, status=422)
    parsed, source = form.cleaned_data["parsed"], form.cleaned_data["source"]
    only_columns = form.cleaned_data["only_columns"]
    context["only_columns"] = only_columns
    if request.POST.get("action") == "import":
        version = form.cleaned_data.get("version")
        try:
            if version is None:
                raise StaleVersion(plan)
            report = budget_import_apply(
                plan=plan,
                parsed=parsed,
                by=request.user,
                expected_version=version,
                source=source,
                only_columns=only_columns,
                overrides=form.cleaned_data["overrides"],
            )
        except StaleVersion:
            # Someone changed the plan after the preview: show the table again, to be previewed anew.
            message = _("Planen har ändrats sedan förhandsgranskningen. Förhandsgranska tabellen igen.")
            form.add_error(None, message)
            context |= {"status": message, "status_level": "error"}
            return render(request, template, context, status=409)
        context |= {"report": report, "status": _("Budgeten importerades."), "status_level": "success"}
        return render(request, template, context)
    report = budget_import_preview(
        plan=plan, parsed=parsed, by=request.user, source=source, only_columns=only_columns
    )
    context |= {
        "report": report,
        "rows": row_choices(report),
        "column_readings": column_readings(parsed=parsed, plan=plan),
        "row_readings": ROW_READINGS.items(),
        "table_text": parsed.text,
        "version": plan.version,
        "status": _("Förhandsgranskningen är klar. Inget är sparat ännu."),
    }
    return render(request, template, context)


@require_http_methods(["GET", "HEAD"])
@association_view
def budget_export(request, pk: int):
    plan = get_plan(request, pk, plans_only=True)
    response = HttpResponse(budget_xlsx(plan), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{budget_filename(plan)}"'
    return response
