"""The outcome import in Chromium: the chief uploads the year's SIE file, sees the preview with the accounts
without a mapping, maps one in the preview (the select saves at once, with HTMX), imports, and finds the
figures in the follow-up grid."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from budgets.models import BudgetLine, FollowUpOutcome, OutcomeMapping
from plans.models import Plan
from tests.sie_files import SieWriter

pytestmark = pytest.mark.browser

SLUG = "ornskoldsvik"
LINE = "Uppdragsersättning förbundschef 100 %"  # in the adopted 2020 budget, a plan in tkr


@pytest.fixture
def adopted(demo_loader):
    demo_loader(SLUG)
    return Plan.objects.get(association__slug=SLUG, state=Plan.State.ADOPTED)


def year_file() -> bytes:
    sie = SieWriter(year=2020)
    d = Decimal
    sie.voucher("20200131", "Arvode januari", ("7010", {"1": "10"}, d("60000")), ("1930", {}, d("-60000")))
    sie.voucher("20200529", "Arvode maj", ("7010", {"1": "10"}, d("62000")), ("1930", {}, d("-62000")))
    sie.voucher("20200610", "Hyra", ("5010", {}, d("8000")), ("1930", {}, d("-8000")))
    return sie.bytes()


def test_upload_preview_map_import_and_the_grid_shows_the_figures(page, adopted, login, axe_check):
    line = BudgetLine.objects.get(group__plan=adopted, name=LINE)
    key = f"line-{line.lineage.hex}"
    login(page, f"chef.{SLUG}")
    page.goto(f"/f/{SLUG}/planer/{adopted.pk}/uppfoljning/")
    page.get_by_role("link", name="Importera utfall från bokföringen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Importera utfall 2020 från bokföringen")
    axe_check(page)

    # A file of the wrong year first: a Swedish message, the form kept, nothing stored.
    page.get_by_label("Fil från bokföringen").set_input_files(
        files=[{"name": "fel.se", "mimeType": "text/plain", "buffer": SieWriter(year=2019).bytes()}]
    )
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.locator(".errorlist")).to_contain_text("inte 2020")
    expect(page.get_by_role("heading", name="Förhandsgranskning")).to_have_count(0)

    page.get_by_label("Fil från bokföringen").set_input_files(
        files=[{"name": "bokslut-2020.se", "mimeType": "text/plain", "buffer": year_file()}]
    )
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name="Förhandsgranskning")).to_be_visible()
    unmapped = page.locator(".outcome-unmapped")
    expect(unmapped).to_contain_text("7010 Löner tjänstemän")
    expect(page.get_by_text("1 balanskonto (klass 1 och 2) hoppas över")).to_be_visible()
    axe_check(page)

    # Correct the mapping in the preview: the select saves it and the preview is computed again.
    page.locator("select[name='map:7010::']").select_option(label=LINE)
    expect(page.get_by_text("Kopplingarna är sparade")).to_be_visible()
    expect(page.locator(".outcome-preview")).to_contain_text(LINE)
    expect(page.locator(".outcome-preview")).to_contain_text("62\u00a0000")
    expect(unmapped).not_to_contain_text("7010")
    assert OutcomeMapping.objects.filter(account="7010", row=key).exists()
    assert not FollowUpOutcome.objects.filter(row=key, period=2, amount=62000).exists()
    axe_check(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Importera", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Uppföljning av budget 2020")
    expect(page.get_by_text("Utfallet importerades från bokslut-2020.se")).to_be_visible()
    # The plan is in tkr: 60 000 kr in T1 and 62 000 kr in T2.
    expect(page.get_by_label(f"{LINE}, utfall T1 jan–apr")).to_have_value(re.compile(r"^60(,0)?$"))
    expect(page.get_by_label(f"{LINE}, utfall T2 maj–aug")).to_have_value(re.compile(r"^62(,0)?$"))
    axe_check(page)
