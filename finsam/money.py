"""Money in finsam: Swedish kronor, whole kronor, stored with django-money; read and printed the Swedish way.

All amounts are whole kronor (a plan's budget is never more precise than that). Arithmetic happens on
`Decimal`; `Money` is what the database and forms hold. This module is the one place that
- rounds (`round_half_up`: half away from zero, never Babel's banker's rounding),
- prints amounts (`format_number`, `format_amount`, `format_kronor`, `format_tkr`), and
- reads what a person types as an amount (`parse_amount`, and its inverse `amount_input_text`).

Printing: kronor print as `1 258 500`, thousands as `1 258,5` (one decimal) or `1 259` (none), with a
no-break space between thousands so a number never wraps, a decimal comma, and a real minus sign (`−`).
Every printed figure is its exact kronor value rounded **once**, half up, to the unit and decimals shown;
zero never prints with a sign. `budgets.rounding` reports where a printed total differs from the sum of
its printed rows.

Reading: `parse_amount`'s messages give their examples in the plan's unit (`1 258 500` in kr, `1 258,5` in
tkr). `parse_number("33,33", decimals=2)` reads a number that is not an amount (a key's weight or
value). `parse_amount("1 258 500", "kr")` and `parse_amount("1258,5", "tkr")` both give
`Decimal("1258500")`. Accepted: digits with spaces (ordinary, no-break, thin) between groups of three, a
decimal comma, a leading minus (hyphen, real minus sign or dash) or plus, and an optional unit suffix
("kr" or "tkr") that overrides the plan's unit. Refused with a Swedish `ValidationError`, never anything
else: letters, decimal points (ambiguous between "1.258" as thousands and as decimals), parts of a krona,
misplaced thousands separators and amounts beyond `MAX_AMOUNT`.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from djmoney.models.fields import MoneyField
from djmoney.money import Money

CURRENCY = "SEK"
# Twelve digits of kronor: far above any association's budget, far below overflow.
MAX_AMOUNT = Decimal("999999999999")


def money_field(verbose_name, **kwargs) -> MoneyField:
    kwargs.setdefault("max_digits", 14)
    kwargs.setdefault("decimal_places", 0)
    return MoneyField(
        verbose_name,
        default_currency=CURRENCY,
        currency_choices=[(CURRENCY, CURRENCY)],
        **kwargs,
    )


# The quantum of each number of decimals, built once: rounding runs thousands of times per budget page.
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}


def round_half_up(value, places: int = 0) -> Decimal:
    """`value` rounded to `places` decimals, half away from zero (2,5 → 3, −2,5 → −3): the one rounding mode."""
    if not isinstance(value, Decimal):
        value = Decimal(value)
    return value.quantize(_QUANTA.get(places) or Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def to_decimal(value) -> Decimal:
    """A `Money`, `Decimal`, int or None (as `Sum()` returns) as whole kronor `Decimal`."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Money):
        value = value.amount
    return round_half_up(value)


def sek(value) -> Money:
    return Money(to_decimal(value), CURRENCY)


# --- Printing ----------------------------------------------------------------------------------------

NBSP = "\u00a0"
MINUS = "\u2212"  # a real minus sign, as typeset documents use


def scaled(value: Decimal, *, unit: str, decimals: int) -> Decimal:
    """The value in the unit shown, rounded half up to what is printed."""
    if unit == "tkr":
        return round_half_up(Decimal(value) / 1000, decimals)
    return round_half_up(value)


def group_thousands(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return NBSP.join(groups)


def format_number(value: Decimal, *, decimals: int = 0) -> str:
    """`Decimal('-1258.5')` → `−1 258,5` (no-break spaces, decimal comma, minus sign)."""
    quantised = round_half_up(value, decimals)
    if quantised == 0:
        quantised = abs(quantised)  # never print "−0"
    sign = MINUS if quantised < 0 else ""
    whole, _, fraction = f"{abs(quantised):f}".partition(".")
    text = group_thousands(whole)
    if decimals:
        text += "," + (fraction or "0" * decimals)
    return sign + text


def format_amount(
    value: Decimal | None,
    *,
    unit: str = "kr",
    decimals: int = 0,
    negate: bool = False,
    blank: str = "",
) -> str:
    """A budget figure as printed in a table of the plan's unit (no unit suffix)."""
    if value is None:
        return blank
    value = Decimal(value)
    if negate:
        value = -value
    decimals = decimals if unit == "tkr" else 0
    return format_number(scaled(value, unit=unit, decimals=decimals), decimals=decimals)


def format_kronor(value: Decimal | None) -> str:
    """An amount in running text: `1 258 500 kr`."""
    if value is None:
        return ""
    return f"{format_number(Decimal(value))}{NBSP}kr"


def format_tkr(value: Decimal | None, decimals: int = 1) -> str:
    """An amount in thousands in running text: `1 258,5 tkr`."""
    if value is None:
        return ""
    return (
        f"{format_number(scaled(Decimal(value), unit='tkr', decimals=decimals), decimals=decimals)}{NBSP}tkr"
    )


# --- Reading -----------------------------------------------------------------------------------------

# Far longer than any real amount ("−999 999 999 999 tkr"); refuses pasted essays before any work.
MAX_INPUT_LENGTH = 40
SPACES = re.compile(r"[ \u00a0\u202f\u2009\u2007\t]+")
MINUSES = "-\u2212\u2013\u2012"
NUMBER = re.compile(r"(?P<sign>[+-]?)(?P<whole>[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)(?:,(?P<fraction>[0-9]+))?")
UNIT_FACTOR = {"kr": Decimal(1), "tkr": Decimal(1000), "mkr": Decimal(1_000_000)}
UNIT_DECIMALS = {"kr": 0, "tkr": 3, "mkr": 6}  # whole kronor at most
DOT_THOUSANDS = re.compile(r"[+-]?\(?[0-9]{1,3}(?:\.[0-9]{3})+\)?")


def parse_amount(text: str, unit: str, *, table: bool = False) -> Decimal:
    """The amount typed in `text`, in the plan's `unit` ("kr" or "tkr"; "mkr" for a table in millions),
    as whole kronor.

    `table`: the text is a cell of an imported table, which may also write a negative in parentheses
    ("(1 200)", as accounts print it) and group thousands with dots ("1.258.500"; a dot is never a decimal
    point there, Swedish tables write a decimal comma).
    Raises `ValidationError` (Swedish message) for anything that is not an amount of whole kronor.
    """
    if unit not in UNIT_FACTOR:
        raise ValueError(f"unknown unit {unit!r}")
    plan_unit = unit  # the hints' examples are in the plan's unit, whatever suffix was typed
    if not isinstance(text, str):
        raise ValidationError(_("Skriv ett belopp."), code="required")
    if len(text) > MAX_INPUT_LENGTH:
        raise ValidationError(_("Beloppet är för stort."), code="too_large")
    cleaned = SPACES.sub(" ", text).strip()
    for minus in MINUSES[1:]:
        cleaned = cleaned.replace(minus, "-")
    if table:
        if DOT_THOUSANDS.fullmatch(cleaned.replace(" ", "")):
            cleaned = cleaned.replace(".", " ")
        if cleaned.startswith("(") and cleaned.endswith(")") and not cleaned.startswith("(-"):
            cleaned = "-" + cleaned[1:-1].strip()
    lowered = cleaned.lower()
    if lowered.endswith("tkr"):
        unit, cleaned = "tkr", cleaned[:-3].rstrip()
    elif lowered.endswith("kr"):
        unit, cleaned = "kr", cleaned[:-2].rstrip()
    if not cleaned:
        raise ValidationError(_("Skriv ett belopp."), code="required")
    if "." in cleaned:
        raise ValidationError(
            _("Skriv decimaler med komma och tusental med mellanslag, till exempel 1 258,5.")
            if plan_unit == "tkr"
            else _("Skriv tusental med mellanslag, till exempel 1 258 500 (kronor utan decimaler)."),
            code="decimal_point",
        )
    # A sign may be followed by a space ("- 50"); spaces elsewhere must separate groups of three.
    cleaned = re.sub(r"^([+-]) ", r"\1", cleaned)
    match = NUMBER.fullmatch(cleaned)
    if match is None:
        if re.fullmatch(r"[+-]?[0-9 ]+(,[0-9]+)?", cleaned):
            raise ValidationError(
                _("Mellanslag i ett belopp ska skilja tusental åt, till exempel 1 258,5.")
                if plan_unit == "tkr"
                else _("Mellanslag i ett belopp ska skilja tusental åt, till exempel 1 258 500."),
                code="grouping",
            )
        raise ValidationError(
            _("Skriv ett belopp i tusental kronor med siffror, till exempel 1 258,5.")
            if plan_unit == "tkr"
            else _("Skriv ett belopp i kronor med siffror, till exempel 1 258 500."),
            code="invalid",
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
    if len(fraction) > UNIT_DECIMALS[unit]:
        if unit != "kr":
            message = _("Beloppet ska vara hela kronor: högst tre decimaler i tkr.")
        else:
            message = _("Beloppet ska vara hela kronor, utan ören.")
        raise ValidationError(message, code="fraction")
    if len(whole) > 15:  # far beyond MAX_AMOUNT in either unit
        raise ValidationError(_("Beloppet är för stort."), code="too_large")
    value = Decimal(f"{whole}.{fraction or '0'}") * UNIT_FACTOR[unit]
    value = round_half_up(value)  # exact already: the fraction was checked above
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


def parse_number(text: str, *, decimals: int) -> Decimal:
    """A number typed the Swedish way ("6 000", "33,33", "25 %") as a non-negative `Decimal`.

    Raises `ValidationError` (Swedish) for anything else."""
    cleaned = SPACES.sub("", text or "").removesuffix("%").replace("\u2212", "-")
    if not cleaned:
        raise ValidationError(_("Skriv ett tal."), code="required")
    if "." in cleaned:
        raise ValidationError(_("Skriv decimaler med komma, till exempel 12,5."), code="decimal_point")
    if not re.fullmatch(r"-?[0-9]+(,[0-9]+)?", cleaned):
        raise ValidationError(_("Skriv ett tal med siffror, till exempel 6 000 eller 12,5."), code="invalid")
    try:
        number = Decimal(cleaned.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern above admits only numbers
        raise ValidationError(_("Skriv ett tal med siffror."), code="invalid") from error
    if number < 0:
        raise ValidationError(_("Talet får inte vara negativt."), code="negative")
    if number != round_half_up(number, decimals):
        raise ValidationError(
            _("Skriv högst %(decimals)s decimaler.") % {"decimals": decimals}, code="decimals"
        )
    return number


def number_input_text(value: Decimal | None) -> str:
    """A stored number as it goes back into an input: `6000`, `12,5` (no trailing zeros)."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")
