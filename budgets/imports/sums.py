"""A sum row matched to what it sums, by content: one rule for the parser (`budgets.imports.body`) and
for the user's corrections (`budgets.imports.overrides`)."""

from __future__ import annotations

from decimal import Decimal

from budgets.imports.table import ParsedGroup

STEPS = {"kr": 1, "tkr": 1000, "mkr": 1_000_000}  # kronor per unit the table's figures count
EARLIER_GROUPS = 12  # how far back a subtotal is looked for its group: a table prints it near its group


class Tally:
    """Running sums of the lines read, per group (or per section), in the table's own signs: a sum row is
    matched against them without adding up the table again (a hostile paste of 2 000 sum rows stays
    linear)."""

    def __init__(self, scale: str):
        self.step = STEPS[scale]
        self.sums: dict[object, tuple[dict[int, Decimal], int]] = {}

    def add(self, key: object, values: dict[int, Decimal]) -> None:
        total, count = self.sums.get(key, ({}, 0))
        for year, value in values.items():
            total[year] = total.get(year, Decimal(0)) + value
        self.sums[key] = (total, count + 1)

    def of(self, key: object) -> tuple[dict[int, Decimal], int]:
        return self.sums.get(key, ({}, 0))

    def totals_to(self, values: dict[int, Decimal], total: dict[int, Decimal], count: int) -> bool:
        """Whether `count` lines summing to `total` give the stated values in every year, within the
        rounding of each line in the unit shown."""
        if not count:
            return False
        tolerance = Decimal(self.step) / 2 * count if self.step > 1 else Decimal(0)
        return all(abs(value - total.get(year, Decimal(0))) <= tolerance for year, value in values.items())

    def sums_group(self, values: dict[int, Decimal], group: ParsedGroup | None) -> bool:
        return group is not None and self.totals_to(values, *self.of(id(group)))

    def group_summed(
        self, values: dict[int, Decimal], groups: list[ParsedGroup], *, current: ParsedGroup | None
    ) -> ParsedGroup | None:
        """The group a subtotal sums, by content: the group above it (`current`) when its lines sum to
        the values, else the nearest of the `EARLIER_GROUPS` groups of the same section before it whose
        lines do (a bounded look back: a paste of thousands of groups and sums stays linear); None if none."""
        if self.sums_group(values, current):
            return current
        section = current.section if current is not None else (groups[-1].section if groups else None)
        earlier = [
            g for g in reversed(groups[-4 * EARLIER_GROUPS :]) if g is not current and g.section == section
        ]
        return next((group for group in earlier[:EARLIER_GROUPS] if self.sums_group(values, group)), None)
