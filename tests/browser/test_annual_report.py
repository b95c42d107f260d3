"""The annual report in Chromium: the chief starts it from Örnsköldsvik's adopted 2020 plan (whose year the
demo has followed up), writes a chapter and sends it; a board member approves it and the chair records the
board's decision; the archival PDF/A is made; the chief records a member's auditors' report and its
decision on discharge, which the report's page then shows."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from finsam.models import Association
from finsam.site.demo.followup import load_followup_demo
from plans.models import Plan, PlanPdf

pytestmark = pytest.mark.browser

SLUG = "ornskoldsvik"
EVENTS = "Väsentliga händelser under året"
WRITTEN = "Insatserna ställde om till distansstöd under pandemin."


@pytest.fixture
def adopted(demo_loader):
    demo_loader(SLUG)
    association = Association.objects.get(slug=SLUG)
    assert load_followup_demo(association) is not None
    # The year's adopted version (a revised budget adopted during the year, if the demo has one, supersedes
    # the first): the one whose page offers the annual report.
    return Plan.objects.get(
        association=association, kind=Plan.Kind.PLAN, state=Plan.State.ADOPTED, first_year=2020
    )


def path(plan, page=""):
    return f"/f/{SLUG}/planer/{plan.pk}/{page}"


def status_badge(page):
    return page.locator(".review-panel .plan-status .badge")


def fits_390(page):
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_board_adopts_the_annual_report(new_page, adopted, login, axe_check, htmx_settled, settings):
    chief, board, chair = new_page(), new_page(), new_page()

    # The chief starts the annual report on the adopted plan's page.
    login(chief, f"chef.{SLUG}")
    chief.goto(path(adopted))
    expect(chief.locator(".plan-reports")).to_contain_text(
        "Ingen delårsrapport eller årsredovisning är påbörjad."
    )
    axe_check(chief)
    with chief.expect_navigation():
        chief.get_by_role("button", name="Skapa årsredovisning").click()
    report = Plan.objects.get(report_of=adopted, kind=Plan.Kind.ANNUAL_REPORT)
    expect(chief).to_have_url(re.compile(re.escape(path(report)) + "$"))
    expect(chief.locator("#messages")).to_contain_text("är skapad som utkast")
    expect(chief.get_by_role("heading", level=1)).to_have_text(
        "Verksamhetsberättelse och årsredovisning 2020"
    )
    expect(chief.locator(".report-outcome caption")).to_contain_text("Budget och utfall 2020")
    expect(chief.locator("svg.chart")).to_have_count(1)
    axe_check(chief)
    fits_390(chief)

    # A second one is refused, and the plan's page links the first.
    chief.goto(path(adopted))
    with chief.expect_navigation():
        chief.get_by_role("button", name="Skapa årsredovisning").click()
    expect(chief.locator("#messages")).to_contain_text("Planen har redan en verksamhetsberättelse")
    expect(chief.locator(".plan-reports").get_by_role("link", name=report.title)).to_be_visible()

    # The chief writes the chapter on the year's events in the editor, which offers a report's chapters.
    chief.goto(path(report, "redigera/"))
    expect(chief.get_by_role("heading", name="Mål och indikatorer")).to_have_count(0)
    chapter = report.chapters.get(heading=EVENTS)
    row = chief.locator(f"#kapitel-{chapter.pk}")
    row.get_by_role("link", name=re.compile("^Ändra")).click()
    body = row.get_by_label("Text (Markdown)")
    expect(body).to_be_visible()
    htmx_settled(chief)
    expect(row.get_by_label("Innehåll").locator("option[value=goal_report]")).to_have_count(1)
    expect(row.get_by_label("Innehåll").locator("option[value=budget]")).to_have_count(0)
    body.fill(WRITTEN)
    row.get_by_role("button", name="Spara").click()
    expect(chief.locator("#messages")).to_contain_text("Sparat")
    htmx_settled(chief)

    chief.goto(path(report, "granskning/"))
    chief.get_by_role("button", name="Skicka till styrelsen").click()
    expect(status_badge(chief)).to_have_text("Under granskning")

    # A board member approves with a comment; the chair records the decision with its date and §.
    login(board, f"ledamot.{SLUG}")
    board.goto(path(report, "granskning/"))
    expect(board.locator(".plan-document")).to_contain_text(WRITTEN)
    board.get_by_label("Kommentar till ditt ställningstagande").fill("Tydlig redovisning av avvikelserna.")
    board.get_by_role("button", name="Tillstyrk").click()
    expect(status_badge(board)).to_have_text("Tillstyrkt")

    login(chair, f"ordforande.{SLUG}")
    chair.goto(path(report, "granskning/"))
    # The adoption's archival PDF/A is rendered at once, as a worker would (the demo's were only queued).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    today = timezone.localdate().isoformat()
    chair.get_by_label("Styrelsens beslut, datum").fill(today)
    chair.get_by_label("Paragraf i protokollet").fill("§14")
    chair.get_by_role("button", name="Registrera fastställande").click()
    expect(status_badge(chair)).to_have_text("Fastställd")
    expect(chair.locator(".plan-document__adoption")).to_contain_text(f"Fastställd av styrelsen {today} §14")
    report.refresh_from_db()
    adopted.refresh_from_db()
    assert (report.state, adopted.state) == (Plan.State.ADOPTED, Plan.State.ADOPTED)
    archive = PlanPdf.objects.get(plan=report, is_archival=True)
    assert archive.status == PlanPdf.Status.DONE and archive.file

    # The chief records a member's auditors' report and its decision on discharge.
    member = adopted.association.organisations.filter(is_member=True).first()
    chief.goto(path(report))
    with chief.expect_navigation():
        chief.get_by_role("link", name="Revision och ansvarsfrihet").first.click()
    expect(chief.get_by_role("heading", level=1)).to_have_text("Revision och ansvarsfrihet")
    axe_check(chief)
    fits_390(chief)
    audit = chief.locator(".discharge-form", has_text="Registrera revisionsberättelse")
    audit.get_by_label("Medlem").select_option(str(member.pk))
    audit.get_by_label("Revisionsberättelsens datum").fill(today)
    audit.get_by_label("Revisorernas bedömning").fill("Inget att anmärka.")
    with chief.expect_navigation():
        audit.get_by_role("button", name="Spara revisionsberättelsen").click()
    expect(chief.locator("#messages")).to_contain_text("Revisionsberättelsen är registrerad.")

    decision = chief.locator(".discharge-form", has_text="Registrera beslut om ansvarsfrihet")
    decision.get_by_label("Medlem").select_option(str(member.pk))
    decision.get_by_label("Beslutsdatum").fill(today)
    decision.get_by_label("Beslutat av").fill("Kommunfullmäktige")
    decision.get_by_label("Protokollsparagraf").fill("§88")
    with chief.expect_navigation():
        decision.get_by_role("button", name="Spara beslutet").click()
    expect(chief.locator("#messages")).to_contain_text("Beslutet om ansvarsfrihet är registrerat.")

    # Everyone who reads the report sees them beside it; the report itself is as adopted.
    board.goto(path(report))
    decisions = board.locator(".report-discharge")
    expect(decisions.locator("tr", has_text=member.name)).to_contain_text("Inget att anmärka.")
    expect(decisions.locator("tr", has_text=member.name)).to_contain_text("Kommunfullmäktige")
    expect(board.locator(".plan-document")).to_contain_text(WRITTEN)
    axe_check(board)
    fits_390(board)
