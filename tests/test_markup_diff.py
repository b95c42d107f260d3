""" "What changed" shows formatted text: the diff of the rendered Markdown, sanitised, for every part kind
(goals' indicators included)."""

import copy
import re

import pytest
from django.template.loader import render_to_string

from plans.diff import snapshot_diff
from plans.markup_diff import html_diff, markup_diff
from tests.test_snapshots import CONTENT

TAG = re.compile(r"</?([a-z0-9]+)")


def tags(markup: str) -> list[str]:
    return [match.group(0) for match in TAG.finditer(markup) if match.group(1) not in ("ins", "del", "span")]


def visible(markup: str) -> str:
    """The markup without the hidden screen-reader hints."""
    return re.sub(r'<span class="visually-hidden">[^<]*</span>', "", markup)


# --- the formatted diff ----------------------------------------------------------------------------


def test_an_inserted_word_is_marked_inside_the_formatted_text():
    html = visible(markup_diff("Vi **arbetar** med samverkan.", "Vi **arbetar** med finansiell samverkan."))
    assert "<strong>arbetar</strong>" in html and "**" not in html
    assert "<ins>finansiell</ins>" in html


def test_a_deleted_word_is_struck_where_it_stood():
    html = visible(markup_diff("Vi arbetar med finansiell samverkan.", "Vi arbetar med samverkan."))
    assert html.startswith("<p>") and "<del>finansiell</del>" in html


def test_the_answer_keeps_the_new_renderings_structure_and_marks_what_went():
    old = "Inledning.\n\n- ett\n- två\n- tre\n\n## Rubrik\n\nSlut."
    new = "Inledning, ändrad.\n\n- ett\n- tre\n- fyra\n\nSlut."
    html = visible(markup_diff(old, new, context=None))
    assert "<ins>, ändrad</ins>" in html
    # Blocks are lined up first: "två" went as a list item, "fyra" came as one, "tre" is unchanged.
    assert '<li class="diff-removed"><del>två</del></li><li>tre</li>' in html
    assert "<li><ins>fyra</ins></li>" in html
    assert '<p class="diff-removed"><del>Rubrik</del></p>' in html  # a deleted heading: marked, not dropped
    for name in ("p", "ul", "li", "del", "ins"):  # the tags balance
        assert html.count(f"<{name}") == html.count(f"</{name}>"), name


def test_a_deleted_list_item_is_a_list_item_and_a_deleted_paragraph_a_paragraph():
    html = visible(markup_diff("- ett\n- två", "- ett"))
    assert html == '<ul>\n<li>ett</li>\n<li class="diff-removed"><del>två</del></li></ul>'
    html = visible(markup_diff("Första.\n\nAndra.", "Första."))
    assert html == '<p>Första.</p><p class="diff-removed"><del>Andra.</del></p>'


def test_markup_typed_by_the_user_stays_text():
    html = markup_diff("Text.", 'Text. <script>alert(1)</script> <img src=x onerror="alert(1)">')
    assert "<script" not in html and "onerror" not in html and "<img" not in html


def test_screen_readers_hear_what_was_added_and_removed():
    html = markup_diff("ett två", "ett tre")
    assert '<span class="visually-hidden">[tillagt: </span>tre' in html
    assert '<span class="visually-hidden">[borttaget: </span>två' in html


def test_long_unchanged_stretches_are_shortened_to_the_blocks_around_a_change():
    paragraphs = [f"Stycke {n} med lite text." for n in range(10)]
    changed = list(paragraphs)
    changed[5] = "Stycke 5 med ny text."
    html = visible(markup_diff("\n\n".join(paragraphs), "\n\n".join(changed)))
    assert "Stycke 4" in html and "Stycke 6" in html  # one block of context each side
    assert "Stycke 1 " not in html and "Stycke 9" not in html
    assert html.count('class="word-diff__skip"') == 2


def test_equal_texts_have_nothing_marked():
    html = html_diff("<p>Samma.</p>", "<p>Samma.</p>", context=None)
    assert html == "<p>Samma.</p>"


# --- every part kind ------------------------------------------------------------------------------


def changed_field(old: dict, new: dict, section: str):
    diff = snapshot_diff(old, new)
    [found] = [s for s in diff.sections if s.key == section]
    [item] = found.items
    return item


def with_item(section: str, item: dict) -> dict:
    content = copy.deepcopy(CONTENT)
    content[section] = [item]
    return content


GOAL = {
    "key": "goal-1",
    "label": "Fler i arbete",
    "title": "Fler i arbete",
    "description": "Minst **hälften** i arbete.",
    "level": "Inriktningsmål",
    "indicators": [{"key": "indicator-1", "text": "Andel i arbete", "target": "50 %", "method": "SUS"}],
}

# (section, item, field changed, new value, what the formatted diff must show)
FORMATTED_CASES = [
    (
        "chapters",
        {"key": "chapter-1", "label": "Inledning", "heading": "Inledning", "body": "Text *kursiv*.", "level": 1,
         "kind": "text"},
        "body",
        "Text *kursiv* och mer.",
        "<em>kursiv</em>",
    ),
    ("goals", GOAL, "description", "Minst **hälften** i arbete eller studier.", "<strong>hälften</strong>"),
    (
        "target_groups",
        {"key": "target-1", "label": "Unga", "name": "Unga", "description": "- 16–29 år"},
        "description",
        "- 16–29 år\n- utan arbete",
        "<li><ins>",
    ),
    (
        "interventions",
        {"key": "intervention-7", "label": "Vägen", "name": "Vägen", "purpose": "Stöd.", "actions": "1. Möte"},
        "actions",
        "1. Möte\n2. Praktik",
        "<ol>",
    ),
    (
        "control_items",
        {"key": "control-1", "label": "Attest", "routine": "Attest", "control_step": "Stickprov *varje* månad"},
        "control_step",
        "Stickprov *varje* vecka",
        "<em>varje</em>",
    ),
    (
        "communication_items",
        {"key": "communication-1", "label": "Parter", "audience": "Parter", "channel": "**Nyhetsbrev**"},
        "channel",
        "**Nyhetsbrev** och webb",
        "<strong>Nyhetsbrev</strong>",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("section", "item", "name", "value", "shows"), FORMATTED_CASES, ids=lambda v: str(v)[:20]
)
def test_each_formatted_part_shows_its_change_formatted(section, item, name, value, shows):
    old = with_item(section, item)
    new = with_item(section, item | {name: value})
    change = changed_field(old, new, section)
    [field] = change.fields
    assert field.kind == "markup"
    assert shows in field.html and "<ins>" in field.html
    assert "**" not in visible(field.html) and "*" not in visible(field.html)


# (section, item, field changed, new value): plain fields keep the word diff.
PLAIN_CASES = [
    ("staff", {"key": "staff-1", "label": "Chef", "title": "Förbundschef", "name": "Anna"}, "name", "Anna Berg"),
    ("board", {"key": "seat-1", "label": "Eva", "person_name": "Eva", "role": "Ledamot", "appointed_by": "FK"},
     "role", "Ordförande"),
    ("activity_items", {"key": "activity-1", "label": "Dialog", "activity": "Dialog", "responsible": "Chef",
                        "starts_on": "2027-01-01", "done_by": "", "goal": ""}, "done_by", "2027-06-30"),
]  # fmt: skip


@pytest.mark.parametrize(("section", "item", "name", "value"), PLAIN_CASES, ids=lambda v: str(v)[:20])
def test_plain_parts_show_their_change_as_before(section, item, name, value):
    change = changed_field(with_item(section, item), with_item(section, item | {name: value}), section)
    assert change.status == "changed" and change.fields[0].kind in ("text", "value")


def test_a_new_changed_or_removed_indicator_shows():
    added = GOAL | {"indicators": [*GOAL["indicators"], {"key": "indicator-2", "text": "Nöjda deltagare",
                                                           "target": "", "method": ""}]}  # fmt: skip
    change = changed_field(with_item("goals", GOAL), with_item("goals", added), "goals")
    [field] = change.fields
    assert (field.label, field.kind) == ("Indikatorer", "markup")
    assert "<li><ins>" in field.html and "Nöjda deltagare" in field.html

    changed = GOAL | {"indicators": [GOAL["indicators"][0] | {"target": "60 %"}]}
    [field] = changed_field(with_item("goals", GOAL), with_item("goals", changed), "goals").fields
    assert "60" in field.html and "<ins>" in field.html and "<del>" in field.html

    removed = GOAL | {"indicators": []}
    [field] = changed_field(with_item("goals", GOAL), with_item("goals", removed), "goals").fields
    assert "<del>" in field.html and "Andel i arbete" in field.html and "<ins>" not in field.html


def test_an_added_or_removed_item_shows_its_text_formatted():
    new = with_item("goals", GOAL)
    old = with_item(
        "goals", GOAL | {"key": "goal-2", "label": "Annat", "title": "Annat mål", "indicators": []}
    )
    diff = snapshot_diff(old, new)
    [goals] = [s for s in diff.sections if s.key == "goals"]
    added = next(item for item in goals.items if item.status == "added")
    assert "<strong>hälften</strong>" in added.html and "<li>Andel i arbete" in added.html


def test_the_changes_template_renders_the_formatted_diff():
    new = with_item("goals", GOAL | {"description": "Minst **två tredjedelar** i arbete."})
    diff = snapshot_diff(with_item("goals", GOAL), new)
    html = render_to_string("plans/changes.html#diff", {"diff": diff, "since": None, "until": None})
    assert '<div class="word-diff word-diff--formatted prose">' in html
    assert "<strong>" in html and "**" not in html
