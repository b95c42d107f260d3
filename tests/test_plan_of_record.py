"""The plan of record: an adopted plan shows exactly what the board adopted, and never changes.

Every page renders the document from one frozen structure (`plans.snapshots`, `plans.document`): a plan
loaded or adopted as such has its version of record and its archive from the start; renaming an
intervention, changing the board or the association's name afterwards changes none of its document (the
page's document region, the review page's, the PDF and the public link).
"""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from finsam.models import BoardSeat
from finsam.site.demo.loader import load_association
from finsam.site.demo.reading import demo_files, read_demo_file
from interventions.models import Intervention
from plans import pdf as plan_pdf
from plans.document import cover_line, plan_document_view
from plans.models import Plan, PlanEvent, PlanPdf
from plans.review import plan_submit, plan_withdraw
from plans.snapshots import SNAPSHOT_FORMAT, snapshot_content

pytestmark = pytest.mark.django_db

DOCUMENT = re.compile(r'<article class="plan-document">.*?</article>', re.S)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def load(slug: str) -> Plan:
    (data,) = [read_demo_file(path) for path in demo_files() if path.stem == slug]
    load_association(data)
    return Plan.objects.get(association__slug=slug, state=Plan.State.ADOPTED)


def document_region(client, plan: Plan, name: str) -> str:
    response = client.get(reverse(name, kwargs={"association": plan.association.slug, "pk": plan.pk}))
    assert response.status_code == 200
    (region,) = DOCUMENT.findall(response.content.decode())
    return CSRF.sub("", region)  # the review page's comment forms carry a token of their own each time


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def run_archive(plan: Plan) -> PlanPdf:
    archive = PlanPdf.objects.get(plan=plan, is_archival=True)
    plan_pdf.plan_pdf_run(pdf_id=archive.pk)  # the worker's job; a test's transaction never commits
    archive.refresh_from_db()
    return archive


def test_a_plan_loaded_as_adopted_has_its_version_of_record_and_its_archive_queued_at_once():
    plan = load("ostra-varmland")
    (snapshot,) = plan.snapshots.all()
    assert snapshot.number == 1 and snapshot.content["format"] == SNAPSHOT_FORMAT
    assert snapshot.content == snapshot_content(plan)
    assert PlanPdf.objects.filter(plan=plan, is_archival=True, status=PlanPdf.Status.QUEUED).count() == 1
    assert plan.events.filter(action=PlanEvent.Action.RECORDED).count() == 1
    assert plan_document_view(plan).snapshot == snapshot


def test_nothing_done_after_adoption_changes_the_adopted_document(client, django_user_model, settings):
    plan = load("ostra-varmland")
    association = plan.association
    association.publish_adopted_plans = True
    association.save()
    chief = django_user_model.objects.get(username=f"chef.{association.slug}")
    client.force_login(chief)
    archive = run_archive(plan)
    archived_bytes = archive.file.open("rb").read()
    page, review_page = (
        document_region(client, plan, "plan_detail"),
        document_region(client, plan, "plan_review"),
    )
    rendered_again = pdf_text(plan_pdf.plan_pdf_render(plan=plan).content)

    intervention = plan.plan_interventions.select_related("intervention").first().intervention
    old_name = intervention.name
    assert old_name in page
    Intervention.objects.filter(pk=intervention.pk).update(name="Omdöpt insats", purpose="Ny text efteråt.")
    seat = BoardSeat.objects.filter(association=association).first()
    old_person = seat.person_name
    BoardSeat.objects.filter(pk=seat.pk).update(person_name="Ny Ledamot")
    old_association_name = association.name
    type(association).objects.filter(pk=association.pk).update(name="Nytt förbundsnamn")

    assert document_region(client, plan, "plan_detail") == page
    assert document_region(client, plan, "plan_review") == review_page
    for region in (page, review_page):
        assert old_name in region and "Omdöpt insats" not in region
        assert old_person in region and "Ny Ledamot" not in region
        assert old_association_name in region and "Nytt förbundsnamn" not in region
    # The PDF: the stored archive is served byte for byte; a new rendering of the record reads the same.
    download = client.get(
        reverse("plan_pdf_file", kwargs={"association": association.slug, "pk": plan.pk, "pdf": archive.pk})
    )
    assert b"".join(download.streaming_content) == archived_bytes
    public = client.get(reverse("plan_pdf_public", kwargs={"association": association.slug, "pk": plan.pk}))
    assert b"".join(public.streaming_content) == archived_bytes
    assert pdf_text(plan_pdf.plan_pdf_render(plan=plan).content) == rendered_again
    text = pdf_text(archived_bytes)
    assert "Omdöpt insats" not in text and "Ny Ledamot" not in text and "Nytt förbundsnamn" not in text
    assert "Fastställd av styrelsen 2021-12-01 §39" in text


def test_the_archive_is_rendered_once(client, django_user_model):
    plan = load("ostra-varmland")
    archive = run_archive(plan)
    assert plan_pdf.plan_pdf_archive(plan=plan).pk == archive.pk
    assert plan_pdf.plan_pdf_run(pdf_id=archive.pk) == PlanPdf.Status.DONE  # claimed already: not again
    archive.refresh_from_db()
    assert PlanPdf.objects.filter(plan=plan, is_archival=True).count() == 1


def test_verify_archive_reports_a_changed_file_and_a_missing_archive():
    plan = load("ostra-varmland")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):  # queued, not made yet
        call_command("verify_archive", stdout=out, stderr=err)
    assert "archive not made yet" in err.getvalue()

    archive = run_archive(plan)
    out = io.StringIO()
    call_command("verify_archive", stdout=out, stderr=io.StringIO())
    assert "1 archive(s) verified, 0 problem(s)." in out.getvalue()

    with archive.file.open("wb") as handle:  # someone changes the stored file
        handle.write(b"%PDF-1.7 not what the board adopted")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_archive", stdout=io.StringIO(), stderr=err)
    assert "SHA-256 mismatch" in err.getvalue()


def test_one_version_number_from_draft_to_submission_and_back(chief, small_plan):
    plan = small_plan
    assert re.fullmatch(r"Utkast, \d{4}-\d\d-\d\d", cover_line(plan, None))
    snapshot = plan_submit(plan=plan, by=chief, notify=False)
    plan.refresh_from_db()
    view = plan_document_view(plan)
    assert view.snapshot == snapshot
    assert view.cover_line.startswith("Version 1, skickad till styrelsen ")
    plan_withdraw(plan=plan, by=chief, reason="Fel siffra")
    plan.refresh_from_db()
    assert plan_document_view(plan).snapshot is None
    assert plan_document_view(plan).cover_line.startswith("Utkast till version 2, ")


def test_a_plan_in_review_shows_the_version_sent_even_if_an_intervention_changes(
    board_member_client, chief, small_plan
):
    plan = small_plan
    plan_submit(plan=plan, by=chief, notify=False)
    before = document_region(board_member_client, plan, "plan_review")
    link = plan.plan_interventions.select_related("intervention").get()  # the small plan lists one
    assert link.intervention.name in before
    Intervention.objects.filter(pk=link.intervention_id).update(name="Bytt namn under granskningen")
    assert document_region(board_member_client, plan, "plan_review") == before


# --- The frozen document is cached; everything of the user is not ------------------------------------


def test_a_frozen_document_is_rendered_once_and_each_reader_gets_their_own_controls(
    client_for, chief, board_member, chair, small_plan, monkeypatch
):
    from plans import document as plan_document_module
    from plans.review import comment_add

    plan = small_plan
    plan_submit(plan=plan, by=chief, notify=False)
    chapter_key = plan.snapshots.get().content["chapters"][0]["key"]
    comment_add(plan=plan, by=board_member, target_kind="chapter", target_key=chapter_key, body="En fråga.")
    address = reverse("plan_review", kwargs={"association": plan.association.slug, "pk": plan.pk})
    chief_page = client_for(chief).get(address).content.decode()

    # The second reader gets the document from the cache: rendering it again would fail here.
    def no_second_rendering(*args, **kwargs):
        raise AssertionError("the frozen document was rendered again")

    monkeypatch.setattr(plan_document_module, "render_to_string", no_second_rendering)
    board_page = client_for(board_member).get(address).content.decode()
    chair_page = client_for(chair).get(address).content.decode()

    for page in (chief_page, board_page, chair_page):
        assert "En fråga." in page and f'id="kommentarer-{chapter_key}"' in page
    # Only the chief resolves threads; every reader's forms carry their own CSRF token.
    assert "Markera som löst" in chief_page
    assert "Markera som löst" not in board_page and "Markera som löst" not in chair_page
    tokens = [
        set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))
        for page in (board_page, chair_page)
    ]
    assert tokens[0] and tokens[1] and not tokens[0] & tokens[1]


def test_a_drafts_document_is_never_cached(chief_client, small_plan):
    from django.core.cache import cache

    address = reverse("plan_detail", kwargs={"association": small_plan.association.slug, "pk": small_plan.pk})
    assert chief_client.get(address).status_code == 200
    assert not [key for key in getattr(cache, "_cache", {}) if "plan-document" in str(key)]
