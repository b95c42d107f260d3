"""A budget table's header: which row holds the years, what each header cell says (year, kind, unit,
a total, a note), and why no header was found (naming the cells)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from budgets.imports.classify import (
    shorten,
)
from budgets.imports.table import (
    FILLER_WORDS,
    KIND_WORDS,
    NOTE_WORDS,
    PERCENT_WORDS,
    TOTAL_WORDS,
    UNIT_WORDS,
    YEAR,
    YEAR_CELL,
    TextRow,
    clean_cell,
)

# --- the header ---------------------------------------------------------------------------------------


def strip_unit(cell: str) -> str:
    return clean_cell(UNIT_WORDS.sub(" ", cell).replace(",", " ").replace(":", " ").rstrip("*"))


YEAR_RANGE = re.compile(rf"({YEAR})\s*(?:[-–—/]|till|t\.o\.m\.?)\s*(?:{YEAR}|\d\d)\b", re.I)
YEARS = re.compile(rf"(?<!\d){YEAR}(?!\d)")
WORDS = re.compile(r"[a-zåäöé%]+", re.I)


def header_cell(cell: str) -> tuple[str, int | None, str | None]:
    """What a header cell names, its words in any order: ("year", year, kind word or None), ("total",
    ...) for a multi-year total ("Totalt 2024-2026", "2024–2026 Totalt", "Summa"), ("note", ...),
    ("percent", ...), ("unit", ...) for a cell that only gives the unit, ("empty", ...), or ("unknown",
    ...) for a cell finsam cannot read (the column is then not read, and the preview can say what it is)."""
    if not cell:
        return "empty", None, None
    text = UNIT_WORDS.sub(" ", cell.lower())
    ranged = bool(YEAR_RANGE.search(text))
    text = YEAR_RANGE.sub(" ", text)
    years = [int(year) for year in YEARS.findall(text)]
    text = YEARS.sub(" ", text)
    words = [word for word in WORDS.findall(text) if word not in FILLER_WORDS]
    phrase = " ".join(words)
    if not years and not ranged:
        if not words:
            return ("unit" if strip_unit(cell) == "" else "unknown"), None, None
        if all(word in TOTAL_WORDS for word in words):
            return "total", None, None
        if phrase in NOTE_WORDS or words[0] in ("not", "noter"):
            return "note", None, None
        if phrase in PERCENT_WORDS or "%" in words:
            return "percent", None, None
        return "unknown", None, None
    if "%" in words or phrase in PERCENT_WORDS:
        return "percent", None, None
    kinds = {KIND_WORDS[word] for word in words if word in KIND_WORDS}
    others = [word for word in words if word not in KIND_WORDS and word not in TOTAL_WORDS]
    if others or len(kinds) > 1:
        return "unknown", None, None
    if ranged or len(years) > 1 or any(word in TOTAL_WORDS for word in words):
        return "total", None, None
    return "year", years[0], next(iter(kinds), None)


def is_header(row: TextRow) -> bool:
    """A row with at least one year column and otherwise header words or text finsam does not know (set
    aside, never a reason to refuse); a number that is no year makes it a row of amounts."""
    kinds = [header_cell(cell)[0] for cell in row.values if cell]
    unknown = [cell for cell in row.values if cell and header_cell(cell)[0] == "unknown"]
    return "year" in kinds and all(re.search(r"[^\W\d_]", cell) for cell in unknown)


def kind_word(cell: str) -> str | None:
    bare = strip_unit(cell).lower()
    return KIND_WORDS.get(bare)


def is_kind_row(row: TextRow) -> bool:
    cells = [cell for cell in row.values if cell]
    return bool(cells) and all(kind_word(cell) for cell in cells)


def find_header(rows: list[TextRow]) -> int | None:
    for index, row in enumerate(rows):
        if (
            len(row.cells) >= 2
            and YEAR_CELL.fullmatch(row.cells[0])
            and all(header_cell(cell)[0] in HEADER_KINDS for cell in row.cells if cell)
        ):
            # The years were copied without the empty cell above the labels: put it back.
            row.cells.insert(0, "")
        if is_header(row):
            return index
    return None


HEADER_KINDS = ("year", "total", "unit", "note", "percent")
BARE_YEAR = re.compile(rf"{YEAR}")


def header_problem(rows: list[TextRow]) -> str:
    """Why no row is a header, naming the cells of the likeliest row (the first with a year in it)."""
    message = _(
        "Hittade ingen rubrikrad med år. Tabellen ska ha en rad med åren överst, till exempel "
        "”Budget 2020”, ”Plan 2021”, ”Plan 2022” i var sin kolumn (eller 2020, 2021, 2022)."
    )
    for row in rows[:50]:
        if any(YEARS.search(cell) for cell in row.values):
            cells = [cell for cell in row.values if cell and header_cell(cell)[0] not in HEADER_KINDS]
            if cells:
                return (
                    message
                    + " "
                    + _("Rad %(row)s har år, men finsam kunde inte läsa rubrikerna %(cells)s.")
                    % {"row": row.number, "cells": ", ".join(f"”{shorten(cell)}”" for cell in cells[:5])}
                )
    return message
