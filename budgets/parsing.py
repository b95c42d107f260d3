"""What a person types as an amount, read into whole kronor.

`parse_amount("1 258 500", "kr")` and `parse_amount("1258,5", "tkr")` both give `Decimal("1258500")`.
Accepted: digits with spaces (ordinary, no-break, thin) between groups of three, a decimal comma, a
leading minus (hyphen, real minus sign or dash) or plus, and an optional unit suffix ("kr" or "tkr") that
overrides the plan's unit. Refused with a Swedish `ValidationError`, never anything else: letters,
decimal points (ambiguous between "1.258" as thousands and as decimals), parts of a krona, misplaced
thousands separators and amounts beyond `finsam.money.MAX_AMOUNT`.

`amount_input_text` is the inverse: the exact value as it is put back into an input, in the plan's unit,
never rounded (an input that rounded would save the rounded value on the next edit).
"""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from budgets.formatting import format_number
from finsam.money import MAX_AMOUNT

# Far longer than any real amount ("−999 999 999 999 tkr"); refuses pasted essays before any work.
MAX_INPUT_LENGTH = 40
SPACES = re.compile(r"[ \u00a0\u202f\u2009\u2007\t]+")
MINUSES = "-\u2212\u2013\u2012"
NUMBER = re.compile(r"(?P<sign>[+-]?)(?P<whole>[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)(?:,(?P<fraction>[0-9]+))?")
UNIT_FACTOR = {"kr": Decimal(1), "tkr": Decimal(1000)}


def parse_amount(text: str, unit: str) -> Decimal:
    """The amount typed in `text`, in the plan's `unit` ("kr" or "tkr"), as whole kronor.

    Raises `ValidationError` (Swedish message) for anything that is not an amount of whole kronor.
    """
    if unit not in UNIT_FACTOR:
        raise ValueError(f"unknown unit {unit!r}")
    if not isinstance(text, str):
        raise ValidationError(_("Skriv ett belopp."), code="required")
    if len(text) > MAX_INPUT_LENGTH:
        raise ValidationError(_("Beloppet är för stort."), code="too_large")
    cleaned = SPACES.sub(" ", text).strip()
    for minus in MINUSES[1:]:
        cleaned = cleaned.replace(minus, "-")
    lowered = cleaned.lower()
    if lowered.endswith("tkr"):
        unit, cleaned = "tkr", cleaned[:-3].rstrip()
    elif lowered.endswith("kr"):
        unit, cleaned = "kr", cleaned[:-2].rstrip()
    if not cleaned:
        raise ValidationError(_("Skriv ett belopp."), code="required")
    if "." in cleaned:
        raise ValidationError(
            _("Skriv decimaler med komma och tusental med mellanslag, till exempel 1 258,5."),
            code="decimal_point",
        )
    # A sign may be followed by a space ("- 50"); spaces elsewhere must separate groups of three.
    cleaned = re.sub(r"^([+-]) ", r"\1", cleaned)
    match = NUMBER.fullmatch(cleaned)
    if match is None:
        if re.fullmatch(r"[+-]?[0-9 ]+(,[0-9]+)?", cleaned):
            raise ValidationError(
                _("Mellanslag i ett belopp ska skilja tusental åt, till exempel 1 258 500."),
                code="grouping",
            )
        raise ValidationError(
            _("Skriv ett belopp med siffror, till exempel 1 258 500 eller 1258,5."), code="invalid"
        )
    if unit == "kr" and match["fraction"] and len(match["fraction"]) == 3:
        # "12,000" is twelve thousand to someone used to English number formats: never guess.
        raise ValidationError(
            _("Skriv tusental med mellanslag, till exempel 12 000."), code="ambiguous_comma"
        )
    whole = match["whole"].replace(" ", "").lstrip("0") or "0"
    fraction = (match["fraction"] or "").rstrip("0")
    # Whole kronor: no öre, so at most three decimals in tkr. Checked on the digits, before any
    # arithmetic, so that Decimal's precision can never round a fraction away.
    if len(fraction) > (3 if unit == "tkr" else 0):
        if unit == "tkr":
            message = _("Beloppet ska vara hela kronor: högst tre decimaler i tkr.")
        else:
            message = _("Beloppet ska vara hela kronor, utan ören.")
        raise ValidationError(message, code="fraction")
    if len(whole) > 15:  # far beyond MAX_AMOUNT in either unit
        raise ValidationError(_("Beloppet är för stort."), code="too_large")
    value = Decimal(f"{whole}.{fraction or '0'}") * UNIT_FACTOR[unit]
    value = value.quantize(Decimal(1))
    if match["sign"] == "-":
        value = -value
    if abs(value) > MAX_AMOUNT:
        raise ValidationError(_("Beloppet är för stort."), code="too_large")
    return value + 0  # normalises -0 to 0


def amount_input_text(value: Decimal | None, unit: str) -> str:
    """The exact amount as an input shows it in `unit`: `1258500` → `1 258 500` (kr) or `1 258,5` (tkr)."""
    if value is None:
        return ""
    value = Decimal(value)
    if unit == "tkr":
        thousands = (value / 1000).normalize()
        decimals = max(0, -thousands.as_tuple().exponent)
        return format_number(thousands, decimals=decimals)
    return format_number(value)
