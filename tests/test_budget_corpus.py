"""The corpus of budget table shapes (tests/data/budget_tables, see its README): every table, and
mechanically varied copies of it, imports to the figures its sidecar gives.

The sidecar (`<table>.json`) holds what the table must give, in kronor: revenue, costs and result per year
after import (`budgets.calc.plan_budget`), the opening equity, the closing equity the table prints, the
columns and unit, the reading of the rows that matter, and the deviations it must report (only a table
with an arithmetic error has any). The variations (`VARIATIONS`) rewrite the table's text the way another
document could print the same budget; each must give the same figures.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from budgets.calc import plan_budget
from budgets.imports.apply import budget_import_apply
from budgets.imports.files import read_upload
from budgets.imports.parse import parse_text
from tests.data.budget_tables import build_xlsx
from tests.factories import AssociationFactory, OrganisationFactory, PlanFactory

CORPUS = Path(__file__).parent / "data" / "budget_tables"
TEXTS = sorted(path.name for path in CORPUS.iterdir() if path.suffix in (".txt", ".tsv"))
WORKBOOKS = sorted(build_xlsx.WORKBOOKS)
NBSP = "\u00a0"

# Labels another document uses for the same row: each varied copy rewords every label it finds here.
SYNONYMS = {
    "Summa kostnader": ["Totala kostnader", "Kostnader totalt", "Summa verksamhetens kostnader"],
    "Summa intäkter": ["Totala intäkter", "Intäkter totalt"],
    "Resultat": ["Årets resultat", "Budgeterat resultat", "Resultat efter finansiella poster"],
    "Årets resultat": ["Resultat", "Över-/underskott"],
    "Ingående eget kapital": ["Eget kapital vid årets början", "Eget kapital, ingående balans"],
    "Utgående eget kapital": ["Eget kapital vid årets slut", "Eget kapital, utgående balans"],
    "Eget kapital vid årets början": ["Ingående eget kapital"],
    "Eget kapital vid årets slut": ["Utgående eget kapital"],
    "Kommunerna": ["Medlemskommunerna", "Kommunernas bidrag"],
    "Region Norrby": ["Regionen"],
    "Försäkringskassan/Arbetsförmedlingen": ["Staten (FK/AF)", "Försäkringskassan och Arbetsförmedlingen"],
    "Intäkter": ["Intäkter:", "INTÄKTER"],
    "Kostnader": ["Kostnader:", "KOSTNADER"],
    "Ränteintäkter": ["Finansiella intäkter"],
    "Räntekostnader": ["Finansiella kostnader"],
}
TKR_WORDS = ["tkr.", "tkr", "TSEK", "kSEK", "tusental kronor", "tusen kronor"]
MKR_WORDS = ["mnkr", "Mkr"]
KR_WORDS = ["kronor", "SEK", "kr"]


@pytest.fixture
def plan_for(db):
    association = AssociationFactory(slug="norrby", name="Samordningsförbundet Norrby")
    for name, kind in [
        ("Försäkringskassan", "state"),
        ("Arbetsförmedlingen", "state"),
        ("Region Norrby", "region"),
        ("Alby kommun", "municipality"),
        ("Bergby kommun", "municipality"),
        ("Cedby kommun", "municipality"),
    ]:
        OrganisationFactory(association=association, name=name, kind=kind)

    def make(expected: dict):
        years = sorted(int(year) for year in expected["revenue"])
        return PlanFactory(association=association, first_year=years[0], years=len(years), unit="kr")

    return make


def sidecar(name: str) -> dict:
    return json.loads((CORPUS / (name.rsplit(".", 1)[0] + ".json")).read_text(encoding="utf-8"))


def table_text(name: str) -> str:
    if name in build_xlsx.WORKBOOKS:
        text, _source = read_upload(name, build_xlsx.build(name))
        return text
    return (CORPUS / name).read_text(encoding="utf-8")


def kronor(values: dict) -> dict[int, Decimal]:
    return {int(year): Decimal(value) for year, value in values.items()}


def figures_of(plan, text: str) -> dict:
    """What the table gives once imported: the sidecar's keys, computed by finsam."""
    parsed = parse_text(text)
    report = budget_import_apply(plan=plan, parsed=parsed, by=None)
    plan.refresh_from_db()
    budget = plan_budget(plan)
    readings: dict[str, list[str]] = {}
    for reading in report.readings:
        readings.setdefault(reading.label, []).append(reading.reading)
    return {
        "revenue": budget.revenue_total,
        "costs": budget.cost_total,
        "result": budget.result,
        "opening_equity": parsed.opening_equity,
        "closing_equity": parsed.closing_equity,
        "columns": [[column.year, column.kind] for column in parsed.columns],
        "unit": parsed.unit,
        "readings": readings,
        # A result before financial items the table prints, against finsam's.
        "before_financial": [
            (reading.amounts, {year: budget.result_before_financial[year] for year in reading.amounts})
            for reading in report.readings
            if reading.reading == "result_before_financial"
        ],
        "differences": sorted(
            [figure.label, figure.year] for figure in report.differences if figure.computed != "–"
        ),
        # Municipality rows before the plan has a key: nothing to compare them with yet.
        "not_comparable": len([figure for figure in report.differences if figure.computed == "–"]),
        "follows": sorted([figure.label, figure.year] for figure in report.following),
    }


def assert_gives(figures: dict, expected: dict, *, where: str, exact_labels: bool = True) -> None:
    for key in ("revenue", "costs", "result"):
        assert figures[key] == kronor(expected[key]), f"{where}: {key}"
    if "opening_equity" in expected:
        assert figures["opening_equity"] == Decimal(expected["opening_equity"]), f"{where}: opening equity"
    if "closing_equity" in expected:
        assert figures["closing_equity"] == kronor(expected["closing_equity"]), f"{where}: closing equity"
    if "columns" in expected:
        assert sorted(figures["columns"]) == sorted(expected["columns"]), f"{where}: columns"
    if "unit" in expected and exact_labels:
        assert figures["unit"] == expected["unit"], f"{where}: unit"
    for printed, computed in figures["before_financial"]:
        assert printed == computed, f"{where}: result before financial items"
    for key in ("differences", "follows"):
        found, wanted = figures[key], sorted(expected.get(key, []))
        if not exact_labels:  # reworded: the same rows and years, under other labels
            found, wanted = sorted(year for _label, year in found), sorted(year for _label, year in wanted)
        assert found == wanted, f"{where}: {key}"
    assert figures["not_comparable"] == expected.get("not_comparable", 0), f"{where}: not comparable"
    if exact_labels:
        for label, reading in expected["readings"].items():
            assert reading in figures["readings"].get(label, []), (
                f"{where}: {label!r} read as {figures['readings'].get(label)}, not {reading}"
            )


def test_the_corpus_has_twenty_shapes_and_a_readme_mapping_each_to_two_files():
    names = TEXTS + WORKBOOKS
    assert len(names) >= 20
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    shapes: dict[str, set[str]] = {}
    for name in names:
        for shape in sidecar(name)["shapes"]:
            shapes.setdefault(shape, set()).add(name)
            assert f"`{shape}`" in readme, f"{shape} is not in the README"
    for shape, files in shapes.items():
        assert len(files) >= 2, f"{shape} has only {files}"
    for shape, listed in re.findall(r"^\| `([a-z0-9-]+)`[^|]*\| (.+) \|$", readme, re.M):
        numbers = set(re.findall(r"\b(\d\d)\b", listed))
        for first, last in re.findall(r"\b(\d\d)–(\d\d)\b", listed):
            numbers |= {f"{n:02}" for n in range(int(first), int(last) + 1)}
        assert len(numbers) >= 2, f"README shape {shape} lists fewer than two files"
        carrying = {name[:2] for name in shapes.get(shape, ())}
        assert numbers == carrying, (
            f"README shape {shape}: lists {sorted(numbers)}, sidecars {sorted(carrying)}"
        )


@pytest.mark.parametrize("name", TEXTS + WORKBOOKS)
def test_a_corpus_table_gives_its_figures(name, plan_for):
    expected = sidecar(name)
    assert_gives(figures_of(plan_for(expected), table_text(name)), expected, where=name)


# --- varied copies --------------------------------------------------------------------------------------


def cells_of(text: str) -> list[list[str]]:
    return [line.split("\t") for line in text.split("\n")]


def joined(rows: list[list[str]]) -> str:
    return "\n".join("\t".join(cells).rstrip("\t") for cells in rows)


AMOUNT = re.compile(r"^\(?[-\u2212]?\(?\d[\d \u00a0.]*(?:,\d+)?\)?$")


def is_amount(cell: str, *, body: bool = False) -> bool:
    """An amount cell; a bare year counts only in a row with a label (a header row's label is empty)."""
    return bool(AMOUNT.match(cell.strip())) and (body or not re.fullmatch(r"(?:19|20)\d\d", cell.strip()))


def reorder_columns(text: str) -> str | None:
    """The year columns in reverse order (a sum column stays where it is in the reversed run)."""
    rows = cells_of(text)
    width = max(len(cells) for cells in rows)
    if width < 3:
        return None
    out = []
    for cells in rows:
        if len(cells) == 1:
            out.append(cells)
            continue
        padded = cells + [""] * (width - len(cells))
        out.append([padded[0], *reversed(padded[1:])])
    return joined(out)


def swap_separators(text: str) -> str:
    """Space and no-break space swapped between thousands; hyphen and minus sign swapped."""
    rows = cells_of(text)
    for cells in rows:
        for index, cell in enumerate(cells[1:], start=1):
            if is_amount(cell):
                swapped = cell.replace(" ", "\0").replace(NBSP, " ").replace("\0", NBSP)
                swapped = swapped.replace("-", "\0").replace("\u2212", "-").replace("\0", "\u2212")
                cells[index] = swapped
    return joined(rows)


def negate(cell: str) -> str:
    cell = cell.strip()
    if cell.startswith("(") and cell.endswith(")"):
        return cell[1:-1]
    if cell.startswith(("-", "\u2212")):
        return cell[1:]
    if re.fullmatch(r"0+(?:,0+)?", cell):
        return cell
    return "-" + cell


def flip_cost_signs(text: str) -> str | None:
    """Costs printed with the other sign: every cost row's amounts negated (found by the first reading)."""
    parsed = parse_text(text)
    cost_rows = {line.row for group in parsed.groups if group.section == "costs" for line in group.lines}
    cost_rows |= {
        figure.row
        for figure in parsed.stated
        if figure.target in ("costs", "costs_before_financial")
        or (figure.target == "group" and parsed.groups[figure.group].section == "costs")
    }
    if not cost_rows:
        return None
    rows = cells_of(text)
    for number in cost_rows:
        cells = rows[number - 1]
        rows[number - 1] = [
            cells[0],
            *(negate(cell) if is_amount(cell, body=True) else cell for cell in cells[1:]),
        ]
    return joined(rows)


def rescale_unit(text: str) -> str | None:
    """The same table in another unit: thousands printed as kronor, kronor as thousands, millions as
    thousands; every amount rescaled and the unit word replaced."""
    for words, factor, unit in (
        (MKR_WORDS, 1000, "tkr"),
        (TKR_WORDS, 1000, "kronor"),
        (KR_WORDS, Decimal("0.001"), "tkr"),
    ):
        word = next((w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.I)), None)
        if word is not None:
            break
    else:
        return None
    text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", unit, text, flags=re.I)
    rows = cells_of(text)
    for cells in rows:
        years = all(re.fullmatch(r"(?:19|20)\d\d", cell) for cell in cells[1:] if cell)
        for index, cell in enumerate(cells[1:], start=1):
            if is_amount(cell, body=bool(cells[0]) and not years):
                cells[index] = rescaled(cell, factor)
    return joined(rows)


def rescaled(cell: str, factor: Decimal | int) -> str:
    negative = cell.strip().startswith(("-", "\u2212", "("))
    value = Decimal(re.sub(r"[^\d,]", "", cell).replace(",", ".")) * factor
    whole, _dot, fraction = f"{value.normalize():f}".partition(".")
    text = f"{int(whole):,}".replace(",", " ") + (f",{fraction}" if fraction else "")
    return f"-{text}" if negative and value else text


def reword_labels(text: str) -> str | None:
    rows = cells_of(text)
    changed = False
    for number, cells in enumerate(rows):
        options = SYNONYMS.get(cells[0])
        if options:
            cells[0] = options[number % len(options)]
            changed = True
    return joined(rows) if changed else None


VARIATIONS = {
    "columns-reordered": reorder_columns,
    "separators-swapped": swap_separators,
    "signs-flipped": flip_cost_signs,
    "unit-rescaled": rescale_unit,
    "labels-reworded": reword_labels,
}


@pytest.mark.parametrize("variation", sorted(VARIATIONS))
@pytest.mark.parametrize("name", TEXTS + WORKBOOKS)
def test_a_varied_copy_gives_the_same_figures(name, variation, plan_for):
    expected = sidecar(name)
    if variation in expected.get("not_varied", []):
        pytest.skip(expected["not_varied"][variation])
    varied = VARIATIONS[variation](table_text(name))
    if varied is None:
        pytest.skip(f"{variation} does not apply to {name}")
    assert_gives(
        figures_of(plan_for(expected), varied),
        expected,
        where=f"{name} ({variation})",
        exact_labels=variation not in ("labels-reworded", "unit-rescaled"),
    )
