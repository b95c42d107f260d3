"""The stated figures: the figures a document printed, the chief's to correct, remove or mark as the
document's own error (`budgets.stated` compares them with the budget).

Every function is one user action through the plan's write gateway (`plans.gateway.plan_change`: one
transaction, a locked plan refused, one `PlanEvent` recorded). Input is checked first (Swedish
`ValidationError`, nothing saved). A figure removed meanwhile is a `ValidationError` too.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from budgets.models import StatedFigure
from finsam.money import MAX_AMOUNT, format_kronor, sek, to_decimal
from plans.gateway import plan_change
from plans.models import PlanEvent

STATED_REASON_MAX_LENGTH = 1000


def _figure_name(figure: StatedFigure) -> str:
    return f"{figure.label} {figure.column.year}"


def _figure_gone() -> ValidationError:
    return ValidationError(_("Den angivna summan finns inte längre. Ladda om sidan."))


def stated_figure_correct(*, figure: StatedFigure, amount: Decimal, by) -> StatedFigure:
    """Set the amount a document really printed for `figure` (kronor, as `finsam.money.parse_amount`
    reads it in the plan's unit). An unchanged amount writes nothing. Side effects: one UPDATE of the
    figure, one `PlanEvent`. Raises `ValidationError` for an amount beyond `MAX_AMOUNT` or a figure that
    no longer exists, `PlanLocked` for a plan that cannot change."""
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError(_("Beloppet är för stort."))
    with plan_change(figure.plan, by=by) as change:
        before = to_decimal(figure.amount)
        if before == amount:
            return figure
        if not StatedFigure.objects.filter(pk=figure.pk, plan=figure.plan).update(amount=sek(amount)):
            raise _figure_gone()
        figure.amount = sek(amount)
        change.record(
            PlanEvent.Action.EDITED,
            _("Angiven summa %(figure)s: %(before)s → %(after)s")
            % {
                "figure": _figure_name(figure),
                "before": format_kronor(before),
                "after": format_kronor(amount),
            },
            {"stated_figure": figure.pk, "before": str(before), "after": str(amount)},
        )
    return figure


def stated_figure_remove(*, figure: StatedFigure, by) -> None:
    """Remove a stated figure (finsam no longer compares it). Side effects: one DELETE, one `PlanEvent`
    with what it stated."""
    with plan_change(figure.plan, by=by) as change:
        deleted, _rows = StatedFigure.objects.filter(pk=figure.pk, plan=figure.plan).delete()
        if not deleted:
            raise _figure_gone()
        change.record(
            PlanEvent.Action.DELETED,
            _("Tog bort den angivna summan %(figure)s (%(amount)s)")
            % {"figure": _figure_name(figure), "amount": format_kronor(to_decimal(figure.amount))},
            {"stated_figure": figure.pk, "label": figure.label, "amount": str(to_decimal(figure.amount))},
        )


def stated_figure_dismiss(*, figure: StatedFigure, reason: str, print_note: bool, by) -> StatedFigure:
    """Mark `figure`'s deviation as the document's own error, with the chief's `reason` (required); it
    then shows as information, and `print_note` prints it under the budget table. Saving again changes
    the reason or the choice. Side effects: one UPDATE of the figure, one `PlanEvent`."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv varför avvikelsen är dokumentets eget fel.")})
    if "\x00" in reason:  # no database stores it in text, and no person types it
        raise ValidationError({"reason": _("Motiveringen innehåller ett tecken som inte kan sparas.")})
    if len(reason) > STATED_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Skriv högst %(count)s tecken (nu %(length)s).")
                % {"count": STATED_REASON_MAX_LENGTH, "length": len(reason)}
            }
        )
    with plan_change(figure.plan, by=by) as change:
        if (figure.dismissed_reason, figure.print_note) == (reason, print_note):
            return figure
        updated = StatedFigure.objects.filter(pk=figure.pk, plan=figure.plan).update(
            dismissed_reason=reason, print_note=print_note
        )
        if not updated:
            raise _figure_gone()
        figure.dismissed_reason, figure.print_note = reason, print_note
        change.record(
            PlanEvent.Action.EDITED,
            _("Angiven summa %(figure)s markerad som dokumentets eget fel")
            % {"figure": _figure_name(figure)},
            {"stated_figure": figure.pk, "reason": reason, "print_note": print_note},
        )
    return figure


def stated_figure_restore(*, figure: StatedFigure, by) -> StatedFigure:
    """Undo `stated_figure_dismiss`: the deviation is a warning again and prints no note. Side effects:
    one UPDATE of the figure, one `PlanEvent`."""
    with plan_change(figure.plan, by=by) as change:
        if not figure.is_dismissed:
            return figure
        if not StatedFigure.objects.filter(pk=figure.pk, plan=figure.plan).update(
            dismissed_reason="", print_note=False
        ):
            raise _figure_gone()
        figure.dismissed_reason, figure.print_note = "", False
        change.record(
            PlanEvent.Action.EDITED,
            _("Angiven summa %(figure)s är inte längre markerad som dokumentets eget fel")
            % {"figure": _figure_name(figure)},
            {"stated_figure": figure.pk, "reason": "", "print_note": False},
        )
    return figure
