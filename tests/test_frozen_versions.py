"""Versions the board reviewed stay readable: a version frozen by an earlier finsam renders its text and
figures unchanged today, and what finsam freezes today still holds everything the first format held.

`tests/data/frozen/*.json` hold the demo plans as the first format (1) froze them, with the database ids
taken out (they differ between databases). They are never rewritten: a change to what is frozen bumps
`plans.snapshots.SNAPSHOT_FORMAT` and adds a step to `plans.snapshots.upgrade`, and these tests keep
proving that a format-1 version still renders every text and every figure it froze.
"""

import html
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from finsam.money import format_amount
from finsam.site.demo.loader import load_association
from finsam.site.demo.reading import demo_files, read_demo_file
from plans.document import document_view
from plans.models import Plan
from plans.snapshots import ADDED_IN_FORMAT_2, SNAPSHOT_FORMAT, snapshot_content

FROZEN = Path(__file__).parent / "data" / "frozen"
ID = re.compile(r"^([a-z_-]+-)\d+(-|$)")
TAGS = re.compile(r"<[^>]+>")
MARKDOWN = re.compile(r"[*_#>`\[\]()|]|^\s*[-+]\s+|^\s*\d+\.\s+|(?<!\S)[-:]+(?!\S)", re.M)


def without_ids(value):
    """The content with every database id replaced, so that two loads of the same plan compare equal."""
    if isinstance(value, dict):
        return {k: ("<id>" if k == "id" else without_ids(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [without_ids(item) for item in value]
    if isinstance(value, str):
        return ID.sub(r"\1<id>\2", value)
    return value


def in_format_1(value):
    """Content of today's format with what later formats added taken out."""
    if isinstance(value, dict):
        return {k: in_format_1(v) for k, v in value.items() if k not in ADDED_IN_FORMAT_2}
    if isinstance(value, list):
        return [in_format_1(item) for item in value]
    return value


def first_format(slug: str) -> dict:
    return json.loads((FROZEN / f"{slug}.json").read_text())


def with_ids(value, counter=None):
    """The stored content with a distinct made-up id in every key, as a database would have given."""
    counter = counter if counter is not None else iter(range(1, 100_000))
    if isinstance(value, dict):
        return {
            k: v.replace("<id>", str(next(counter))) if k == "key" else with_ids(v, counter)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [with_ids(item, counter) for item in value]
    return value


def page_text(markup: str) -> str:
    return " ".join(html.unescape(TAGS.sub(" ", markup)).split())


def words(text: str) -> list[str]:
    return MARKDOWN.sub(" ", text or "").split()


@pytest.mark.django_db
@pytest.mark.parametrize("path", demo_files(), ids=lambda path: path.stem)
def test_today_freezes_everything_the_first_format_held(path):
    load_association(read_demo_file(path))
    plan = Plan.objects.get(association__slug=path.stem, state=Plan.State.ADOPTED)
    frozen = first_format(path.stem)
    assert frozen["format"] == 1 and SNAPSHOT_FORMAT == 2
    assert in_format_1(without_ids(snapshot_content(plan)) | {"format": 1}) == frozen


@pytest.mark.django_db
@pytest.mark.parametrize("slug", [path.stem for path in demo_files()])
def test_a_version_frozen_in_the_first_format_renders_its_text_and_figures_today(slug, small_plan):
    """Rendered through today's code and templates, every chapter, goal, intervention, board member and
    budget figure the format-1 version froze is on the page, exactly as frozen."""
    frozen = first_format(slug)
    with translation.override("sv"):
        view = document_view(with_ids(frozen), plan=small_plan)
        text = page_text(render_to_string("plans/document.html", {"doc": view, "plan": small_plan}))
    facts = frozen["plan"]
    assert facts["title"] in text
    for chapter in frozen["chapters"]:
        assert f"{chapter['number']} {chapter['heading']}" in text
        for word in words(chapter["body"]):
            assert html.unescape(word) in text, (chapter["heading"], word)
    for goal in frozen["goals"]:
        assert goal["title"] in text
    for intervention in frozen["interventions"]:
        assert intervention["name"] in text
        assert all(word in text for word in words(intervention["purpose"]))
    for seat in frozen["board"]:
        assert seat["person_name"] in text
    printed = text.replace("\u00a0", " ").replace("\u2009", " ")
    for row in frozen["budget"]["rows"]:
        costs = row["section"] == "costs" or row["key"] == "total-costs"
        for amount in row["amounts"].values():
            if amount is None:
                continue
            figure = (
                format_amount(
                    Decimal(amount),
                    unit=facts["unit"],
                    decimals=facts["decimals"],
                    negate=costs and facts["costs_negative"],
                )
                .replace("\u00a0", " ")
                .replace("\u2009", " ")
            )
            assert figure in printed, (row["label"], amount, figure)
