"""Writes of the members' contributions: the contribution key and the per-member overrides, each through
the plan's write gateway, checked against what the form was filled in from (fingerprints)."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from budgets.contribution_key import as_decimal, clean_contribution_key, member_municipalities_by_id
from budgets.models import (
    BudgetColumn,
    ContributionKeyFactor,
    ContributionKeyValue,
    ContributionOverride,
)
from finsam.editing import StaleVersion
from finsam.models import Organisation
from finsam.money import MAX_AMOUNT, format_kronor, sek, to_decimal
from plans.gateway import plan_change
from plans.models import Plan, PlanEvent

# --- Member contributions: the key and the overrides -------------------------------------------------------


def contribution_key_set(
    *, plan: Plan, factors: list[tuple], by, expected_fingerprint: str | None = None
) -> list[ContributionKeyFactor]:
    """Replace the plan's contribution key with `factors`, all at once.

    `factors` is a list of `(name, weight_percent, {organisation: value})`, for example
    `[("Befolkning 16–64 år", 25, {filipstad: 6000, storfors: 2400}), ("Försörjningsmått", 75, {...})]`;
    fixed shares are one factor of weight 100 whose values are the shares. An empty list removes the key
    (the municipalities then share one row). Weights must add up to 100; values name only the
    association's member municipalities. Side effects: deletes the old factors and values, inserts the new
    ones, records an "edited" PlanEvent. Raises ValidationError (Swedish, every problem listed) before
    anything is written.
    """
    cleaned = clean_contribution_key(plan, factors)
    with plan_change(plan, by=by) as change:
        change.lock_now()  # one key change at a time
        if expected_fingerprint is not None and expected_fingerprint != key_fingerprint(plan):
            raise StaleVersion(None)  # the key changed since the page was shown
        plan.contribution_factors.all().delete()
        created = ContributionKeyFactor.objects.bulk_create(
            ContributionKeyFactor(plan=plan, name=name, weight_percent=weight, position=position)
            for position, (name, weight, _values) in enumerate(cleaned)
        )
        ContributionKeyValue.objects.bulk_create(
            ContributionKeyValue(factor=factor, organisation=organisation, value=value)
            for factor, (_name, _weight, values) in zip(created, cleaned, strict=True)
            for organisation, value in values
        )
        summary = (
            _("Ändrade fördelningsnyckeln för kommunernas medlemsavgifter: %(factors)s.")
            % {"factors": ", ".join(f"{name} {weight.normalize():f} %" for name, weight, _values in cleaned)}
            if cleaned
            else _("Tog bort fördelningsnyckeln för kommunernas medlemsavgifter.")
        )
        change.record(
            PlanEvent.Action.EDITED,
            summary,
            {
                "contribution_key": [
                    {
                        "name": name,
                        "weight_percent": str(weight),
                        "values": {organisation.name: str(value) for organisation, value in values},
                    }
                    for name, weight, values in cleaned
                ]
            },
        )
    return created


def _part_label(part: str, organisation: Organisation | None) -> str:
    if part == ContributionOverride.Part.MUNICIPALITY and organisation is not None:
        return organisation.name
    return ContributionOverride.Part(part).label


def _clean_part(*, column: BudgetColumn, part: str, organisation) -> Organisation | None:
    """Check `part` and `organisation` for `column`'s plan; return the organisation (or None)."""
    if part not in ContributionOverride.Part.values:
        raise ValidationError(_("Okänd del av medlemsavgifterna."))
    if part != ContributionOverride.Part.MUNICIPALITY:
        if organisation is not None:
            raise ValidationError(_("Bara en enskild kommuns del justeras för en organisation."))
        return None
    municipalities = member_municipalities_by_id(column.plan)
    org_id = getattr(organisation, "pk", organisation)
    if org_id not in municipalities:
        raise ValidationError(_("Välj en av förbundets medlemskommuner."))
    return municipalities[org_id]


def contribution_override_set(
    *,
    column: BudgetColumn,
    part: str,
    organisation: Organisation | None = None,
    amount,
    reason: str = "",
    by,
    expected_fingerprint: str | None = None,
) -> ContributionOverride:
    """Replace one computed contribution part of `column` by `amount` (whole kronor); shown as overridden.

    `part`: state, region, municipalities (the municipalities' 25 % together, still split by the key) or
    municipality (one member municipality's part: `organisation`; only where the municipalities are split
    per municipality, i.e. with a key, or where there is only one). Side effects: inserts or updates the
    override, records an "edited" PlanEvent.
    """
    plan = column.plan
    organisation = _clean_part(column=column, part=part, organisation=organisation)
    if (
        part == ContributionOverride.Part.MUNICIPALITY
        and len(member_municipalities_by_id(plan)) > 1
        and not plan.contribution_factors.filter(values__value__gt=0).exists()
    ):
        raise ValidationError(
            _(
                "Planen har ingen fördelningsnyckel, så kommunerna har en gemensam rad. Justera "
                "kommunernas gemensamma del eller lägg in en fördelningsnyckel först."
            )
        )
    number = as_decimal(amount)
    if number is None or number != number.to_integral_value() or not 0 <= number <= MAX_AMOUNT:
        raise ValidationError(_("Beloppet ska vara hela kronor, noll eller mer."))
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ValidationError(_("Skälet får vara högst 300 tecken."))

    with plan_change(plan, by=by) as change:
        change.lock_now()  # the overrides and the totals they replace parts of, compared as a whole
        if expected_fingerprint is not None and expected_fingerprint != overrides_fingerprint(plan):
            raise StaleVersion(None)
        existing = (
            ContributionOverride.objects.select_for_update()
            .filter(column=column, part=part, organisation=organisation)
            .first()
        )
        previous = None if existing is None else to_decimal(existing.amount)
        try:
            with transaction.atomic():
                if existing is None:
                    override = ContributionOverride.objects.create(
                        column=column, part=part, organisation=organisation, amount=sek(number), reason=reason
                    )
                else:
                    existing.amount = sek(number)
                    existing.reason = reason
                    existing.version += 1
                    existing.save(update_fields=["amount", "amount_currency", "reason", "version"])
                    override = existing
        except IntegrityError as error:  # someone created the same override at the same moment
            raise ValidationError(_("Någon annan justerade samma del samtidigt. Ladda om sidan.")) from error
        label = _part_label(part, organisation)
        change.record(
            PlanEvent.Action.EDITED,
            _("Justerade medlemsavgiften %(year)s för %(part)s till %(amount)s.")
            % {"year": column.year, "part": label, "amount": format_kronor(number)},
            {
                "contribution_override": {
                    "year": column.year,
                    "part": part,
                    "organisation": organisation.pk if organisation else None,
                    "amount": str(number),
                    "previous": None if previous is None else str(previous),
                    "reason": reason,
                }
            },
        )
    return override


def contribution_override_clear(
    *,
    column: BudgetColumn,
    part: str,
    organisation: Organisation | None = None,
    by,
    expected_version: int | None = None,
) -> bool:
    """Remove an override, so the computed part applies again. Returns whether there was one.
    With `expected_version`, `StaleVersion` unless the override is still at that version.

    Side effects: deletes the override and records a "deleted" PlanEvent (nothing when there was none).
    """
    plan = column.plan
    organisation = _clean_part(column=column, part=part, organisation=organisation)
    with plan_change(plan, by=by) as change:
        override = (
            ContributionOverride.objects.select_for_update()
            .filter(column=column, part=part, organisation=organisation)
            .first()
        )
        if expected_version is not None and (override is None or override.version != expected_version):
            raise StaleVersion(override)
        if override is None:
            return False
        amount = to_decimal(override.amount)
        override.delete()
        change.record(
            PlanEvent.Action.DELETED,
            _("Tog bort justeringen av medlemsavgiften %(year)s för %(part)s; det beräknade beloppet gäller.")
            % {"year": column.year, "part": _part_label(part, organisation)},
            {
                "contribution_override": {
                    "year": column.year,
                    "part": part,
                    "organisation": organisation.pk if organisation else None,
                    "amount": str(amount),
                }
            },
        )
    return True


def key_fingerprint(plan: Plan) -> str:
    """A short digest of the plan's key as it is stored now."""
    values = ContributionKeyValue.objects.filter(factor__plan=plan).order_by("factor_id", "organisation_id")
    parts = [
        f"{factor.pk}:{factor.name}:{factor.weight_percent}"
        for factor in plan.contribution_factors.order_by("position", "id")
    ] + [f"{value.factor_id}:{value.organisation_id}:{value.value}" for value in values]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def overrides_fingerprint(plan: Plan) -> str:
    """A short digest of the plan's overrides and the totals they replace parts of."""
    parts = [
        f"{column.pk}:{column.version}:{column.contributions_total}"
        for column in plan.budget_columns.order_by("pk")
    ] + [
        f"{override.pk}:{override.version}"
        for override in ContributionOverride.objects.filter(column__plan=plan).order_by("pk")
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
