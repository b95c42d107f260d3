"""Number slips: an amount typed into a budget cell that is probably not what was meant.

A slip is caught before it is saved, and the cell asks (`Slip.question`) instead of saving:
- **too large**: more than `LARGE_FACTOR` times the largest other amount of its row (or, in a row with no
  other amount, of its group in that column), or, in a plan kept in tkr, `TKR_LIMIT` tkr or more (an
  amount typed in kronor: `1 258 500` meant as 1 258,5 tkr). The suggested reading is the typed number
  divided by 1000 (kronor typed where thousands were meant) when that fits the row; otherwise the
  question has no suggestion and only asks whether the typed amount is right;
- **negative** in a cost or revenue line: it lowers the section's total. The suggested reading is the
  positive amount. In a plan that prints costs as negative numbers (`costs_negative`), a negative cost is
  what the document shows: it is read as the cost, without asking, and `Reading.note` says so.

`amount_reading` is a pure function of values already loaded (no query), so that any amount cell can use
it; `neighbour_amounts` picks a cell's neighbours out of amounts loaded once. The save protocol (ask,
then save the suggested or the typed reading) is in `budgets.views.grid`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from finsam.money import NBSP, amount_input_text, round_half_up

LARGE_FACTOR = 100
TKR_LIMIT = Decimal(100_000)  # in tkr: 100 million kronor on one line of a samordningsförbund's budget
COSTS, REVENUE = "costs", "revenue"  # BudgetGroup.Section's values

# What the confirmation of a question posts (`confirm=`): the suggested reading or the amount as typed.
CONFIRM_SUGGESTED, CONFIRM_TYPED = "suggested", "typed"
CONFIRMATIONS = (CONFIRM_SUGGESTED, CONFIRM_TYPED)


@dataclass(frozen=True)
class Slip:
    """Why an amount is asked about, the amount as typed and the reading suggested instead (or None)."""

    kind: str  # "large" | "negative"
    question: str  # Swedish, in the plan's unit
    typed: Decimal
    suggested: Decimal | None
    unit: str

    @property
    def typed_shown(self) -> str:
        return shown(self.typed, self.unit)

    @property
    def suggested_shown(self) -> str:
        return "" if self.suggested is None else shown(self.suggested, self.unit)

    @property
    def suggested_text(self) -> str:
        """The suggestion as an input holds it, posted back with `confirm=suggested`."""
        return amount_input_text(self.suggested, self.unit)


@dataclass(frozen=True)
class Reading:
    """How a typed amount is read: `amount` is what saving it as typed stores (None: an empty cell)."""

    amount: Decimal | None
    slip: Slip | None = None
    note: str = ""  # said after the save when the amount was read otherwise than typed


def shown(value: Decimal, unit: str) -> str:
    """An amount as the question names it: exactly, in the plan's unit (`1 258,5 tkr`, `−50 kr`)."""
    return f"{amount_input_text(value, unit)}{NBSP}{unit}"


def _largest(amounts: Iterable[Decimal | None]) -> Decimal | None:
    """The largest size among `amounts` (zeros and empty cells say nothing of the row's scale)."""
    sizes = [abs(value) for value in amounts if value]
    return max(sizes) if sizes else None


def _fits(value: Decimal, *, largest: Decimal | None, unit: str) -> bool:
    """Whether a reading is in line: within `LARGE_FACTOR` of the reference both ways, below the tkr limit."""
    size = abs(value)
    if size == 0 or (unit == "tkr" and size >= TKR_LIMIT * 1000):
        return False
    return largest is None or largest / LARGE_FACTOR <= size <= largest * LARGE_FACTOR


def amount_reading(
    amount: Decimal | None,
    *,
    unit: str,
    costs_negative: bool = False,
    section: str | None = None,
    row: Iterable[Decimal | None] = (),
    column: Iterable[Decimal | None] = (),
) -> Reading:
    """How the `amount` typed into a cell is read, and the slip to ask about, if any.

    `unit` is the plan's ("kr" | "tkr"), `costs_negative` whether the plan prints costs as negative
    numbers, `section` the line's ("costs" | "revenue"; None for a cell that is no line, such as the
    members' total contribution, which is asked about its size only). `row` holds the other amounts of
    the cell's row; `column` the other amounts of its group in the cell's column, read only when the row
    has none. Pure: no query, no side effect.
    """
    if not amount:
        return Reading(amount)
    typed, note = amount, ""
    if amount < 0 and section == COSTS and costs_negative:
        amount = -amount
        note = _("%(typed)s lästes som kostnaden %(amount)s: planen skriver kostnader som negativa tal.") % {
            "typed": shown(typed, unit),
            "amount": shown(amount, unit),
        }
    negative = amount < 0 and section in (COSTS, REVENUE)
    size = abs(amount)
    largest = _largest(row)
    in_row = largest is not None
    if not in_row:
        largest = _largest(column)
    over_limit = unit == "tkr" and size >= TKR_LIMIT * 1000
    too_large = over_limit or (largest is not None and size > largest * LARGE_FACTOR)
    if not (negative or too_large):
        return Reading(amount, note=note)

    suggested = abs(amount) if negative else amount
    if too_large:
        scaled = round_half_up(suggested / 1000)
        suggested = scaled if _fits(scaled, largest=largest, unit=unit) else None
    if too_large and over_limit:
        reason = _("%(typed)s är %(kronor)s.") % {
            "typed": shown(amount, unit),
            "kronor": shown(amount, "kr"),
        }
    elif too_large:
        where = (
            _("det största beloppet på raden (%(largest)s)")
            if in_row
            else _("det största beloppet i gruppen samma år (%(largest)s)")
        ) % {"largest": shown(largest, unit)}
        reason = _("%(typed)s är mer än %(factor)s gånger %(where)s.") % {
            "typed": shown(amount, unit),
            "factor": LARGE_FACTOR,
            "where": where,
        }
    else:
        reason = ""
    if negative:
        decrease = (
            _("som en minskning av kostnaderna") if section == COSTS else _("som en minskning av intäkterna")
        )
        if suggested is None:
            question = _("Stämmer %(typed)s %(decrease)s?") % {
                "typed": shown(amount, unit),
                "decrease": decrease,
            }
        else:
            question = _("Menade du %(suggested)s, eller %(typed)s %(decrease)s?") % {
                "suggested": shown(suggested, unit),
                "typed": shown(amount, unit),
                "decrease": decrease,
            }
        question = f"{question} {reason}".strip()
    elif suggested is None:
        question = _("Stämmer %(typed)s? %(reason)s") % {"typed": shown(amount, unit), "reason": reason}
    else:
        question = _("Menade du %(suggested)s? %(reason)s") % {
            "suggested": shown(suggested, unit),
            "reason": reason,
        }
    kind = "negative" if negative else "large"
    return Reading(amount, Slip(kind, question, amount, suggested, unit), note)


def neighbour_amounts(
    amounts: Iterable[tuple[int, int, Decimal]], *, row: int, column: int
) -> tuple[list[Decimal], list[Decimal]]:
    """The other amounts of a cell's row, and of its group's rows in its column, out of `amounts`:
    (row id, column id, amount) of every stored amount of the group (loaded once, in one query)."""
    in_row, in_column = [], []
    for row_id, column_id, amount in amounts:
        if row_id == row and column_id != column:
            in_row.append(amount)
        elif column_id == column and row_id != row:
            in_column.append(amount)
    return in_row, in_column
