"""Writes of the year's follow-up (budgets.followup): a row's outcome in a period, its forecast and comment.

The adopted plan is locked for content edits (`plans.gateway`), and stays so: the follow-up is not part of
the plan but its own record, written while the plan is adopted. Each write still goes through the plan's
write gateway, as a step that locks the plan's row without refusing it (`lifecycle`), so that the rule
below is checked against the plan's state as it is under the lock and the change shows in the plan's
history; the plan's content, version and last-changed date are untouched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from budgets.models import FollowUp, FollowUpForecast, FollowUpOutcome
from finsam.editing import StaleVersion, versioned_update
from finsam.money import format_kronor, sek, to_decimal
from plans.gateway import PlanChange, followup_refusal, plan_change, plan_takes_followup
from plans.models import Plan, PlanEvent

COMMENT_LENGTH = 500


class FollowUpClosed(PermissionDenied):
    """The plan is not the adopted budget of its year, or its year is closed (answered as 403, saying why)."""

    def __init__(self, reason: str):
        super().__init__(reason)


def followup_is_open(plan: Plan) -> bool:
    """The rule: the follow-up of a year is entered against its adopted plan only (not a draft, not a
    version a revised budget superseded): the gateway's rule."""
    return plan_takes_followup(plan)


def followup_refuse_unless_open(plan: Plan) -> None:
    """`FollowUpClosed`, saying why, unless the follow-up of `plan` may be entered (`followup_is_open`)."""
    refusal = followup_refusal(plan)
    if refusal:
        raise FollowUpClosed(refusal)


@contextmanager
def followup_change(plan: Plan, *, by) -> Iterator[tuple[PlanChange, FollowUp]]:
    """A change of `plan`'s follow-up, with the year's `FollowUp` (created on the first entry). Refused with
    `FollowUpClosed` at once and again under the plan's row lock."""
    followup_refuse_unless_open(plan)
    with plan_change(plan, by=by, lifecycle="followup") as change:
        followup_refuse_unless_open(plan)
        followup, _created = FollowUp.objects.get_or_create(
            association_id=plan.association_id,
            year=plan.first_year,
            defaults={"period": plan.association.followup_period},
        )
        yield change, followup


def _text(value: Decimal | None) -> str:
    return _("tom") if value is None else format_kronor(value)


def followup_outcome_update(
    *, plan: Plan, row: str, label: str, period: int, amount: Decimal | None, expected_version: int, by
) -> FollowUpOutcome | None:
    """Set the outcome of budget row `row` (a `budgets.followup.row_key`, named `label`) in `period` (None
    empties it) if nobody changed it since `expected_version` (0: empty). Raises `ValidationError` for a
    period the year's follow-up does not have, `StaleVersion` (with the outcome as it is now) on a conflict,
    `FollowUpClosed` unless the plan is adopted. Side effects: one INSERT, UPDATE or DELETE of a
    `FollowUpOutcome` (and the year's `FollowUp` on the first entry), one `PlanEvent`."""
    with followup_change(plan, by=by) as (change, followup):
        if not 1 <= period <= followup.period_count:
            raise ValidationError(_("Uppföljningen har ingen sådan period."))
        current = FollowUpOutcome.objects.filter(followup=followup, row=row, period=period).first()
        if (current.version if current else 0) != expected_version:
            raise StaleVersion(current)
        before = to_decimal(current.amount) if current else None
        if before == amount:
            return current
        if current is None:
            try:
                with transaction.atomic():
                    saved = FollowUpOutcome.objects.create(
                        followup=followup, row=row, period=period, amount=sek(amount)
                    )
            except IntegrityError:
                raise StaleVersion(
                    FollowUpOutcome.objects.filter(followup=followup, row=row, period=period).first()
                ) from None
        elif amount is None:
            deleted, _rows = FollowUpOutcome.objects.filter(pk=current.pk, version=expected_version).delete()
            if not deleted:
                raise StaleVersion(FollowUpOutcome.objects.filter(pk=current.pk).first())
            saved = None
        else:
            saved = versioned_update(current, expected_version=expected_version, amount=sek(amount))
        change.record(
            PlanEvent.Action.EDITED,
            _("Utfall: %(line)s, period %(period)s %(year)s: %(before)s → %(after)s")
            % {
                "line": label,
                "period": period,
                "year": followup.year,
                "before": _text(before),
                "after": _text(amount),
            },
            {"followup": row, "period": period, "before": _plain(before), "after": _plain(amount)},
        )
        return saved


UNCHANGED = object()  # an argument of `followup_forecast_update` that keeps what is stored


def followup_forecast_update(
    *, plan: Plan, row: str, label: str, amount=UNCHANGED, comment=UNCHANGED, expected_version: int, by
) -> FollowUpForecast | None:
    """Set the whole-year forecast of budget row `row` (a `Decimal`, or None: the forecast is the budget
    again) and/or the chief's comment on it, each kept as stored where `UNCHANGED`, if nobody changed either
    since `expected_version` (0: none stored). Neither left: the row is removed. Raises `ValidationError` for
    a comment that is too long, `StaleVersion` on a conflict, `FollowUpClosed` unless the plan is adopted.
    Side effects: one INSERT, UPDATE or DELETE of a `FollowUpForecast` (and the year's `FollowUp` on the
    first entry), one `PlanEvent`."""
    if comment is not UNCHANGED:
        comment = comment.strip()
        if len(comment) > COMMENT_LENGTH:
            raise ValidationError(
                _("Kommentaren får vara högst %(length)s tecken.") % {"length": COMMENT_LENGTH}
            )
    with followup_change(plan, by=by) as (change, followup):
        current = FollowUpForecast.objects.filter(followup=followup, row=row).first()
        if (current.version if current else 0) != expected_version:
            raise StaleVersion(current)
        before = to_decimal(current.amount) if current and current.amount is not None else None
        before_comment = current.comment if current else ""
        amount = before if amount is UNCHANGED else amount
        comment = before_comment if comment is UNCHANGED else comment
        if before == amount and before_comment == comment:
            return current
        value = None if amount is None else sek(amount)
        if current is None:
            try:
                with transaction.atomic():
                    saved = FollowUpForecast.objects.create(
                        followup=followup, row=row, amount=value, comment=comment
                    )
            except IntegrityError:
                raise StaleVersion(
                    FollowUpForecast.objects.filter(followup=followup, row=row).first()
                ) from None
        elif amount is None and not comment:
            deleted, _rows = FollowUpForecast.objects.filter(pk=current.pk, version=expected_version).delete()
            if not deleted:
                raise StaleVersion(FollowUpForecast.objects.filter(pk=current.pk).first())
            saved = None
        else:
            saved = versioned_update(
                current, expected_version=expected_version, amount=value, comment=comment
            )
        if before != amount:
            summary = _("Prognos %(year)s: %(line)s: %(before)s → %(after)s") % {
                "line": label,
                "year": followup.year,
                "before": _text(before),
                "after": _text(amount),
            }
        else:
            summary = _("Prognos %(year)s: %(line)s: ny kommentar") % {"line": label, "year": followup.year}
        change.record(
            PlanEvent.Action.EDITED,
            summary,
            {
                "followup": row,
                "forecast": True,
                "before": _plain(before),
                "after": _plain(amount),
                "comment": comment,
            },
        )
        return saved


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
