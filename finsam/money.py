"""Money in finsam: Swedish kronor, whole kronor, stored with django-money.

All amounts are whole kronor (a plan's budget is never more precise than that). Arithmetic happens on
`Decimal`; `Money` is what the database and forms hold. Display formatting lives in `budgets.formatting`.
"""

from decimal import ROUND_HALF_UP, Decimal

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


def to_decimal(value) -> Decimal:
    """A `Money`, `Decimal`, int or None (as `Sum()` returns) as whole kronor `Decimal`."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Money):
        value = value.amount
    return Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def sek(value) -> Money:
    return Money(to_decimal(value), CURRENCY)
