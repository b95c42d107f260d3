"""Writes to a plan's member contributions: the key that splits the municipalities' 25 %, and the chief's
overrides of a computed part. Each function checks its input (Swedish `ValidationError`, nothing saved)
and writes through the plan's write gateway (`plans.gateway.plan_change`), which records the PlanEvent. The split itself is computed in `budgets.calc`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from budgets.models import BudgetColumn, ContributionKeyFactor, ContributionKeyValue, ContributionOverride
from finsam.models import Organisation
from finsam.money import MAX_AMOUNT, format_kronor, sek, to_decimal
from plans.gateway import plan_change
from plans.models import Plan, PlanEvent

HUNDRED = Decimal(100)
# ContributionKeyValue.value: 14 digits, 4 of them decimals.
MAX_KEY_VALUE = Decimal("9999999999.9999")


def member_municipalities(plan: Plan) -> dict[int, Organisation]:
    """The association's member municipalities by id: the only organisations a key can name."""
    return {
        org.pk: org
        for org in plan.association.organisations.filter(is_member=True, kind=Organisation.Kind.MUNICIPALITY)
    }


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def contribution_key_set(*, plan: Plan, factors: list[tuple], by) -> list[ContributionKeyFactor]:
    """Replace the plan's contribution key with `factors`, all at once.

    `factors` is a list of `(name, weight_percent, {organisation: value})`, for example
    `[("Befolkning 16–64 år", 25, {filipstad: 6000, storfors: 2400}), ("Försörjningsmått", 75, {...})]`;
    fixed shares are one factor of weight 100 whose values are the shares. An empty list removes the key
    (the municipalities then share one row). Weights must add up to 100; values name only the
    association's member municipalities. Side effects: deletes the old factors and values, inserts the new
    ones, records an "edited" PlanEvent. Raises ValidationError (Swedish, every problem listed) before
    anything is written.
    """
    municipalities = member_municipalities(plan)
    errors: list[str] = []
    cleaned: list[tuple[str, Decimal, list[tuple[Organisation, Decimal]]]] = []
    seen_names: set[str] = set()
    for position, (name, weight, values) in enumerate(factors, start=1):
        name = (name or "").strip()
        label = name or _("fördelningsgrund %(number)s") % {"number": position}
        if not name:
            errors.append(_("Ange ett namn för fördelningsgrund %(number)s.") % {"number": position})
        elif name.lower() in seen_names:
            errors.append(_("Fördelningsgrunden ”%(name)s” finns två gånger.") % {"name": name})
        elif len(name) > 200:
            errors.append(_("Namnet ”%(name)s…” är för långt (högst 200 tecken).") % {"name": name[:40]})
        seen_names.add(name.lower())
        weight_value = _decimal(weight)
        if weight_value is None or not 0 <= weight_value <= HUNDRED or weight_value != round(weight_value, 2):
            errors.append(
                _("Vikten för ”%(name)s” ska vara ett tal mellan 0 och 100 med högst två decimaler.")
                % {"name": label}
            )
            weight_value = None
        factor_values = []
        for organisation, value in (values or {}).items():
            org_id = getattr(organisation, "pk", organisation)
            if org_id not in municipalities:
                org_name = getattr(organisation, "name", str(organisation))
                errors.append(
                    _("%(organisation)s är inte en medlemskommun i förbundet och kan inte ingå i nyckeln.")
                    % {"organisation": org_name}
                )
                continue
            number = _decimal(value)
            if number is None or not 0 <= number <= MAX_KEY_VALUE or number != round(number, 4):
                errors.append(
                    _("Värdet för %(organisation)s i ”%(name)s” ska vara ett tal som är noll eller större.")
                    % {"organisation": municipalities[org_id].name, "name": label}
                )
                continue
            factor_values.append((municipalities[org_id], number))
        cleaned.append((name, weight_value, factor_values))
    weights = [weight for _name, weight, _values in cleaned]
    if cleaned and None not in weights and sum(weights) != HUNDRED:
        errors.append(
            _("Vikterna summerar till %(sum)s %%; de ska summera till 100 %%.")
            % {"sum": f"{sum(weights).normalize():f}".replace(".", ",")}
        )
    if errors:
        raise ValidationError(errors)

    with plan_change(plan, by=by) as change:
        change.lock_now()  # one key change at a time
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
    municipalities = member_municipalities(column.plan)
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
        and len(member_municipalities(plan)) > 1
        and not plan.contribution_factors.filter(values__value__gt=0).exists()
    ):
        raise ValidationError(
            _(
                "Planen har ingen fördelningsnyckel, så kommunerna har en gemensam rad. Justera "
                "kommunernas gemensamma del eller lägg in en fördelningsnyckel först."
            )
        )
    number = _decimal(amount)
    if number is None or number != number.to_integral_value() or not 0 <= number <= MAX_AMOUNT:
        raise ValidationError(_("Beloppet ska vara hela kronor, noll eller mer."))
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ValidationError(_("Skälet får vara högst 300 tecken."))

    with plan_change(plan, by=by) as change:
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
    *, column: BudgetColumn, part: str, organisation: Organisation | None = None, by
) -> bool:
    """Remove an override, so the computed part applies again. Returns whether there was one.

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
