"""The plan as a PDF: read back what WeasyPrint wrote and check what a reader would check.

The three demo plans are rendered once per module (as their archival PDF/A) inside a transaction that
is rolled back, so the rest of the suite never sees them. Everything else uses small factory plans,
rendered synchronously through the Immediate task backend of the test settings.
"""

from __future__ import annotations

import datetime
import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from budgets.calc import plan_budget
from budgets.charts import cost_breakdown, cost_breakdown_svg, development_svg, svg_open
from finsam.models import Membership
from finsam.money import format_amount
from finsam.site.demo.loader import load_demo
from interventions.models import Intervention
from plans import pdf as plan_pdf
from plans.models import ControlItem, Plan, PlanEvent, PlanPdf
from plans.text_parts import number_chapters
from tests.factories import (
    AssociationFactory,
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    BudgetLineFactory,
    ChapterFactory,
    GrantFactory,
    MembershipFactory,
    OrganisationFactory,
    PlanFactory,
    PlanInterventionFactory,
)

SLUGS = ["gavleborg", "ornskoldsvik", "ostra-varmland"]

pytestmark = pytest.mark.usefixtures("renders_pdfs")


@pytest.fixture(autouse=True)
def renderings(renderings_start_at_once):
    """Every test here sees its renderings run, as they would once the request commits."""


def normalise(text: str) -> str:
    """Extracted text with no-break spaces as spaces and every run of whitespace as one space."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def page_texts(content: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [page.extract_text() or "" for page in reader.pages]


def chapter_start_page(texts: list[str], number: str, heading: str, after: int) -> int | None:
    """The first page (1-based) after the table of contents where the numbered heading is printed."""
    wanted = normalise(f"{number} {heading}")
    for index, text in enumerate(texts[after:], start=after + 1):
        if wanted in normalise(text):
            return index
    return None


def toc_entries(toc_text: str) -> list[tuple[str, str, int]]:
    """(number, heading, page) from the table of contents' lines `1. Inledning ........ 3`."""
    entries = []
    for line in toc_text.splitlines():
        match = re.match(r"^\s*(\d+(?:\.\d+)?)\.\s+(.*?)[\s.]*?(\d+)\s*$", line.replace("\u00a0", " "))
        if match:
            entries.append((match[1], match[2].strip(" ."), int(match[3])))
    return entries


def figures(plan: Plan) -> dict[str, str]:
    """The budget's key figures as the table prints them, computed by the one budget module."""
    budget = plan_budget(plan)
    year = budget.years[0]

    def printed(value, negate=False):
        return format_amount(
            value, unit=plan.unit, decimals=plan.decimals, negate=negate and plan.costs_negative
        ).replace("\u00a0", " ")

    return {
        "revenue": printed(budget.revenue_total[year]),
        "costs": printed(budget.cost_total[year], negate=True),
        "result": printed(budget.result[year]),
        "multi_year_revenue": printed(budget.multi_year_total(budget.revenue_total)),
    }


def charts_of(plan: Plan) -> dict:
    budget = plan_budget(plan)
    svgs = [cost_breakdown_svg(budget, year=budget.years[0], unit=plan.unit, decimals=plan.decimals)]
    if len(budget.years) > 1:
        svgs.append(development_svg(budget, unit=plan.unit, decimals=plan.decimals))
    return {
        "breakdown_sums": [
            sum(share.amount for share in cost_breakdown(budget, year)) for year in budget.years
        ],
        "cost_totals": [budget.cost_total[year] for year in budget.years],
        "svgs": svgs,
    }


@pytest.fixture(scope="module")
def demo_pdfs(django_db_setup, django_db_blocker):
    """Each demo plan's archival PDF with what the test needs to know about the plan."""
    rendered = {}
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        for plan in Plan.objects.select_related("association"):
            result = plan_pdf.plan_pdf_render(plan=plan)
            rendered[plan.association.slug] = {
                "file": result,
                "texts": page_texts(result.content),
                "association": plan.association.name,
                "title": plan.title,
                "adopted_on": plan.adopted_on.isoformat(),
                "minutes_reference": plan.minutes_reference,
                "chapters": [
                    (e.number, e.chapter.heading) for e in number_chapters(list(plan.chapters.all()))
                ],
                "interventions": [link.intervention.name for link in plan.plan_interventions.all()],
                "figures": figures(plan),
                "charts": charts_of(plan),
            }
        transaction.set_rollback(True)
    return rendered


# --- The demo plans, read back ---------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_each_demo_plan_prints_its_headings_interventions_and_figures(demo_pdfs, slug):
    demo = demo_pdfs[slug]
    text = normalise(" ".join(demo["texts"]))
    assert demo["file"].pages > 1
    assert normalise(demo["title"]) in text
    for number, heading in demo["chapters"]:
        assert normalise(f"{number} {heading}") in text
    for name in demo["interventions"]:
        assert normalise(name) in text
    for label, figure in demo["figures"].items():
        assert figure in text, label
    adoption = f"Fastställd av styrelsen {demo['adopted_on']}"
    if demo["minutes_reference"]:
        adoption += f" {demo['minutes_reference']}"
    assert adoption in text


def test_ornskoldsvik_prints_amounts_in_tkr_with_one_decimal_and_costs_negative(demo_pdfs):
    text = normalise(" ".join(demo_pdfs["ornskoldsvik"]["texts"]))
    assert "Region Västernorrland 1 258,5 1 259,0 1 259,0 3 776,5" in text
    # The figures the board adopted (issue 13): the rounded frames budgeted for two grants.
    assert "Vidare Vy −455,0 −455,0 −910,0" in text
    assert "Projekt Äpplet −600,0 −600,0 −1 200,0" in text
    assert "Summa insatser −4 003,0 −3 995,0 −3 985,0 −11 983,0" in text
    assert "Summa kostnader −5 034,0 −5 036,0 −5 036,0 −15 106,0" in text
    assert "Resultat 0,0 0,0 0,0 0,0" in text
    assert "Eget kapital vid årets slut 400,0 400,0 400,0" in text


def test_ostra_varmland_prints_the_adoption_line_with_its_paragraph(demo_pdfs):
    cover = normalise(demo_pdfs["ostra-varmland"]["texts"][0])
    assert "Samordningsförbundet Östra Värmland" in cover
    assert "Fastställd av styrelsen 2021-12-01 §39" in cover


@pytest.mark.parametrize("slug", SLUGS)
def test_the_table_of_contents_gives_the_pages_where_the_chapters_start(demo_pdfs, slug):
    demo = demo_pdfs[slug]
    toc_page = next(i for i, text in enumerate(demo["texts"]) if "Innehåll" in text)
    entries = toc_entries(demo["texts"][toc_page])
    assert [number for number, _heading, _page in entries] == [number for number, _ in demo["chapters"]]
    for number, heading, page in entries:
        assert chapter_start_page(demo["texts"], number, heading, after=toc_page + 1) == page, heading


@pytest.mark.parametrize("slug", SLUGS)
def test_running_header_and_page_footer_are_on_every_page_but_the_cover(demo_pdfs, slug):
    demo = demo_pdfs[slug]
    pages = len(demo["texts"])
    for number, text in enumerate(demo["texts"][1:], start=2):
        flat = normalise(text)
        assert f"Sida {number} av {pages}" in flat
        assert normalise(demo["association"]) in flat
    assert "Sida 1 av" not in normalise(demo["texts"][0])


@pytest.mark.parametrize("slug", SLUGS)
def test_the_archival_pdf_is_pdf_a_2a_with_metadata(demo_pdfs, slug):
    demo = demo_pdfs[slug]
    reader = pypdf.PdfReader(io.BytesIO(demo["file"].content))
    xmp = reader.xmp_metadata.stream.get_data().decode()
    assert 'pdfaid:part="2"' in xmp
    assert 'pdfaid:conformance="A"' in xmp
    assert reader.trailer["/Root"]["/Lang"] == "sv"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    info = reader.metadata
    assert info.title == demo["title"]
    assert info.author == demo["association"]
    assert demo["adopted_on"] in info["/Keywords"]
    assert info["/CreationDate"].startswith("D:" + demo["adopted_on"].replace("-", ""))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_font_is_embedded_and_is_one_we_ship(demo_pdfs, slug):
    reader = pypdf.PdfReader(io.BytesIO(demo_pdfs[slug]["file"].content))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
    assert fonts and all(fonts.values()), fonts
    assert all("Liberation" in name for name in fonts), fonts


@pytest.mark.parametrize("slug", SLUGS)
def test_charts_add_up_to_the_costs_and_are_accessible_svg(demo_pdfs, slug):
    charts = demo_pdfs[slug]["charts"]
    assert charts["breakdown_sums"] == charts["cost_totals"]
    for svg in charts["svgs"]:
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        assert root.find("{http://www.w3.org/2000/svg}title").text
        assert root.find("{http://www.w3.org/2000/svg}desc").text
    text = normalise(" ".join(demo_pdfs[slug]["texts"]))
    assert "Så fördelas kostnaderna" in text  # the chart is in the PDF, as vector text


def test_chart_text_is_escaped():
    svg = svg_open('x"><script>', 10, 10, "<script>alert(1)</script>", "a & b") + "</svg>"
    root = ET.fromstring(svg)
    assert root.find("{http://www.w3.org/2000/svg}title").text == "<script>alert(1)</script>"
    assert "<script>" not in svg


# --- Small plans: drafts, storage, views -------------------------------------------------------


def small_plan(*, state=Plan.State.DRAFT, publish=False, **plan_fields):
    association = AssociationFactory(
        name="Samordningsförbundet Testbygden", slug="testbygden", publish_adopted_plans=publish
    )
    plan = PlanFactory(association=association, first_year=2027, years=2, state=state, **plan_fields)
    ChapterFactory(plan=plan, heading="Inledning", body="Förbundet *finansierar* samverkan.", position=1)
    ChapterFactory(plan=plan, heading="Budget", kind="budget", body="", position=2)
    kommun = OrganisationFactory(association=association, name="Testby kommun")
    OrganisationFactory(association=association, name="Region Test", kind="region")
    OrganisationFactory(association=association, name="Försäkringskassan", kind="state")
    budget_year = BudgetColumnFactory(
        plan=plan, year=2027, kind="budget", contributions_total=Decimal(1000000)
    )
    BudgetColumnFactory(plan=plan, year=2028, kind="plan", contributions_total=Decimal(1000000))
    BudgetGroupFactory(plan=plan, section="revenue", kind="contributions", name="Medlemsavgifter")
    admin = BudgetGroupFactory(plan=plan, name="Administration")
    BudgetAmountFactory(
        line=BudgetLineFactory(group=admin, name="Förbundschef"), column=budget_year, amount=700000
    )
    BudgetGroupFactory(plan=plan, kind="interventions_decided", name="Insatser")
    link = PlanInterventionFactory(
        plan=plan, intervention__name="Steg till arbete", intervention__owner=kommun
    )
    GrantFactory(intervention=link.intervention, year=2027, amount=250000)
    return plan


def users_of(association):
    return {
        role: MembershipFactory(association=association, role=role).user
        for role in (
            Membership.Role.CHIEF,
            Membership.Role.CHAIR,
            Membership.Role.BOARD,
            Membership.Role.READER,
        )
    }


def url(name, plan, **kwargs):
    return reverse(name, kwargs={"association": plan.association.slug, "pk": plan.pk, **kwargs})


def watermark_pages(content: bytes) -> list[bool]:
    """Per page: does it draw a page-sized form (the UTKAST background)?"""
    reader = pypdf.PdfReader(io.BytesIO(content))
    result = []
    for page in reader.pages:
        forms = page["/Resources"].get("/XObject", {})
        full_page = [name for name in forms if float(forms[name]["/BBox"][2]) > 790]
        data = page.get_contents().get_data().decode("latin-1")
        result.append(any(f"{name} Do" in data for name in full_page))
    return result


@pytest.mark.django_db
def test_a_draft_carries_the_watermark_on_every_page_but_not_in_its_text():
    plan = small_plan()
    result = plan_pdf.plan_pdf_render(plan=plan)
    assert not result.archival
    assert all(watermark_pages(result.content))
    text = normalise(" ".join(page_texts(result.content)))
    assert "UTKAST" not in text
    assert "Utkast, 20" in text  # a draft never sent to the board: no version number yet


@pytest.mark.django_db
def test_an_adopted_plan_has_no_watermark():
    plan = small_plan(state=Plan.State.ADOPTED, adopted_on="2026-11-30", minutes_reference="§12")
    result = plan_pdf.plan_pdf_render(plan=plan)
    assert result.archival
    assert not any(watermark_pages(result.content))
    assert "Fastställd av styrelsen 2026-11-30 §12" in normalise(page_texts(result.content)[0])


@pytest.mark.django_db
def test_the_cover_shows_the_associations_logo_and_a_new_logo_gives_a_new_pdf():
    plan = small_plan(state=Plan.State.ADOPTED, adopted_on="2026-11-30")
    without_logo = plan_pdf.plan_pdf_source(plan).content_hash
    image = io.BytesIO()
    Image.new("RGB", (120, 40), "#0b5394").save(image, format="PNG")
    plan.association.logo.save("testbygden.png", ContentFile(image.getvalue()))
    source = plan_pdf.plan_pdf_source(plan)
    assert source.content_hash != without_logo
    cover = pypdf.PdfReader(io.BytesIO(plan_pdf.render_source(source).content)).pages[0]
    images = [x for x in cover["/Resources"]["/XObject"].values() if x.get_object()["/Subtype"] == "/Image"]
    assert len(images) == 1


@pytest.mark.django_db
def test_a_draft_is_rendered_once_per_content_and_again_when_it_changes(client, monkeypatch):
    plan = small_plan()
    chief = users_of(plan.association)[Membership.Role.CHIEF]
    client.force_login(chief)
    renders = []
    real = plan_pdf.pdf_from_html
    monkeypatch.setattr(plan_pdf, "pdf_from_html", lambda *a, **k: renders.append(1) or real(*a, **k))

    first = client.post(url("plan_pdf", plan))
    pdf = PlanPdf.objects.get()
    assert first.status_code == 302 and first["Location"] == url("plan_pdf_file", plan, pdf=pdf.pk)
    assert pdf.status == PlanPdf.Status.DONE and pdf.pages >= 2 and len(pdf.sha256) == 64
    again = client.post(url("plan_pdf", plan))
    assert again["Location"] == first["Location"]
    assert len(renders) == 1
    assert PlanEvent.objects.filter(plan=plan, action=PlanEvent.Action.RENDERED).count() == 1

    chapter = plan.chapters.get(heading="Inledning")
    chapter.body = "Ny text om samverkan."
    chapter.save()
    client.post(url("plan_pdf", plan))
    assert len(renders) == 2
    newer = PlanPdf.objects.exclude(pk=pdf.pk).get()
    assert newer.content_hash != pdf.content_hash and newer.sha256 != pdf.sha256
    assert "Ny text om samverkan." in normalise(" ".join(page_texts(newer.file.read())))


@pytest.mark.django_db
def test_an_adopted_plans_archive_is_rendered_once_and_downloads_byte_identical(client, monkeypatch):
    plan = small_plan(state=Plan.State.ADOPTED, adopted_on="2026-11-30")
    client.force_login(users_of(plan.association)[Membership.Role.READER])
    renders = []
    real = plan_pdf.pdf_from_html
    monkeypatch.setattr(plan_pdf, "pdf_from_html", lambda *a, **k: renders.append(1) or real(*a, **k))
    archive = plan_pdf.plan_pdf_archive(plan=plan)
    assert archive.is_archival and archive.is_done
    assert plan_pdf.plan_pdf_archive(plan=plan).pk == archive.pk
    assert plan_pdf.plan_pdf_request(plan=plan).pk == archive.pk
    assert plan_pdf.plan_pdf_for_download(plan).pk == archive.pk

    download = url("plan_pdf_file", plan, pdf=archive.pk)
    first = b"".join(client.get(download).streaming_content)
    second_response = client.get(download)
    second = b"".join(second_response.streaming_content)
    assert first == second == plan_pdf.stored_bytes(archive)
    assert len(renders) == 1
    assert second_response["Content-Type"] == "application/pdf"
    assert 'filename="verksamhetsplan-testbygden-2027.pdf"' in second_response["Content-Disposition"]
    assert pypdf.PdfReader(io.BytesIO(first)).xmp_metadata is not None


@pytest.mark.django_db
def test_only_the_newest_draft_pdfs_are_kept(monkeypatch):
    plan = small_plan()
    monkeypatch.setattr(plan_pdf, "pdf_from_html", lambda *args, **kwargs: (b"%PDF-1.7 test", 1))
    archive_of_other = plan_pdf.plan_pdf_archive(plan=small_plan_elsewhere())
    chapter = plan.chapters.get(heading="Inledning")
    made = []
    for number in range(plan_pdf.KEEP_DRAFT_PDFS + 2):
        chapter.body = f"Version {number}."
        chapter.save()
        made.append(plan_pdf.plan_pdf_request(plan=plan))
    kept = list(PlanPdf.objects.filter(plan=plan).order_by("created_at", "id"))
    assert [pdf.pk for pdf in kept] == [pdf.pk for pdf in made[-plan_pdf.KEEP_DRAFT_PDFS :]]
    assert not made[0].file.storage.exists(made[0].file.name)
    assert PlanPdf.objects.filter(pk=archive_of_other.pk).exists()


@pytest.mark.django_db
def test_a_failed_rendering_is_shown_and_can_be_tried_again(client, monkeypatch):
    plan = small_plan()
    client.force_login(users_of(plan.association)[Membership.Role.CHIEF])

    def broken(*args, **kwargs):
        raise RuntimeError("the printer caught fire")

    real = plan_pdf.pdf_from_html
    monkeypatch.setattr(plan_pdf, "pdf_from_html", broken)
    response = client.post(url("plan_pdf", plan), headers={"HX-Request": "true"})
    pdf = PlanPdf.objects.get()
    assert pdf.status == PlanPdf.Status.FAILED and "caught fire" in pdf.error
    assert "PDF:en kunde inte skapas" in response.content.decode()
    monkeypatch.setattr(plan_pdf, "pdf_from_html", real)
    response = client.post(url("plan_pdf", plan), headers={"HX-Request": "true"})
    pdf.refresh_from_db()
    assert pdf.status == PlanPdf.Status.DONE
    assert url("plan_pdf_file", plan, pdf=pdf.pk) in response.content.decode()


@pytest.mark.django_db
def test_the_progress_fragment_polls_while_pending_and_stops_when_done(client):
    plan = small_plan()
    client.force_login(users_of(plan.association)[Membership.Role.BOARD])
    pdf = PlanPdf.objects.create(plan=plan, content_hash="0" * 64, source_html="<p>x</p>")
    status_url = url("plan_pdf_status", plan, pdf=pdf.pk)
    pending = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in pending and "väntar" in pending
    assert "<html" not in pending
    page = client.get(status_url).content.decode()
    assert '<meta http-equiv="refresh"' in page  # inside <noscript>: polling without JavaScript
    plan_pdf.plan_pdf_run(pdf_id=pdf.pk)
    done = client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done
    assert url("plan_pdf_file", plan, pdf=pdf.pk) in done


@pytest.mark.django_db
def test_a_rendering_whose_worker_died_is_queued_again_when_polled(client):
    plan = small_plan()
    client.force_login(users_of(plan.association)[Membership.Role.CHIEF])
    source = plan_pdf.plan_pdf_source(plan)
    started = timezone.now() - datetime.timedelta(seconds=plan_pdf.STALE_RENDER_SECONDS + 1)
    pdf = PlanPdf.objects.create(
        plan=plan,
        content_hash=source.content_hash,
        source_html=source.html,
        status="rendering",
        started_at=started,
    )
    recent = PlanPdf.objects.create(
        plan=plan,
        content_hash="1" * 64,
        source_html="<p>x</p>",
        status="rendering",
        started_at=timezone.now(),
    )
    client.get(url("plan_pdf_status", plan, pdf=pdf.pk), headers={"HX-Request": "true"})
    client.get(url("plan_pdf_status", plan, pdf=recent.pk), headers={"HX-Request": "true"})
    pdf.refresh_from_db()
    recent.refresh_from_db()
    assert pdf.status == PlanPdf.Status.DONE
    assert recent.status == PlanPdf.Status.RENDERING  # still within its time: left alone


@pytest.mark.django_db
def test_the_plan_page_offers_the_pdf(client):
    plan = small_plan(state=Plan.State.ADOPTED, adopted_on="2026-11-30", publish=True)
    client.force_login(users_of(plan.association)[Membership.Role.READER])
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f'action="{url("plan_pdf", plan)}"' in page
    archive = plan_pdf.plan_pdf_archive(plan=plan)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert url("plan_pdf_file", plan, pdf=archive.pk) in page
    assert url("plan_pdf_public", plan) in page


@pytest.mark.django_db
def test_who_may_download(client):
    adopted = small_plan(state=Plan.State.ADOPTED, adopted_on="2026-11-30")
    draft = PlanFactory(association=adopted.association, first_year=2028)
    ChapterFactory(plan=draft, heading="Inledning")
    users = users_of(adopted.association)
    archive = plan_pdf.plan_pdf_archive(plan=adopted)
    draft_pdf = plan_pdf.plan_pdf_request(plan=draft)
    outsider = MembershipFactory(role=Membership.Role.CHIEF).user

    for role, user in users.items():
        client.force_login(user)
        assert client.get(url("plan_pdf_file", adopted, pdf=archive.pk)).status_code == 200, role
        draft_status = client.get(url("plan_pdf_file", draft, pdf=draft_pdf.pk)).status_code
        assert draft_status == (404 if role == Membership.Role.READER else 200), role
    client.force_login(outsider)
    assert client.get(url("plan_pdf_file", adopted, pdf=archive.pk)).status_code == 404
    assert client.post(url("plan_pdf", adopted)).status_code == 404
    # Another plan's PDF through this plan's address is not found either.
    client.force_login(users[Membership.Role.CHIEF])
    assert client.get(url("plan_pdf_file", adopted, pdf=draft_pdf.pk)).status_code == 404
    client.logout()
    anonymous = client.get(url("plan_pdf_file", adopted, pdf=archive.pk))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_public_link_serves_only_published_adopted_plans(client):
    plan = small_plan(state=Plan.State.ADOPTED, adopted_on="2026-11-30", publish=True)
    response = client.get(url("plan_pdf_public", plan))  # renders on first request (Immediate backend)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body == b"".join(client.get(url("plan_pdf_public", plan)).streaming_content)

    draft = PlanFactory(association=plan.association, first_year=2028)
    assert client.get(url("plan_pdf_public", draft)).status_code == 404
    other = small_plan_elsewhere()
    wrong_association = reverse(
        "plan_pdf_public", kwargs={"association": plan.association.slug, "pk": other.pk}
    )
    assert client.get(wrong_association).status_code == 404
    plan.association.publish_adopted_plans = False
    plan.association.save()
    assert client.get(url("plan_pdf_public", plan)).status_code == 404
    assert not PlanPdf.objects.filter(plan=draft).exists()


def small_plan_elsewhere():
    association = AssociationFactory(publish_adopted_plans=True)
    return PlanFactory(association=association, state=Plan.State.ADOPTED, adopted_on="2026-11-30")


@pytest.mark.django_db
def test_the_public_link_asks_to_come_back_while_the_archive_is_being_made(client):
    plan = small_plan(state=Plan.State.ADOPTED, adopted_on="2026-11-30", publish=True)
    PlanPdf.objects.create(plan=plan, content_hash="0" * 64, is_archival=True, source_html="<p>x</p>")
    response = client.get(url("plan_pdf_public", plan))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "PDF:en förbereds" in response.content.decode()


# --- What a user typed can never get into the PDF as markup ------------------------------------


HOSTILE = '<img src="file:///etc/passwd"><script>alert("pwn")</script><b style="font-size:90pt">stor</b>'


@pytest.mark.django_db
def test_markup_in_chapters_and_names_is_text_or_dropped_never_rendered():
    plan = small_plan()
    ChapterFactory(plan=plan, heading="Insatser", kind="interventions", body="", position=3)
    plan.chapters.filter(heading="Inledning").update(
        body=f"Före {HOSTILE} efter\n\n![bild](file:///etc/passwd)"
    )
    name = 'Steg <img src="file:///etc/passwd"><script>x()</script>'
    Intervention.objects.filter(name="Steg till arbete").update(name=name)
    source = plan_pdf.plan_pdf_source(plan)
    body = source.html.split("<body", 1)[1]
    assert "<script" not in body and "<img" not in body and "style=" not in body
    text = normalise(" ".join(page_texts(plan_pdf.render_source(source).content)))
    assert "Före stor efter" in text  # the harmless <b> kept, its style and the rest removed
    assert "alert" not in text
    assert name in text  # a name is printed as the text it is
    assert "root:" not in text  # /etc/passwd was never read


def test_the_url_fetcher_reads_static_files_and_refuses_everything_else():
    fetcher = plan_pdf.make_url_fetcher()
    css = fetcher.fetch(plan_pdf.STATIC_BASE + "css/print.css")
    assert b"@page" in css.read()
    for refused in [
        "file:///etc/passwd",
        "https://example.com/logo.png",
        "http://127.0.0.1:8000/static/css/print.css",
        "data:text/plain;base64,aGVq",
        plan_pdf.STATIC_BASE + "../../../etc/passwd",
        plan_pdf.STATIC_BASE + "%2e%2e/%2e%2e/finsam/settings.py",
        plan_pdf.STATIC_BASE + "css/nothing-here.css",
        plan_pdf.MEDIA_BASE + "logos/someone-elses.png",
    ]:
        with pytest.raises(plan_pdf.RefusedResource):
            fetcher.fetch(refused)
    assert len(fetcher.refused) == 8


def test_rendering_raw_html_with_a_file_url_reads_nothing():
    content, pages = plan_pdf.pdf_from_html(
        '<html lang="sv"><body><p>Hej</p><img src="file:///etc/passwd"><iframe src="file:///etc/passwd"></iframe>'
        '<object data="file:///etc/passwd"></object><link rel="stylesheet" href="https://example.com/x.css">'
        "</body></html>",
        archival=False,
    )
    text = normalise(" ".join(page_texts(content)))
    assert pages == 1 and "Hej" in text and "root:" not in text


# --- Tables across pages ----------------------------------------------------------------------


LONG = "som står utanför arbetsmarknaden och behöver stöd från flera myndigheter samtidigt i kommunen"


@pytest.mark.slow
@pytest.mark.django_db
def test_a_long_table_repeats_its_header_and_never_splits_a_row():
    plan = small_plan()
    ChapterFactory(plan=plan, heading="Internkontroll", kind="control", body="", position=3)
    for number in range(45):
        ControlItem.objects.create(
            plan=plan,
            position=number,
            routine=f"Rutin {number}",
            control_step=f"Början{number} "
            + "kontrollera att attesten följer reglementet " * 4
            + f"Slut{number}",
            responsible="Förbundschef",
        )
    Plan.objects.filter(pk=plan.pk).update(unit="kr")  # whole kronor: every row's amount is unique
    for number in range(40):  # budget rows whose label wraps over several lines
        link = PlanInterventionFactory(
            plan=plan,
            intervention__name=f"Start{number} insats för samverkan kring unga vuxna {LONG} Stopp{number}",
        )
        GrantFactory(intervention=link.intervention, year=2027, amount=200_000 + 1_111 * number)
    texts = [normalise(text) for text in page_texts(plan_pdf.plan_pdf_render(plan=plan).content)]
    for number in range(40):
        amount = f"{200 + (1_111 * number) // 1000} {(1_111 * number) % 1000:03d}"
        label_pages = [i for i, t in enumerate(texts) if f"Start{number} " in t and f"Stopp{number} " in t]
        assert label_pages == [i for i, t in enumerate(texts) if f"−{amount}" in t or f" {amount} " in t], (
            number
        )
    table_pages = [text for text in texts if "Början" in text]
    assert len(table_pages) >= 2
    assert all("Kontrollmoment Kontrollansvar Frekvens" in text for text in table_pages)
    for number in range(45):
        start = [i for i, text in enumerate(texts) if f"Början{number} " in text]
        end = [
            i for i, text in enumerate(texts) if f"Slut{number} " in text or text.endswith(f"Slut{number}")
        ]
        assert start == end and len(start) == 1, number


# --- The benchmark ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_benchmark_prints_seconds_and_seconds_per_page():
    out = io.StringIO()
    call_command(
        "pdf_bench",
        "--synthetic-only",
        "--interventions",
        "2",
        "--years",
        "2",
        "--variant",
        "archive",
        stdout=out,
    )
    output = out.getvalue()
    assert re.search(
        r"synthetic \(2 interventions, 2 years\)\s+archive PDF/A-2a\s+\d+\s+\d+\.\d+\s+\d+\.\d+", output
    )
    assert "draft (tagged)" not in output
    assert not Plan.objects.exists()  # the synthetic plan was rolled back
