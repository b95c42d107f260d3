"""Undo of the user's own last changes to a plan's budget (the grid's "Ångra" button and Ctrl+Z).

The rules are `budgets.services.undo`'s; the view posts the step the button showed and answers with the
editor region (HTMX) or a redirect back to the grid, or, refused, with the reason beside the button.
"""

from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from budgets import services
from budgets.views.grid import _done, _editor_response
from finsam.access import association_view
from plans.access import get_plan


@require_POST
@association_view
def budget_undo(request, pk: int):
    """Undo the step `step` (its key) of the user's in the plan's budget."""
    plan = get_plan(request, pk, plans_only=True, for_edit=True)
    try:
        undone = services.budget_undo(plan=plan, step=request.POST.get("step", "")[:64], by=request.user)
    except services.UndoRefused as refusal:
        message = refusal.messages[0]
        return _editor_response(request, plan, status=409, announcement=message, undo_refusal=message)
    return _done(request, plan, _("Ångrat: %(change)s.") % {"change": undone.description})
