"""The rules of a contribution key (the split of the municipalities' 25 %): names, weights that add up
to 100, values for member municipalities only. Checked before anything is written (`budgets.services`)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from budgets.queries import member_municipalities
from finsam.models import Organisation
from finsam.money import round_half_up
from plans.models import Plan

HUNDRED = Decimal(100)
# ContributionKeyValue.value: 14 digits, 4 of them decimals.
MAX_KEY_VALUE = Decimal("9999999999.9999")


def member_municipalities_by_id(plan: Plan) -> dict[int, Organisation]:
    """The association's member municipalities by id: the only organisations a key can name."""
    return {org.pk: org for org in member_municipalities(plan)}


def as_decimal(value) -> Decimal | None:
    """A number given by code or a form (Decimal, int, or text with a decimal comma or point), or None."""
    try:
        number = Decimal(str(value).strip().replace(",", ".").replace(" ", "").replace("\u00a0", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def clean_contribution_key(plan: Plan, factors: list[tuple]) -> list[tuple[str, Decimal, list]]:
    """`factors` as `(name, weight, [(organisation, value), ...])` with every value a `Decimal`, or
    `ValidationError` listing every problem (Swedish)."""
    municipalities = member_municipalities_by_id(plan)
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
        weight_value = as_decimal(weight)
        if (
            weight_value is None
            or not 0 <= weight_value <= HUNDRED
            or weight_value != round_half_up(weight_value, 2)
        ):
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
            number = as_decimal(value)
            if number is None or not 0 <= number <= MAX_KEY_VALUE or number != round_half_up(number, 4):
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
    return cleaned
