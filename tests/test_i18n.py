"""English next to Swedish: the language switch, pages in English, and a complete, compiled catalogue."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import translation

from finsam.models import Association, Membership
from finsam.site.demo.loader import DEMO_PASSWORD, load_association
from finsam.site.demo.reading import demo_files, read_demo_file
from plans import review
from plans.models import Plan, Stance

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"


@pytest.fixture(autouse=True)
def _language_restored():
    """A request with English leaves English active in the thread; the next test must not inherit it."""
    previous = translation.get_language()
    yield
    if previous:
        translation.activate(previous)
    else:
        translation.deactivate()


@pytest.fixture
def demo(db):
    """One real association from the demo data (Östra Värmland), with its plan and users."""
    data = next(d for d in map(read_demo_file, demo_files()) if d["slug"] == "ostra-varmland")
    load_association(data)
    return Association.objects.get(slug="ostra-varmland")


def visible_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def switch_language(client, language: str, next_url: str = "/"):
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response.url == next_url
    return response


def test_login_page_is_swedish_by_default_and_english_after_the_switch(client):
    url = reverse("login")
    swedish = client.get(url)
    assert '<html lang="sv">' in swedish.content.decode()
    assert "Logga in" in visible_text(swedish)
    assert "Lösenord" in visible_text(swedish)
    assert "Log in" not in visible_text(swedish)
    # The switch in the header offers the other language.
    assert 'name="language" value="en"' in swedish.content.decode()

    switch_language(client, "en", url)
    english = client.get(url)
    text = visible_text(english)
    assert '<html lang="en">' in english.content.decode()
    assert "Log in" in text
    assert "Password" in text
    assert "Forgot your password?" in text
    assert "Logga in" not in text
    assert 'name="language" value="sv"' in english.content.decode()

    # And back again.
    switch_language(client, "sv", url)
    assert "Logga in" in visible_text(client.get(url))


def test_a_wrong_password_is_explained_in_english(client, demo):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("login"), {"username": "chef.ostra-varmland", "password": "fel"})
    assert response.status_code == 200
    # Django's own message, in English rather than Swedish.
    assert "Please enter a correct username and password" in visible_text(response)


def test_association_and_plan_pages_in_english(client, demo):
    plan = Plan.objects.get(association=demo)
    client.login(username="chef.ostra-varmland", password=DEMO_PASSWORD)
    association_url = reverse("association", kwargs={"association": demo.slug})
    plan_url = reverse("plan_detail", kwargs={"association": demo.slug, "pk": plan.pk})

    swedish_plan = visible_text(client.get(plan_url))
    assert "Intäkter" in swedish_plan
    assert "Kostnader" in swedish_plan

    switch_language(client, "en", association_url)
    association = client.get(association_url)
    assert association.status_code == 200
    text = visible_text(association)
    assert "New plan" in text
    assert "Plans per year" in text
    assert "Log out" in text
    assert "Ny verksamhetsplan" not in text

    page = client.get(plan_url)
    assert page.status_code == 200
    text = visible_text(page)
    for english in ("Budget", "Revenue", "Costs", "Result", "Total revenue", "Total costs"):
        assert english in text, english
    for swedish in ("Intäkter", "Summa kostnader", "Logga ut", "Redigera planen"):
        assert swedish not in text, swedish
    # The association's own content (names, chapter text) stays as written.
    assert demo.name in text


def test_interventions_page_in_english(client, demo):
    client.force_login(get_user_model().objects.get(username="chef.ostra-varmland"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("intervention_list", kwargs={"association": demo.slug}))
    assert response.status_code == 200
    text = visible_text(response)
    assert "Granted per year" in text
    assert "New intervention" in text
    assert "Beviljat per år" not in text


def test_a_board_member_reading_english_still_sends_the_chief_a_swedish_mail(
    db, django_capture_on_commit_callbacks
):
    from tests.test_review_transitions import build_world

    world = build_world("in_review")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        review.plan_stance_record(
            plan=world.plan, by=world.user(Membership.Role.BOARD), stance=Stance.Kind.APPROVE, comment=""
        )
    body = mail.outbox[0].body
    assert "tillstyrker" in body
    assert "Planens status är nu: tillstyrkt." in body
    assert "approve" not in body.lower()


# The catalogue ---------------------------------------------------------------------------------


def parse_po(path: Path) -> list[dict]:
    """A small .po reader (no extra dependency): entries with msgid, plural, msgstr(s) and flags."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += value
            else:
                entry[field] += value
        else:
            keyword, _, value = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d)\]", keyword)
            if match:
                field = ("msgstr", int(match.group(1)))
                entry["msgstr"][field[1]] = ast.literal_eval(value)
            elif keyword == "msgstr":
                field = ("msgstr", 0)
                entry["msgstr"][0] = ast.literal_eval(value)
            else:
                field = keyword
                entry[field] = ast.literal_eval(value)
    finish()
    return entries


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd%]|<[^>]+>")


def test_catalogue_is_complete_without_fuzzy_entries_and_keeps_placeholders():
    entries = [e for e in parse_po(PO) if e["msgid"]]
    assert len(entries) > 1000
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    assert untranslated == []
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert fuzzy == []
    plurals = [e for e in entries if "msgid_plural" in e]
    assert plurals and all(sorted(e["msgstr"]) == [0, 1] for e in plurals)
    broken = []
    for e in entries:
        sources = [e["msgid"], e.get("msgid_plural", e["msgid"])]
        for index, text in e["msgstr"].items():
            source = sources[min(index, 1)]
            if "no-python-format" in e["flags"]:
                continue
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                broken.append((source, text))
    assert broken == []


def test_compiled_catalogue_matches_the_po_file():
    """The committed .mo is what `make run` serves: it must hold exactly the translations of the .po."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    expected = {}
    for e in parse_po(PO):
        if not e["msgid"]:
            continue
        if "msgid_plural" in e:
            for index, text in e["msgstr"].items():
                expected[(e["msgid"], index)] = text
        else:
            expected[e["msgid"]] = e["msgstr"][0]
    compiled.pop("", None)
    stale = {key for key in expected.keys() | compiled.keys() if expected.get(key) != compiled.get(key)}
    assert sorted(map(str, stale)) == [], "run `manage.py compilemessages` and commit django.mo"
