"""The plan's stated figures (budgets/stated.html): what a document printed, compared with the budget, for
the chief to correct, remove or mark as the document's own error.

One POST view per figure does the action chosen by the button (`action`: correct, dismiss, restore,
delete). HTMX gets the figure's region (or nothing, once removed) with the page's summary and an
announcement out of band; without JavaScript a save redirects back to the figure and a refusal renders
the whole page with the typed input and the message (422).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets import services
from budgets.calc import plan_budget
from budgets.models import StatedFigure
from budgets.stated import stated_page
from finsam.access import association_view
from finsam.money import parse_amount
from plans.access import get_plan

TEMPLATE = "budgets/stated.html"
ACTIONS = ("correct", "dismiss", "restore", "delete")


def _page_url(plan, anchor: str = "") -> str:
    url = reverse("plan_stated_figures", kwargs={"association": plan.association.slug, "pk": plan.pk})
    return f"{url}#{anchor}" if anchor else url


def _context(plan, *, refused: dict | None = None, **extra) -> dict:
    return {
        "plan": plan,
        "association": plan.association,
        "page": stated_page(plan, plan_budget(plan), refused=refused),
        **extra,
    }


@association_view
def plan_stated_figures(request, pk: int):
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    return render(request, TEMPLATE, _context(plan))


@require_POST
@association_view
def stated_figure(request, pk: int, figure_id: int):
    """Correct, dismiss (with a reason), restore or delete one stated figure of the plan."""
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    figure = get_object_or_404(StatedFigure.objects.select_related("column"), pk=figure_id, plan=plan)
    figure.plan = plan
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return HttpResponseBadRequest(_("Okänd åtgärd."))
    name = f"{figure.label} {figure.column.year}"
    typed = {
        "amount": request.POST.get("amount", ""),
        "reason": request.POST.get("reason", ""),
        "print_note": request.POST.get("print_note") == "on",
    }
    try:
        if action == "correct":
            amount = parse_amount(typed["amount"], plan.unit)
            services.stated_figure_correct(figure=figure, amount=amount, by=request.user)
            message = _("Den angivna summan %(name)s är rättad.") % {"name": name}
        elif action == "dismiss":
            services.stated_figure_dismiss(
                figure=figure, reason=typed["reason"], print_note=typed["print_note"], by=request.user
            )
            message = _("Avvikelsen för %(name)s är markerad som dokumentets eget fel.") % {"name": name}
        elif action == "restore":
            services.stated_figure_restore(figure=figure, by=request.user)
            message = _("Avvikelsen för %(name)s är inte längre markerad som dokumentets eget fel.") % {
                "name": name
            }
        else:
            services.stated_figure_remove(figure=figure, by=request.user)
            message = _("Den angivna summan %(name)s togs bort.") % {"name": name}
    except ValidationError as error:
        refused = {
            "figure_id": figure.pk,
            "form": "correct" if action == "correct" else "dismiss",
            "error": error.messages[0] if error.messages else _("Kontrollera uppgifterna."),
            **typed,
        }
        context = _context(
            plan, refused=refused, announcement=_("Inte sparat: %(error)s") % {"error": refused["error"]}
        )
        if request.htmx:
            context["item"] = _item(context["page"], figure.pk)
            if context["item"] is None:  # removed meanwhile: nothing left to show but the message
                return render(request, f"{TEMPLATE}#removed-response", context, status=422)
            return render(request, f"{TEMPLATE}#figure-response", context, status=422)
        return render(request, TEMPLATE, context, status=422)
    if not request.htmx:
        messages.success(request, message)
        return redirect(_page_url(plan, "" if action == "delete" else f"angiven-{figure.pk}"))
    context = _context(plan, announcement=message)
    if action == "delete":
        return render(request, f"{TEMPLATE}#removed-response", context)
    context["item"] = _item(context["page"], figure.pk)
    return render(request, f"{TEMPLATE}#figure-response", context)


def _item(page, figure_id: int):
    return next((item for item in page.items if item.figure.pk == figure_id), None)
