"""The chief's plan editor in Chromium: create next year's plan, edit a chapter with the Markdown preview,
reorder chapters from the keyboard, and meet a second person's edit of the same chapter."""

import re

import pytest
from playwright.sync_api import expect

from plans.models import Plan
from plans.rollover import plan_rollover

pytestmark = pytest.mark.browser

SLUG = "ostra-varmland"  # the largest demo plan: 17 chapters, 7 goals
CHIEF = f"chef.{SLUG}"
SMALL = "gavleborg"  # a smaller page keeps the editing scenarios quick


@pytest.fixture
def draft(demo_loader):
    """Next year's draft, rolled over from the demo association's adopted plan."""
    demo_loader(SMALL)
    adopted = Plan.objects.get(association__slug=SMALL, state=Plan.State.ADOPTED)
    return plan_rollover(source=adopted, by=None)


def editor_path(plan):
    return f"/f/{plan.association.slug}/planer/{plan.pk}/redigera/"


def chapter_row(page, chapter):
    return page.locator(f"#kapitel-{chapter.pk}")


def mark_page(page):
    """A flag on `window` that a page load would wipe: proves the edits happen without a reload."""
    page.evaluate("window.finsamNoReload = true")


def assert_not_reloaded(page):
    assert page.evaluate("window.finsamNoReload === true"), "the page was reloaded"


def test_the_chief_creates_next_years_plan_from_the_adopted_one(
    page, demo_loader, login, axe_check, htmx_settled
):
    demo_loader(SLUG)
    login(page, CHIEF)
    page.goto(f"/f/{SLUG}/")
    page.get_by_role("link", name="Ny verksamhetsplan").click()
    expect(page.get_by_role("heading", name="Ny verksamhetsplan", level=1)).to_be_visible()
    axe_check(page)

    expect(page.get_by_role("combobox", name="Utgå från")).to_contain_text("Verksamhetsplan 2022")
    page.get_by_role("button", name="Skapa planen från den valda").click()  # a plain form: no htmx

    plan = Plan.objects.get(association__slug=SLUG, first_year=2023)
    expect(page).to_have_url(re.compile(re.escape(editor_path(plan)) + "$"))
    expect(page.locator("#messages")).to_contain_text("Planen är skapad från")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2023")
    expect(page.locator("#kapitel-lista li.part")).to_have_count(plan.chapters.count())
    axe_check(page)

    # The checks beside the plan: the deficit is a warning until the chief explains it.
    checks = page.locator("#kontroller")
    deficit = checks.locator(".finding", has_text="inte i balans")
    expect(deficit).to_have_class(re.compile("finding--warning"))
    mark_page(page)
    htmx_settled(page)
    deficit.get_by_role("link", name="Skriv motivering").click()
    page.locator("#installningar-andra").click()
    htmx_settled(page)
    page.get_by_label("Motivering till underskott").fill("Vi använder överskottet från tidigare år.")
    page.locator("#installningar").get_by_role("button", name="Spara").click()
    expect(page.locator("#messages")).to_contain_text("Sparat: planens inställningar.")
    expect(checks.locator(".finding", has_text="inte i balans")).to_have_class(re.compile("finding--info"))
    expect(checks).to_contain_text("Vi använder överskottet från tidigare år.")
    assert_not_reloaded(page)


def test_a_chapter_is_edited_in_place_with_a_markdown_preview(page, draft, login, axe_check, htmx_settled):
    chapter = draft.chapters.order_by("position", "id").first()
    login(page, f"chef.{SMALL}")
    page.goto(editor_path(draft))
    mark_page(page)

    row = chapter_row(page, chapter)
    row.get_by_role("link", name=re.compile("^Ändra")).click()
    heading = row.get_by_label("Rubrik")
    expect(heading).to_be_focused()
    htmx_settled(page)
    heading.fill("Förbundets uppdrag")
    row.get_by_label("Text (Markdown)").fill("Vi ska **samverka** mer.\n\n<script>window.hacked = 1</script>")
    row.get_by_role("button", name="Förhandsgranska").click()
    preview = row.locator(f"#kapitel-{chapter.pk}-forhandsgranskning")
    expect(preview.locator("strong")).to_have_text("samverka")
    expect(preview.locator("script")).to_have_count(0)
    axe_check(page)  # with the form open

    row.get_by_role("button", name="Spara").click()
    expect(row.get_by_role("heading", level=3)).to_contain_text("Förbundets uppdrag")
    expect(page.locator("#messages")).to_contain_text("Sparat: kapitel ”Förbundets uppdrag”.")
    expect(row.get_by_role("link", name=re.compile("^Ändra"))).to_be_focused()
    assert_not_reloaded(page)
    assert page.evaluate("window.hacked === undefined")
    chapter.refresh_from_db()
    assert chapter.heading == "Förbundets uppdrag" and chapter.version == 2

    # Invalid input: the message next to the field, the input kept, nothing saved.
    row.get_by_role("link", name=re.compile("^Ändra")).click()
    htmx_settled(page)
    row.get_by_label("Rubrik").fill("")
    row.get_by_role("button", name="Spara").click()
    expect(row.locator(".errorlist")).to_have_text("Detta fält måste fyllas i.")
    expect(row.get_by_label("Rubrik")).to_have_attribute("aria-invalid", "true")
    expect(row.get_by_label("Text (Markdown)")).to_have_value(re.compile("samverka"))
    chapter.refresh_from_db()
    assert chapter.heading == "Förbundets uppdrag"


def test_chapters_are_reordered_from_the_keyboard(page, draft, login, htmx_settled):
    first, second = draft.chapters.order_by("position", "id")[:2]
    login(page, f"chef.{SMALL}")
    page.goto(editor_path(draft))
    mark_page(page)

    down = page.locator(f"#kapitel-{first.pk}-ner")
    htmx_settled(page)
    down.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#kapitel-lista > ol > li").nth(1)).to_have_id(f"kapitel-{first.pk}")
    expect(page.locator("#messages")).to_contain_text(f"till plats 2 av {draft.chapters.count()}")
    # The focus stays on the same button in the new list, so the chief can keep pressing.
    expect(page.locator(f"#kapitel-{first.pk}-ner")).to_be_focused()
    htmx_settled(page)
    page.keyboard.press("Enter")
    expect(page.locator("#kapitel-lista > ol > li").nth(2)).to_have_id(f"kapitel-{first.pk}")
    htmx_settled(page)

    page.keyboard.press("Shift+Tab")  # to "Flytta upp" of the same chapter
    expect(page.locator(f"#kapitel-{first.pk}-upp")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#kapitel-lista > ol > li").nth(1)).to_have_id(f"kapitel-{first.pk}")
    assert_not_reloaded(page)
    order = list(draft.chapters.values_list("pk", flat=True)[:2])
    assert order == [second.pk, first.pk]


def test_chapters_can_also_be_dragged_and_dropped(page, draft, login, htmx_settled):
    first, second, third = draft.chapters.order_by("position", "id")[:3]
    login(page, f"chef.{SMALL}")
    page.goto(editor_path(draft))
    mark_page(page)
    htmx_settled(page)
    page.locator(f"#kapitel-{first.pk} .part__handle").drag_to(page.locator(f"#kapitel-{third.pk}"))
    expect(page.locator("#kapitel-lista > ol > li").nth(2)).to_have_id(f"kapitel-{first.pk}")
    expect(page.locator("#messages")).to_contain_text("till plats 3 av")
    assert_not_reloaded(page)
    assert list(draft.chapters.values_list("pk", flat=True)[:3]) == [second.pk, third.pk, first.pk]


def test_a_second_person_editing_the_same_chapter_gets_the_conflict_message(
    new_page, draft, login, axe_check, htmx_settled
):
    chapter = draft.chapters.order_by("position", "id").first()
    mine, theirs = new_page(), new_page()
    for page in (mine, theirs):
        login(page, f"chef.{SMALL}")
        page.goto(editor_path(draft))
        chapter_row(page, chapter).get_by_role("link", name=re.compile("^Ändra")).click()
        expect(chapter_row(page, chapter).get_by_label("Rubrik")).to_be_visible()
        htmx_settled(page)

    chapter_row(theirs, chapter).get_by_label("Rubrik").fill("Deras rubrik")
    chapter_row(theirs, chapter).get_by_role("button", name="Spara").click()
    expect(theirs.locator("#messages")).to_contain_text("Sparat")

    row = chapter_row(mine, chapter)
    row.get_by_label("Rubrik").fill("Min rubrik")
    row.get_by_role("button", name="Spara").click()
    expect(row.get_by_role("alert")).to_contain_text("Någon annan har ändrat detta medan du skrev")
    expect(row.locator(".conflict__theirs")).to_contain_text("Deras rubrik")
    expect(row.get_by_label("Rubrik")).to_have_value("Min rubrik")
    expect(mine.locator("#messages")).to_contain_text("Någon annan har ändrat detta")
    axe_check(mine)
    chapter.refresh_from_db()
    assert chapter.heading == "Deras rubrik"
    htmx_settled(mine)

    row.get_by_role("button", name="Behåll min version").click()
    expect(row.get_by_role("heading", level=3)).to_contain_text("Min rubrik")
    chapter.refresh_from_db()
    assert chapter.heading == "Min rubrik" and chapter.version == 3


def test_a_save_refused_because_the_plan_was_locked_meanwhile_is_announced(page, draft, login, htmx_settled):
    chapter = draft.chapters.order_by("position", "id").first()
    login(page, f"chef.{SMALL}")
    page.goto(editor_path(draft))
    row = chapter_row(page, chapter)
    row.get_by_role("link", name=re.compile("^Ändra")).click()
    htmx_settled(page)
    row.get_by_label("Rubrik").fill("För sent")
    Plan.objects.filter(pk=draft.pk).update(state=Plan.State.IN_REVIEW)  # sent to the board meanwhile
    row.get_by_role("button", name="Spara").click()
    expect(page.locator("#messages")).to_contain_text("du kan inte längre ändra planen")
    expect(row.get_by_label("Rubrik")).to_have_value("För sent")  # the text is still there to copy
    chapter.refresh_from_db()
    assert chapter.heading != "För sent"
