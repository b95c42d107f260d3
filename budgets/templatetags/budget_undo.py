"""`{% load budget_undo %}`: what the budget grid's "Ångra" button undoes for the user looking at it."""

from django import template

from budgets.services import UndoStep, undo_offer

register = template.Library()


@register.simple_tag
def budget_undo_offer(plan, user) -> UndoStep | None:
    """The user's newest step in the plan's budget that can be undone (`budgets.services.undo`)."""
    return undo_offer(plan=plan, user=user)
