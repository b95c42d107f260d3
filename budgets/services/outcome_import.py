"""Writes of the outcome import (budgets.outcome_import): the association's account mapping, and the
import itself, which stores the preview's outcome through the follow-up's own change
(`budgets.services.followup.followup_change`): the plan's row lock, the adopted-only rule, one transaction
(all or nothing) and one entry in the plan's history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from budgets.models import FollowUpOutcome, OutcomeMapping
from budgets.outcome_import import OutcomePreview
from budgets.services.followup import followup_change
from finsam.money import sek
from plans.models import Plan, PlanEvent


def outcome_rules(association) -> dict[tuple[str, str, str], str]:
    """The association's mapping as (account prefix, dimension, object code) → row key. One query."""
    return {
        (rule.account, rule.dimension, rule.object_code): rule.row
        for rule in OutcomeMapping.objects.filter(association=association)
    }


def outcome_mapping_set(*, association, account: str, dimension: str, code: str, row: str | None) -> None:
    """Map an account (or one object's part of it) to follow-up row `row`; None removes the rule. The
    caller checks that `row` is a row of the follow-up and that the user is the chief."""
    if not account.isdigit() or len(account) > 10:
        raise ValidationError(_("Kontot ska vara ett kontonummer eller början av ett."))
    if dimension not in OutcomeMapping.Dimension.values or bool(dimension) != bool(code) or len(code) > 40:
        raise ValidationError(_("Okänt objekt."))
    where = {"association": association, "account": account, "dimension": dimension, "object_code": code}
    with transaction.atomic():
        if row is None:
            OutcomeMapping.objects.filter(**where).delete()
        else:
            OutcomeMapping.objects.update_or_create(**where, defaults={"row": row})


def outcome_import_apply(*, plan: Plan, preview: OutcomePreview, by) -> int:
    """Store the preview: for every row it fills, the outcome of each period the file covers is replaced
    (an empty period's stored outcome is removed). Returns the number of cells written. Raises
    `FollowUpClosed` unless the plan is adopted; changes nothing unless all of it is stored."""
    periods = preview.periods
    written = 0
    with followup_change(plan, by=by) as (change, followup):
        if followup.period_count != preview.period_count:
            raise ValidationError(_("Uppföljningens perioder har ändrats. Ladda upp filen igen."))
        change.lock_now()  # a whole list is replaced: no other change of the plan in between
        stored = {
            (outcome.row, outcome.period): outcome
            for outcome in FollowUpOutcome.objects.filter(
                followup=followup, row__in=list(preview.rows), period__in=periods
            )
        }
        for row, amounts in preview.rows.items():
            for period in periods:
                amount = amounts[period - 1]
                current = stored.get((row, period))
                if current is not None and not amount:
                    current.delete()
                elif current is not None:
                    FollowUpOutcome.objects.filter(pk=current.pk).update(
                        amount=sek(amount), version=F("version") + 1
                    )
                elif amount:
                    FollowUpOutcome.objects.create(
                        followup=followup, row=row, period=period, amount=sek(amount)
                    )
                else:
                    continue
                written += 1
        change.record(
            PlanEvent.Action.EDITED,
            _("Utfall %(year)s importerat från %(source)s: %(rows)s rader, perioderna %(first)s–%(last)s")
            % {
                "year": followup.year,
                "source": preview.balances.source,
                "rows": len(preview.rows),
                "first": periods[0] if periods else 0,
                "last": periods[-1] if periods else 0,
            },
            {
                "followup_import": preview.balances.source,
                "periods": periods,
                "rows": {row: [str(a) for a in amounts] for row, amounts in preview.rows.items()},
            },
        )
    return written
