"""How amounts print: the Swedish way, in the plan's unit, in one place.

Kronor print as `1 258 500`, thousands as `1 258,5` (one decimal) or `1 259` (none), with a no-break
space between thousands so a number never wraps. Rounding is half up (never Babel's banker's rounding).
Rounding policy: every printed figure, totals included, is the exact kronor value rounded once; a
total is never the sum of rounded rows. Where that makes a printed column disagree with the sum of its
printed rows, `rounding_notes` says so and the page prints the note.
"""

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
MINUS = "\u2212"  # a real minus sign, as typeset documents use


def scaled(value: Decimal, *, unit: str, decimals: int) -> Decimal:
    """The value in the unit shown, rounded half up to what is printed."""
    if unit == "tkr":
        return (Decimal(value) / 1000).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def group_thousands(digits: str) -> str:
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    return NBSP.join(groups)


def format_number(value: Decimal, *, decimals: int = 0) -> str:
    """`Decimal('-1258.5')` → `−1 258,5` (no-break spaces, decimal comma, minus sign)."""
    quantised = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
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
