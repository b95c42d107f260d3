"""What changed between two frozen versions of a plan (`plans.snapshots`): text word by word, numbers old → new,
items added and removed.

`snapshot_diff(old, new)` compares two snapshot contents: text fields word by word (a list of
`(op, text)` with op "equal", "insert" or "delete", which the template renders with <ins>/<del>),
numbers and other values old → new, and items added and removed. Items are matched by their key
(their database id, stable within a plan and its snapshots) and, failing that, by their label, so a
plan rolled over to next year (new ids, same headings) is compared item by item too.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from plans.markup_diff import markup_diff, rendered

# Labels at least this similar (difflib ratio) are the same item renamed: "Budget 2027" → "Budget 2028".
SIMILAR_LABEL = 0.8


def _text(value) -> str:
    """A text as the diff compares it, every line break a bare line feed. A form posted without htmx
    sends a textarea's line breaks as CR LF (HTML form encoding) and htmx sends LF, so the same text can
    be stored either way: a paragraph break is not a change."""
    return "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n")


# --- word diff ---------------------------------------------------------------------------------------

# Words and the whitespace between them: a change of spacing alone (a new paragraph) is not a changed word.
TOKENS = re.compile(r"\S+|\s+")
CONTEXT_WORDS = 12


def word_diff(old: str, new: str, *, context: int | None = CONTEXT_WORDS) -> list[tuple[str, str]]:
    """`(op, text)` pieces that turn `old` into `new`, word by word; op is equal, delete or insert.

    Whitespace is kept, so joining the equal and delete pieces gives `old` and the equal and insert
    pieces give `new`. With `context`, a long unchanged stretch between changes is shortened to the
    `context` words at each side with " … " in between (op "skip")."""
    a, b = TOKENS.findall(old or ""), TOKENS.findall(new or "")
    pieces: list[tuple[str, str]] = []

    def add(op: str, text: str) -> None:
        if not text:
            return
        if pieces and pieces[-1][0] == op:
            pieces[-1] = (op, pieces[-1][1] + text)
        else:
            pieces.append((op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", "".join(a[i1:i2]))
        else:
            add("delete", "".join(a[i1:i2]))
            add("insert", "".join(b[j1:j2]))
    if context is None:
        return pieces
    shortened: list[tuple[str, str]] = []
    for index, piece in enumerate(pieces):
        shortened += _shorten(piece, index, len(pieces), context)
    return shortened


def _shorten(piece: tuple[str, str], index: int, count: int, context: int) -> list[tuple[str, str]]:
    op, text = piece
    words = TOKENS.findall(text)
    if op != "equal" or len(words) <= 4 * context + 4:
        return [piece]
    # Tokens alternate between words and whitespace: 2 × context tokens keep `context` words.
    head = "" if index == 0 else "".join(words[: 2 * context])
    tail = "" if index == count - 1 else "".join(words[-2 * context :])
    result = [("equal", head)] if head else []
    result.append(("skip", " … "))
    if tail:
        result.append(("equal", tail))
    return result


# --- snapshot diff -----------------------------------------------------------------------------------


@dataclass
class FieldChange:
    label: str
    kind: str  # text | markup (formatted text, `html` shows it) | value | amount
    ops: list[tuple[str, str]] = field(default_factory=list)
    old: Any = None
    new: Any = None
    html: SafeString | None = None


@dataclass
class ItemChange:
    status: str  # added | removed | changed
    label: str
    fields: list[FieldChange] = field(default_factory=list)
    text: str = ""  # what an added or removed item says
    html: SafeString | None = None  # ... formatted as the document shows it
    amounts: list[tuple[str, Decimal | None]] = field(default_factory=list)  # ... and its figures

    @property
    def status_label(self) -> str:
        return {"added": _("Tillagt"), "removed": _("Borttaget"), "changed": _("Ändrat")}[self.status]


@dataclass
class SectionDiff:
    key: str
    title: str
    items: list[ItemChange]


@dataclass
class SnapshotDiff:
    sections: list[SectionDiff]

    @property
    def is_empty(self) -> bool:
        return not self.sections

    @property
    def count(self) -> int:
        return sum(len(section.items) for section in self.sections)


# (section key, title, text fields, value fields); amounts are handled per section below.
SECTIONS: list[tuple[str, Any, list[tuple[str, Any]], list[tuple[str, Any]]]] = [
    (
        "chapters",
        _("Kapitel"),
        [("heading", _("Rubrik")), ("body", _("Text"))],
        [("level", _("Nivå")), ("kind", _("Innehåll"))],
    ),
    (
        "goals",
        _("Mål och indikatorer"),
        [("title", _("Mål")), ("description", _("Beskrivning")), ("indicators", _("Indikatorer"))],
        [("level", _("Nivå"))],
    ),
    (
        "target_groups",
        _("Prioriterade målgrupper"),
        [("name", _("Målgrupp")), ("description", _("Beskrivning"))],
        [],
    ),
    (
        "interventions",
        _("Insatser"),
        [
            ("name", _("Namn")),
            ("purpose", _("Syfte och beskrivning")),
            ("target_group", _("Målgrupp")),
            ("goals_short", _("Mål på kort sikt")),
            ("goals_long", _("Mål på lång sikt")),
            ("actions", _("Åtgärder")),
            ("follow_up", _("Uppföljning och utvärdering")),
            ("steering", _("Ledning och styrning")),
            ("implementation", _("Implementering")),
        ],
        [
            ("kind", _("Typ")),
            ("status", _("Status")),
            ("owner", _("Ägare")),
            ("partners", _("Parter")),
            ("period", _("Period")),
            ("municipality", _("Kommun")),
            ("group", _("Grupp")),
            ("capacity", _("Omfattning")),
        ],
    ),
    ("budget", _("Budget"), [], []),
    ("board", _("Styrelsen"), [], [("role", _("Roll")), ("appointed_by", _("Utsedd av"))]),
    (
        "staff",
        _("Kansli"),
        [("title", _("Befattning")), ("name", _("Namn"))],
        [("fte_percent", _("Tjänstgöringsgrad (%)"))],
    ),
    (
        "control_items",
        _("Internkontrollplan"),
        [
            ("routine", _("Rutin/system")),
            ("control_step", _("Kontrollmoment")),
            ("responsible", _("Kontrollansvar")),
            ("frequency", _("Frekvens")),
            ("method", _("Metod")),
            ("reported_to", _("Rapportering till")),
            ("risk", _("Risk")),
        ],
        [],
    ),
    (
        "communication_items",
        _("Kommunikationsplan"),
        [
            ("audience", _("Målgrupp")),
            ("channel", _("Vad och kanal")),
            ("frequency", _("Frekvens")),
            ("responsible", _("Ansvarig")),
        ],
        [],
    ),
    (
        "activity_items",
        _("Aktivitetsplan"),
        [("activity", _("Aktivitet")), ("responsible", _("Ansvarig"))],
        [("starts_on", _("Start")), ("done_by", _("Klart")), ("goal", _("Mål"))],
    ),
    # A report's follow-up (`plans.reports`): what it reported of each goal, insats and budget row.
    ("goal_report", _("Måluppfyllelse"), [("label", _("Mål")), ("indicators", _("Indikatorer"))], []),
    (
        "intervention_report",
        _("Insatsernas uppföljning"),
        [("label", _("Insats")), ("report", _("Rapport"))],
        [("participants", _("Deltagare"))],
    ),
    ("budget_outcome", _("Budget och utfall"), [], []),
    ("equity", _("Eget kapital"), [], []),
]

# The figures of a report's rows that the diff compares, by their frozen names.
REPORT_FIGURES = [
    ("budget", _("Budget")),
    ("outcome", _("Utfall")),
    ("forecast", _("Prognos helår")),
    ("opening", _("Eget kapital vid årets början")),
    ("result", _("Årets resultat")),
    ("closing", _("Eget kapital vid årets slut")),
]

PLAN_FIELDS = [
    ("title", _("Titel"), "text"),
    ("deficit_explanation", _("Motivering till underskott"), "text"),
    ("first_year", _("Första år"), "value"),
    ("years", _("Antal år"), "value"),
    ("unit", _("Enhet i tabeller"), "value"),
    ("decimals", _("Decimaler"), "value"),
    ("costs_negative", _("Kostnader som negativa tal"), "value"),
    ("columns", _("Kolumner"), "value"),
    ("opening_equity", _("Ingående eget kapital"), "amount"),
]


# Fields the document renders as Markdown: what changed in them is shown formatted (`plans.markup_diff`).
MARKDOWN_FIELDS = {
    ("chapters", "body"),
    ("goals", "description"),
    ("goals", "indicators"),
    ("goal_report", "indicators"),
    ("intervention_report", "report"),
    ("target_groups", "description"),
    ("control_items", "control_step"),
    ("communication_items", "channel"),
    *(
        ("interventions", name)
        for name in ("purpose", "target_group", "goals_short", "goals_long", "actions", "follow_up")
    ),
    ("interventions", "steering"),
    ("interventions", "implementation"),
}


def _indicators_text(indicators: list[dict]) -> str:
    """A goal's indicators as a Markdown list, one item each (a new, changed or removed indicator is a
    list item inserted, changed or deleted)."""
    lines = []
    for indicator in indicators:
        line = " ".join(_text(indicator["text"]).split())
        if indicator.get("target"):
            line += f" (målvärde: {indicator['target']})"
        if indicator.get("method"):
            line += f" [{' '.join(_text(indicator['method']).split())}]"
        lines.append(f"- {line}")
    return "\n".join(lines)


def _outcomes_text(indicators: list[dict]) -> str:
    """A report's indicators as a Markdown list: each with its outcome and judgement."""
    lines = []
    for indicator in indicators:
        line = f"- {' '.join(_text(indicator['text']).split())}: {indicator.get('value') or '–'}"
        line += f" ({indicator.get('judgement_label', '')})"
        if indicator.get("comment"):
            line += f" {' '.join(_text(indicator['comment']).split())}"
        lines.append(line)
    return "\n".join(lines)


def _section_items(content: dict, key: str) -> list[dict]:
    """The items of one section of frozen content, each with its `key` and `label`."""
    if key == "budget":
        return content.get("budget", {}).get("rows", [])
    if key == "goal_report":
        return [goal | {"label": goal["title"]} for goal in content.get("goal_report", {}).get("goals", [])]
    if key == "intervention_report":
        return [row | {"label": row["name"]} for row in content.get("intervention_report", [])]
    if key == "budget_outcome":
        rows = content.get("budget_outcome", {}).get("rows", [])
        return [row for row in rows if row["kind"] not in ("section", "group")]
    if key == "equity":
        equity = content.get("equity")
        return [equity | {"key": "equity", "label": str(_("Eget kapital"))}] if equity else []
    return content.get(key, [])


def _field_value(section: str, item: dict, name: str):
    if section == "goals" and name == "indicators":
        return _indicators_text(item.get("indicators", []))
    if section == "goal_report" and name == "indicators":
        return _outcomes_text(item.get("indicators", []))
    if section == "intervention_report" and name == "participants":
        actual = item.get("actual", {})
        labels = (
            ("women", _("Kvinnor")),
            ("men", _("Män")),
            ("unstated", _("Ej angivet")),
            ("total", _("Totalt")),
        )
        return ", ".join(f"{label} {actual.get(gender) if actual.get(gender) is not None else '–'}"
                         for gender, label in labels)  # fmt: skip
    value = item.get(name)
    return "" if value is None else value


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def _similarity(a: dict, b: dict) -> float:
    return difflib.SequenceMatcher(
        None, str(a.get("label", "")), str(b.get("label", "")), autojunk=False
    ).ratio()


def _match(
    old_items: list[dict], new_items: list[dict]
) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """Pairs of (old, new) matched by key, then by equal label, then by a similar label (a heading
    whose year moved on with the plan); the rest are removed and added."""
    old_by_key = {item["key"]: item for item in old_items}
    pairs: list[tuple[dict, dict]] = []
    unmatched_new: list[dict] = []
    used: set[str] = set()
    for item in new_items:
        old = old_by_key.get(item["key"])
        if old is not None and old["key"] not in used:
            pairs.append((old, item))
            used.add(old["key"])
        else:
            unmatched_new.append(item)
    old_by_label: dict[str, list[dict]] = {}
    for item in old_items:
        if item["key"] not in used:
            old_by_label.setdefault(item.get("label", ""), []).append(item)
    still_unmatched = []
    for item in unmatched_new:
        candidates = old_by_label.get(item.get("label", ""))
        if candidates:
            old = candidates.pop(0)
            pairs.append((old, item))
            used.add(old["key"])
        else:
            still_unmatched.append(item)
    added = []
    for item in still_unmatched:
        scored = [(_similarity(old, item), old) for old in old_items if old["key"] not in used]
        best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        if best[1] is not None and best[0] >= SIMILAR_LABEL:
            pairs.append((best[1], item))
            used.add(best[1]["key"])
        else:
            added.append(item)
    removed = [item for item in old_items if item["key"] not in used]
    return pairs, removed, added


def _item_text(section: str, item: dict, text_fields: list[tuple[str, Any]]) -> str:
    for name, _label in text_fields[1:]:
        value = _field_value(section, item, name)
        if value:
            return str(value)
    return ""


def _amount_changes(old: dict, new: dict, label_for: Any) -> list[FieldChange]:
    """One `amount` change per year that both sides have and whose amount differs."""
    changes = []
    for year in new:
        if year in old and _decimal(old[year]) != _decimal(new[year]):
            changes.append(
                FieldChange(
                    label=label_for(year), kind="amount", old=_decimal(old[year]), new=_decimal(new[year])
                )
            )
    return changes


def _plan_changes(old: dict, new: dict) -> list[FieldChange]:
    changes = []
    for name, label, kind in PLAN_FIELDS:
        before, after = old.get(name), new.get(name)
        if name == "columns":
            before = ", ".join(column["label"] for column in before or [])
            after = ", ".join(column["label"] for column in after or [])
        if kind == "text":
            before, after = _text(before), _text(after)
        if before == after:
            continue
        if kind == "text":
            changes.append(FieldChange(str(label), "text", ops=word_diff(before, after)))
        elif kind == "amount":
            changes.append(FieldChange(str(label), "amount", old=_decimal(before), new=_decimal(after)))
        else:
            changes.append(FieldChange(str(label), "value", old=before, new=after))
    return changes


def snapshot_diff(old: dict[str, Any], new: dict[str, Any]) -> SnapshotDiff:
    """What changed from `old` to `new` (two `snapshot_content` results); see the module docstring."""
    sections: list[SectionDiff] = []
    plan_changes = _plan_changes(old.get("plan", {}), new.get("plan", {}))
    if plan_changes:
        sections.append(
            SectionDiff("plan", str(_("Planen")), [ItemChange("changed", str(_("Planen")), plan_changes)])
        )

    for key, title, text_fields, value_fields in SECTIONS:
        old_items, new_items = _section_items(old, key), _section_items(new, key)
        pairs, removed, added = _match(old_items, new_items)
        items: list[ItemChange] = []
        for before, after in pairs:
            changes: list[FieldChange] = []
            for name, label in text_fields:
                a, b = _text(_field_value(key, before, name)), _text(_field_value(key, after, name))
                if a == b:
                    continue
                if (key, name) in MARKDOWN_FIELDS:
                    changes.append(FieldChange(str(label), "markup", html=markup_diff(a, b)))
                else:
                    changes.append(FieldChange(str(label), "text", ops=word_diff(a, b)))
            for name, label in value_fields:
                a, b = _field_value(key, before, name), _field_value(key, after, name)
                if a != b:
                    changes.append(FieldChange(str(label), "value", old=a, new=b))
            if key == "interventions":
                changes += _amount_changes(
                    before.get("grants", {}),
                    after.get("grants", {}),
                    lambda year: _("Beviljat %(year)s") % {"year": year},
                )
            if key == "budget":
                changes += _amount_changes(before.get("amounts", {}), after.get("amounts", {}), str)
            if key in ("budget_outcome", "equity"):
                changes += _amount_changes(
                    {str(label): before[name] for name, label in REPORT_FIGURES if name in before},
                    {str(label): after[name] for name, label in REPORT_FIGURES if name in after},
                    str,
                )
            if changes:
                items.append(ItemChange("changed", _display_label(key, after), changes))
        for status, changed_items in (("removed", removed), ("added", added)):
            for item in changed_items:
                items.append(
                    ItemChange(
                        status,
                        _display_label(key, item),
                        text=_item_text(key, item, text_fields),
                        html=_item_html(key, item, text_fields),
                        amounts=_item_amounts(key, item),
                    )
                )
        if key == "budget":
            items += _notes_changes(old.get("budget", {}), new.get("budget", {}))
        if items:
            sections.append(SectionDiff(key, str(title), items))
    return SnapshotDiff(sections)


def _notes_changes(old: dict, new: dict) -> list[ItemChange]:
    """The notes printed under the budget table (a deviation marked as the source document's own
    error), as one item: added, removed or changed."""
    before, after = "\n".join(old.get("notes", [])), "\n".join(new.get("notes", []))
    if before == after:
        return []
    label = str(_("Noter under budgettabellen"))
    if not before:
        return [ItemChange("added", label, text=after)]
    if not after:
        return [ItemChange("removed", label, text=before)]
    return [ItemChange("changed", label, [FieldChange(label, "text", ops=word_diff(before, after))])]


def _item_html(section: str, item: dict, text_fields: list[tuple[str, Any]]) -> SafeString | None:
    """What an added or removed item says, formatted: its formatted fields, each under its label."""
    parts = []
    for name, label in text_fields[1:]:
        value = _text(_field_value(section, item, name))
        if value.strip():
            body = rendered(value) if (section, name) in MARKDOWN_FIELDS else f"<p>{escape(value)}</p>"
            parts.append(f'<p class="change__field">{escape(label)}</p>{body}')
    # Safe: each part is a label we escape and sanitised Markdown (`rendered`) or an escaped text.
    return SafeString("".join(parts)) if parts else None


def _display_label(section: str, item: dict) -> str:
    if section == "budget":
        if item.get("section") == "total":
            return item["name"]
        return f"{item['group']}: {item['name']}"
    if section == "chapters":
        return item["heading"]
    return item.get("label", "")


def _item_amounts(section: str, item: dict) -> list[tuple[str, Decimal | None]]:
    if section == "budget":
        return [(year, _decimal(amount)) for year, amount in item.get("amounts", {}).items()]
    if section == "interventions":
        return [
            (str(_("Beviljat %(year)s") % {"year": year}), _decimal(amount))
            for year, amount in item.get("grants", {}).items()
        ]
    return []
