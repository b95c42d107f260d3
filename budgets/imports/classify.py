"""What each row of a parsed table is: a group's kind, a stated figure's target, a member's contribution.


Revenue rows that name the association's members (or "Kommunerna", "Staten") and rows such as
"Parternas insats" become the contributions group: the members' total per column is taken from the total
row where there is one, else from the sum of the member rows; each member row is kept as a stated
contribution figure, so the report shows whether the statutory split reproduces it. Other revenue rows
are typed lines. Cost rows stay typed lines; where a label is an intervention's name the report shows
the imported amount beside the granted one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from budgets.imports.table import (
    ADMINISTRATION_WORDS,
    FINANCIAL_COST,
    FINANCIAL_WORDS,
    PROJECT_COST_WORDS,
    STATED,
    UNDECIDED_WORDS,
    ParsedBudget,
    ParsedGroup,
    ParsedLine,
    clean_cell,
)
from budgets.models import BudgetGroup
from finsam.models import Organisation
from finsam.money import parse_amount

ZERO = Decimal(0)
CONTRIBUTION_TOTAL = re.compile(
    r"^(?:parternas insats|medlemmarnas (?:insats|bidrag|avgifter)|medlems(?:avgift|insats|intäkt|bidrag)(?:er)?"
    r"|(?:årets )?tilldelning|bidrag från medlemmar(?:na)?)\b",
    re.I,
)
MUNICIPALITIES_WORDS = {
    "kommunerna",
    "kommuner",
    "länets kommuner",
    "kommunerna tillsammans",
    "medlemskommunerna",
}
STATE_WORDS = {"staten", "staten (fk/af)", "fk/af", "fk och af", "fk/af (staten)", "fk + af"}
REGION_WORDS = {"regionen", "landstinget"}
# Words around a member part that do not change which part it is: "Kommunernas bidrag", "Regionens andel
# 25 %", "Medlemsavgift staten".
PART_WORDS = re.compile(
    r"\b(?:medlemsavgift(?:er)?|medlemsbidrag|bidrag|insats|andel|avgift|tilldelning|totalt|gemensamt|"
    r"tillsammans|\d+(?:,\d+)?\s*%)\b",
    re.I,
)
POSSESSIVE = {"kommunernas": "kommunerna", "regionens": "regionen", "statens": "staten"}


def strip_heading(label: str) -> str:
    return label.strip().rstrip(":").strip()


def looks_like_prose(text: str) -> bool:
    """A footnote or a sentence, not a heading."""
    return text.startswith(("*", "(")) or text.endswith(".") or len(text) > 80 or len(text.split()) > 8


def shorten(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def is_amount(text: str, unit: str) -> bool:
    try:
        parse_amount(text, unit, table=True)
    except ValidationError:
        return False
    return True


def group_kind(section: str | None, name: str) -> str:
    if section == "revenue":
        return "financial" if FINANCIAL_WORDS.search(name) else "other"
    if FINANCIAL_WORDS.search(name) or FINANCIAL_COST.match(name):
        return "financial_costs"
    if UNDECIDED_WORDS.search(name):
        return "interventions_undecided"
    if ADMINISTRATION_WORDS.search(name):
        return "administration"
    if PROJECT_COST_WORDS.search(name):
        return "project_costs"
    return "other"


def normalise(text: str) -> str:
    return clean_cell(text).lower().rstrip("*: ").strip()


def stated_target(
    label: str, current: ParsedGroup | None, groups: list[ParsedGroup], section: str | None
) -> tuple[str | None, int | None]:
    """What a Summa/Totalt/Resultat row totals, from its words and its place in the table."""
    lowered = normalise(label)
    rest = STATED.sub("", lowered).strip(" :")
    if lowered.startswith(("resultat", "årets resultat")):
        if "före" in lowered:
            return None, None  # result before financial items: no stated figure of that kind
        return "result", None
    if current is not None:
        name = normalise(current.name)
        names_current = bool(rest) and (rest == name or name in rest or rest in name)
        section_groups = [group for group in groups if group.section == current.section]
        if names_current or not rest:
            if current.is_section and len(section_groups) == 1:
                return current.section, None
            return "group", groups.index(current)
    if "intäkt" in rest:
        return "revenue", None
    if "kostnad" in rest:
        return "costs", None
    if current is not None:
        if current.is_section and len([g for g in groups if g.section == current.section]) == 1:
            return current.section, None
        return "group", groups.index(current)
    return None, None


# --- deciding what the parsed table becomes ------------------------------------------------------------


@dataclass
class GroupSpec:
    section: str
    kind: str
    name: str
    lines: list[ParsedLine] = field(default_factory=list)
    summed_under: str = ""  # a subtotal the table prints over this group and its neighbours


@dataclass
class ContributionSpec:
    label: str
    reference: str  # state | region | municipalities | municipality
    organisation: Organisation | None
    amounts: dict[int, Decimal]
    rows: list[int]


@dataclass
class ImportSpec:
    groups: list[GroupSpec]
    group_of_parsed: dict[int, int]  # parsed group index -> index in `groups`
    contributions_total: dict[int, Decimal]
    contribution_figures: list[ContributionSpec]
    contribution_total_figures: list[ParsedLine]  # total rows beyond the one that gave the total
    contribution_source: str  # the label the total came from, or "" (sum of member rows)
    warnings: list[str] = field(default_factory=list)
    # What the association's members make of the table's revenue rows, by row number: "contribution"
    # (a member's part), "contributions_total" (the members' total) or "breakdown" (a part of a row above,
    # never counted); the parser's reading stands for every other row.
    readings: dict[int, str] = field(default_factory=dict)


def member_match(label: str, members: list[Organisation]) -> tuple[str, Organisation | None] | None:
    """The contribution part a revenue row names: ("state", None), ("region", None),
    ("municipalities", None) or ("municipality", org); None if it names no member part."""
    text = re.sub(r"\s*\([^)]*\)", "", normalise(label)).strip()
    bare = " ".join(POSSESSIVE.get(word, word) for word in PART_WORDS.sub(" ", text).split())
    if (
        bare
        and bare != text
        and (bare in MUNICIPALITIES_WORDS or bare in STATE_WORDS or bare in REGION_WORDS)
    ):
        text = bare
    if text in MUNICIPALITIES_WORDS:
        return "municipalities", None
    if text in STATE_WORDS:
        return "state", None
    if text in REGION_WORDS:
        return "region", None
    matched: list[Organisation] = []
    for part in re.split(r"\s*(?:/|\+|&|,|\boch\b)\s*", text):
        if not part:
            continue
        organisation = next((org for org in members if part in organisation_names(org)), None)
        if organisation is None:
            return None
        matched.append(organisation)
    if not matched:
        return None
    kinds = {org.kind for org in matched}
    municipalities = [org for org in members if org.kind == Organisation.Kind.MUNICIPALITY]
    if kinds == {Organisation.Kind.STATE}:
        return "state", None
    if kinds == {Organisation.Kind.REGION}:
        return "region", None
    if kinds == {Organisation.Kind.MUNICIPALITY}:
        if len(matched) == 1 and len(municipalities) > 1:
            return "municipality", matched[0]
        if {org.id for org in matched} == {org.id for org in municipalities}:
            return "municipalities", None
    return None


def organisation_names(org: Organisation) -> set[str]:
    """The ways a table names a member: "Örnsköldsviks kommun", "Örnsköldsviks Kommun", "Örnsköldsvik"."""
    names = {normalise(org.name)}
    if org.short_name:
        names.add(normalise(org.short_name))
    for name in list(names):
        if name.endswith(" kommun"):
            place = name.removesuffix(" kommun")
            names.update({place, place.removesuffix("s")})
    return names


def build_spec(parsed: ParsedBudget, organisations: list[Organisation]) -> ImportSpec:
    members = [org for org in organisations if org.is_member]
    groups: list[GroupSpec] = []
    group_of_parsed: dict[int, int] = {}
    contribution_lines: list[tuple[ParsedLine, str, Organisation | None]] = []
    total_lines: list[ParsedLine] = []
    contributions_index: int | None = None
    other_revenue: dict[str, GroupSpec] = {}
    warnings: list[str] = []

    for index, group in enumerate(parsed.groups):
        if group.section != "revenue":
            group_of_parsed[index] = len(groups)
            groups.append(
                GroupSpec(group.section, group.kind, group.name, list(group.lines), group.summed_under)
            )
            continue
        forced = parsed.forced
        matches = [
            (
                line,
                (forced.get(line.row) != "line" and member_match(line.label, members))
                or (("municipalities", None) if forced.get(line.row) == "contribution" else None),
            )
            for line in group.lines
            if forced.get(line.row) != "contributions_total"
        ]
        totals = [
            line
            for line in group.lines
            if forced.get(line.row) == "contributions_total"
            or (line.row not in forced and CONTRIBUTION_TOTAL.match(line.label))
        ]
        is_contributions = any(match for _line, match in matches) or bool(totals)
        if not is_contributions:
            group_of_parsed[index] = len(groups)
            groups.append(
                GroupSpec(group.section, group.kind, group.name, list(group.lines), group.summed_under)
            )
            continue
        if contributions_index is None:
            contributions_index = len(groups)
            groups.append(GroupSpec("revenue", BudgetGroup.Kind.CONTRIBUTIONS, group.name))
        group_of_parsed[index] = contributions_index
        total_lines += totals
        for line, match in matches:
            if match:
                contribution_lines.append((line, *match))
            elif line in totals:
                pass
            else:
                # Interest and other income beside the contributions: a typed group of its own.
                kind = group.kind if group.kind == BudgetGroup.Kind.FINANCIAL else None
                kind = kind or ("financial" if re.search(r"ränt|finansiell", line.label, re.I) else "other")
                if kind not in other_revenue:
                    name = _("Finansiella intäkter") if kind == "financial" else _("Övriga intäkter")
                    other_revenue[kind] = GroupSpec("revenue", kind, name)
                    groups.append(other_revenue[kind])
                other_revenue[kind].lines.append(line)

    contributions_total: dict[int, Decimal] = {}
    all_totals = list(total_lines)
    source = ""
    if total_lines:
        source = total_lines[0].label
        contributions_total = dict(total_lines[0].amounts)
        total_lines = total_lines[1:]
    elif contribution_lines:
        references = {reference for _line, reference, _org in contribution_lines}
        for line, reference, _org in contribution_lines:
            # Separate municipality rows beside a "Kommunerna" row are its details: count them once.
            if reference == "municipality" and "municipalities" in references:
                continue
            for year, amount in line.amounts.items():
                contributions_total[year] = contributions_total.get(year, ZERO) + amount
    if any(amount < 0 for amount in contributions_total.values()):
        warnings.append(_("Medlemsavgifterna blir negativa i tabellen; kontrollera tecknen."))
        contributions_total = {year: max(amount, ZERO) for year, amount in contributions_total.items()}

    # "Varav" rows under a contribution row: its parts, kept as stated contribution figures, never summed.
    if contributions_index is not None:
        for line in parsed.breakdowns:
            match = member_match(line.label, members)
            if match:
                contribution_lines.append((line, *match))
            else:
                warnings.append(
                    _("Raden ”%(label)s” (rad %(row)s) är en del av raden ovanför och räknas inte.")
                    % {"label": line.label, "row": line.row}
                )

    figures: dict[tuple[str, int | None], ContributionSpec] = {}
    for line, reference, organisation in contribution_lines:
        key = (reference, organisation.id if organisation else None)
        if key in figures:
            figure = figures[key]
            figure.label = f"{figure.label} + {line.label}"
            for year, amount in line.amounts.items():
                figure.amounts[year] = figure.amounts.get(year, ZERO) + amount
            figure.rows.append(line.row)
        else:
            figures[key] = ContributionSpec(
                line.label, reference, organisation, dict(line.amounts), [line.row]
            )
    return ImportSpec(
        groups=groups,
        group_of_parsed=group_of_parsed,
        contributions_total=contributions_total,
        contribution_figures=list(figures.values()),
        readings={
            **{line.row: "contribution" for line, _reference, _org in contribution_lines},
            **{line.row: "contributions_total" for line in all_totals},
            **{line.row: "breakdown" for line in parsed.breakdowns},
        },
        contribution_total_figures=total_lines,
        contribution_source=source,
        warnings=warnings,
    )
