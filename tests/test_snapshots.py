"""Frozen versions and what changed between them: texts word by word, numbers old → new, items added
and removed."""

import copy
import re
from decimal import Decimal

import pytest

from interventions.models import Grant
from plans.diff import snapshot_diff, word_diff
from plans.models import Chapter
from plans.snapshots import snapshot_content
from tests.factories import (
    BudgetAmountFactory,
    BudgetLineFactory,
    ChapterFactory,
    GrantFactory,
    InterventionFactory,
    PlanInterventionFactory,
)
from tests.test_review_transitions import build_world


def joined(pieces, ops):
    return "".join(text for op, text in pieces if op in ops)


def test_word_diff_marks_changed_words_and_keeps_both_texts():
    old = "Förbundet finansierar insatser för personer i behov av samordnad rehabilitering."
    new = "Förbundet finansierar fler insatser för unga i behov av samordnad rehabilitering."
    pieces = word_diff(old, new, context=None)
    assert joined(pieces, {"equal", "delete"}) == old
    assert joined(pieces, {"equal", "insert"}) == new
    changes = [(op, text.strip()) for op, text in pieces if op != "equal"]
    assert changes == [("insert", "fler"), ("delete", "personer"), ("insert", "unga")]
    assert pieces[0][1].strip() == "Förbundet finansierar"


def test_a_new_paragraph_after_the_last_word_is_one_insertion():
    pieces = word_diff("Första stycket.", "Första stycket.\n\nAndra stycket.")
    assert [op for op, _text in pieces] == ["equal", "insert"]
    assert pieces[1][1] == "\n\nAndra stycket."


def test_word_diff_of_equal_texts_has_no_changes_and_empty_texts_work():
    assert word_diff("Samma text.", "Samma text.") == [("equal", "Samma text.")]
    assert word_diff("", "Ny text") == [("insert", "Ny text")]
    assert word_diff("Gammal text", "") == [("delete", "Gammal text")]


def test_word_diff_shortens_long_unchanged_stretches():
    words = " ".join(f"ord{n}" for n in range(200))
    pieces = word_diff(words + " slut.", words + " slutet.")
    ops = [op for op, _text in pieces]
    assert ops == ["skip", "equal", "delete", "insert"]
    assert len(pieces[1][1].split()) == 12  # the context kept before the change
    assert ("delete", "slut.") in pieces and ("insert", "slutet.") in pieces


CONTENT = {
    "plan": {"title": "Verksamhetsplan 2027", "first_year": 2027, "opening_equity": "1000000", "columns": []},
    "chapters": [
        {
            "key": "chapter-1",
            "label": "Inledning",
            "heading": "Inledning",
            "body": "Vi arbetar med samverkan.",
            "level": 1,
            "kind": "text",
        },
        {
            "key": "chapter-2",
            "label": "Historik",
            "heading": "Historik",
            "body": "Bildat 2009.",
            "level": 1,
            "kind": "text",
        },
    ],
    "goals": [],
    "target_groups": [],
    "board": [],
    "staff": [],
    "interventions": [
        {
            "key": "intervention-7",
            "label": "Vägen till arbete",
            "name": "Vägen till arbete",
            "status": "Beviljad",
            "grants": {"2027": "600000"},
            "purpose": "Stöd.",
        },
    ],
    "control_items": [],
    "communication_items": [],
    "activity_items": [],
    "budget": {
        "years": [2027],
        "rows": [
            {
                "key": "line-3",
                "label": "Kostnader / Administration / Förbundschef",
                "section": "costs",
                "group": "Administration",
                "name": "Förbundschef",
                "kind": "line",
                "amounts": {"2027": "900000"},
            },
        ],
    },
}


def test_diff_of_identical_contents_is_empty():
    assert snapshot_diff(CONTENT, copy.deepcopy(CONTENT)).is_empty


def test_diff_shows_text_number_and_item_changes():
    new = copy.deepcopy(CONTENT)
    new["chapters"][0]["body"] = "Vi arbetar med finansiell samverkan."
    del new["chapters"][1]
    new["interventions"][0]["grants"]["2027"] = "650000"
    new["interventions"].append(
        {
            "key": "intervention-9",
            "label": "Unga vuxna",
            "name": "Unga vuxna",
            "grants": {"2027": "200000"},
            "purpose": "För unga.",
        }
    )
    new["budget"]["rows"][0]["amounts"]["2027"] = "920000"
    new["plan"]["opening_equity"] = "1100000"

    diff = snapshot_diff(CONTENT, new)
    sections = {section.key: section for section in diff.sections}
    assert set(sections) == {"plan", "chapters", "interventions", "budget"}

    chapter_changes = {item.label: item for item in sections["chapters"].items}
    body = chapter_changes["Inledning"].fields[0]
    assert (body.label, body.kind) == ("Text", "markup")  # formatted: tests/test_markup_diff.py
    assert re.findall(r"<(ins|del)>(?:<span[^>]*>[^<]*</span>)?([^<]*)", body.html) == [("ins", "finansiell")]
    assert chapter_changes["Historik"].status == "removed"
    assert chapter_changes["Historik"].text == "Bildat 2009."

    interventions = {item.label: item for item in sections["interventions"].items}
    grant = interventions["Vägen till arbete"].fields[0]
    assert (grant.kind, grant.label, grant.old, grant.new) == (
        "amount",
        "Beviljat 2027",
        Decimal(600000),
        Decimal(650000),
    )
    assert interventions["Unga vuxna"].status == "added"
    assert interventions["Unga vuxna"].amounts == [("Beviljat 2027", Decimal(200000))]

    line = sections["budget"].items[0]
    assert (line.label, line.fields[0].old, line.fields[0].new) == (
        "Administration: Förbundschef",
        Decimal(900000),
        Decimal(920000),
    )
    equity = sections["plan"].items[0].fields[0]
    assert (equity.label, equity.old, equity.new) == (
        "Ingående eget kapital",
        Decimal(1000000),
        Decimal(1100000),
    )
    assert diff.count == 6


def test_items_are_matched_by_label_when_their_keys_differ():
    """Next year's plan has new ids for the same chapters: unchanged ones are no change at all."""
    new = copy.deepcopy(CONTENT)
    for number, chapter in enumerate(new["chapters"], start=11):
        chapter["key"] = f"chapter-{number}"
    new["chapters"][1]["body"] = "Bildat 2009 av fyra parter."
    diff = snapshot_diff(CONTENT, new)
    [section] = diff.sections
    [item] = section.items
    assert (item.status, item.label) == ("changed", "Historik")


def test_line_breaks_posted_as_cr_lf_are_no_change():
    """A textarea posted without htmx (no JavaScript, or a click before htmx wired the form up) sends
    its line breaks as CR LF, htmx as LF: "what changed" shows the added sentence, not the paragraph
    breaks, and a text that differs only in its line breaks is no change at all."""
    old = copy.deepcopy(CONTENT)
    old["chapters"][0]["body"] = "Första stycket.\n\nAndra stycket."
    old["plan"]["deficit_explanation"] = "Överskott från 2026.\nEtt engångsbelopp."

    same = copy.deepcopy(old)
    same["chapters"][0]["body"] = "Första stycket.\r\n\r\nAndra stycket."
    same["plan"]["deficit_explanation"] = "Överskott från 2026.\r\nEtt engångsbelopp."
    assert snapshot_diff(old, same).is_empty

    added = copy.deepcopy(same)
    added["chapters"][0]["body"] += "\r\n\r\nTredje stycket."
    [section] = snapshot_diff(old, added).sections
    [item] = section.items
    [body] = item.fields
    assert re.findall(r"<(ins|del)>(?:<span[^>]*>[^<]*</span>)?([^<]*)", body.html) == [
        ("ins", "Tredje stycket.")
    ]


@pytest.mark.django_db
def test_snapshot_content_holds_what_the_document_shows():
    world = build_world()
    content = snapshot_content(world.plan)
    assert [chapter["heading"] for chapter in content["chapters"]] == [
        "Inledning",
        "Mål",
        "Insatser",
        "Budget",
    ]
    assert content["chapters"][0]["number"] == "1"
    assert content["goals"][0]["indicators"][0]["target"] == "minst 50 %"
    [intervention] = content["interventions"]
    assert intervention["grants"] == {"2027": "600000"}
    assert intervention["partners"]
    rows = {row["name"]: row for row in content["budget"]["rows"]}
    assert rows["Förbundschef"]["amounts"] == {"2027": "900000", "2028": "920000"}
    assert rows["Vägen till arbete"]["kind"] == "intervention"
    assert rows["Summa kostnader"]["amounts"] == {"2027": "1500000", "2028": "920000"}
    assert content["board"] == []


@pytest.mark.django_db
def test_diff_between_two_states_of_a_plan_in_the_database():
    world = build_world()
    plan = world.plan
    before = snapshot_content(plan)
    Chapter.objects.filter(plan=plan, heading="Inledning").update(
        body="Förbundet arbetar för samverkan mellan alla parterna."
    )
    ChapterFactory(plan=plan, heading="Risk- och väsentlighetsanalys", body="Låg risk.", position=9)
    Grant.objects.filter(year=2027).update(amount=Decimal(550000))
    new_intervention = InterventionFactory(association=plan.association, name="Aktivitetshuset")
    GrantFactory(intervention=new_intervention, year=2027, amount=150000)
    PlanInterventionFactory(plan=plan, intervention=new_intervention, position=2)
    column = plan.budget_columns.get(year=2027)
    BudgetAmountFactory(
        line=BudgetLineFactory(group=plan.budget_groups.get(name="Administration"), name="Revision"),
        column=column,
        amount=40000,
    )

    diff = snapshot_diff(before, snapshot_content(plan))
    by_section = {section.key: {item.label: item for item in section.items} for section in diff.sections}
    html = by_section["chapters"]["Inledning"].fields[0].html
    assert re.findall(r"<(ins|del)>(?:<span[^>]*>[^<]*</span>)?([^<]*)", html) == [("ins", "alla")]
    assert by_section["chapters"]["Risk- och väsentlighetsanalys"].status == "added"
    assert by_section["interventions"]["Vägen till arbete"].fields[0].new == Decimal(550000)
    assert by_section["interventions"]["Aktivitetshuset"].status == "added"
    assert by_section["budget"]["Administration: Revision"].status == "added"
    total = by_section["budget"]["Summa kostnader"].fields[0]
    assert (total.old, total.new) == (Decimal(1500000), Decimal(1500000 - 50000 + 150000 + 40000))


def test_a_heading_whose_year_moved_on_is_the_same_chapter():
    old = copy.deepcopy(CONTENT)
    old["chapters"][0].update(label="Inriktning 2027", heading="Inriktning 2027")
    new = copy.deepcopy(CONTENT)
    new["chapters"][0].update(key="chapter-21", label="Inriktning 2028", heading="Inriktning 2028")
    new["chapters"][1].update(
        key="chapter-22", label="Uppföljning", heading="Uppföljning", body="Varje kvartal."
    )
    [section] = snapshot_diff(old, new).sections
    statuses = sorted((item.status, item.label) for item in section.items)
    assert statuses == [("added", "Uppföljning"), ("changed", "Inriktning 2028"), ("removed", "Historik")]


def test_snapshot_content_is_made_in_the_documents_language(monkeypatch):
    """Labels in the content are translated: made in the user's language, a chair browsing in English
    would see the version the board reviewed as changed, and adoption would be refused."""
    from django.utils import translation

    from plans import snapshots

    languages = []
    monkeypatch.setattr(
        snapshots, "_snapshot_content", lambda plan, doc: languages.append(translation.get_language())
    )
    with translation.override("en"):
        snapshots.snapshot_content(None)
    assert languages == ["sv"]


@pytest.mark.django_db
def test_a_text_posted_without_javascript_is_stored_with_plain_line_breaks():
    """A form posted without htmx sends CR LF; the stored text is the same as with htmx (LF)."""
    from plans.forms import ChapterForm
    from tests.factories import ChapterFactory

    chapter = ChapterFactory(body="Första stycket.\n\nAndra stycket.")
    data = {"heading": chapter.heading, "level": 1, "kind": "text", "version": chapter.version,
            "body": "Första stycket.\r\n\r\nAndra stycket."}  # fmt: skip
    form = ChapterForm(data=data, instance=chapter, plan=chapter.plan)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["body"] == chapter.body
