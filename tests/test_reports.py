"""Reports on an adopted plan (issue 17, item 6): the annual and interim report as documents of their own,
written from the plan's follow-up, reviewed and adopted as a plan is, frozen when sent to the board; the
members' auditors' reports and discharge decisions against an adopted annual report."""

import datetime
import io
import re
from decimal import Decimal

import pypdf
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver, reverse

from budgets.followup import plan_followup
from budgets.services.followup import FollowUpClosed, followup_outcome_update
from finsam.models import Association
from finsam.site.demo.followup import load_followup_demo
from finsam.site.demo.loader import load_association
from finsam.site.demo.reading import DATA_DIR, read_demo_file
from finsam.site.demo.reports import load_report_demo
from plans.diff import snapshot_diff
from plans.discharge import auditors_report_save, discharge_decision_save
from plans.document import plan_document_view, shown_document
from plans.forms import ChapterForm
from plans.gateway import plan_takes_followup
from plans.goal_outcomes import indicator_outcome_save
from plans.models import AuditorsReport, Chapter, DischargeDecision, Plan, PlanEvent, PlanPdf, Stance
from plans.pdf import plan_pdf_filename
from plans.reports import ReportExists, report_create, reported_plan
from plans.review import (
    ReviewError,
    comment_targets,
    plan_adopt,
    plan_revise,
    plan_stance_record,
    plan_submit,
)
from plans.rollover import plan_rollover
from plans.transitions import TransitionNotAllowed
from tests.factories import (
    GoalFactory,
    GrantFactory,
    IndicatorFactory,
    InterventionFactory,
    OrganisationFactory,
    PlanInterventionFactory,
)
from tests.test_followup import build_adopted_plan, enter, key_of

pytestmark = pytest.mark.django_db

Kind = Plan.Kind


@pytest.fixture
def plan(association):
    plan = build_adopted_plan(association, first_year=2024)
    Plan.objects.filter(pk=plan.pk).update(minutes_reference="§39")
    plan.refresh_from_db()
    return plan


@pytest.fixture
def annual(plan, chief):
    return report_create(plan=plan, kind=Kind.ANNUAL_REPORT, by=chief)


def adopt(report, *, chief, board_member):
    plan_submit(plan=report, by=chief, notify=False)
    plan_stance_record(plan=report, by=board_member, stance=Stance.Kind.APPROVE)
    report.refresh_from_db()
    plan_adopt(plan=report, by=chief, adopted_on=datetime.date(2025, 3, 20), minutes_reference="§12")
    report.refresh_from_db()
    return report


def outcome_row(view, label):
    return next(row for row in view.budget_outcome.rows if row.label == label)


# --- Creating -------------------------------------------------------------------------------------------


def test_the_chief_starts_the_annual_report_with_the_report_chapters(plan, annual, chief):
    assert (annual.kind, annual.report_of, annual.state, annual.first_year) == (
        Kind.ANNUAL_REPORT, plan, Plan.State.DRAFT, 2024,
    )  # fmt: skip
    assert annual.title == "Verksamhetsberättelse och årsredovisning 2024"
    kinds = list(annual.chapters.order_by("position").values_list("kind", flat=True))
    assert set(kinds) <= Chapter.REPORT_KINDS
    assert {"goal_report", "intervention_report", "budget_outcome", "equity", "intervention_outcome"} <= set(
        kinds
    )
    assert annual.chapters.get(heading="Väsentliga händelser under året").body  # starter text to rewrite
    assert annual.events.filter(action=PlanEvent.Action.REPORTED).exists()
    assert plan.events.filter(action=PlanEvent.Action.REPORTED, details={"report": annual.pk}).exists()
    plan.refresh_from_db()
    assert plan.state == Plan.State.ADOPTED  # the plan itself is not touched


def test_a_second_annual_report_is_refused_naming_the_first(plan, annual, chief):
    with pytest.raises(ReportExists) as refused:
        report_create(plan=plan, kind=Kind.ANNUAL_REPORT, by=chief)
    assert refused.value.report == annual
    assert "redan" in refused.value.messages[0]
    # Interim reports are one per period.
    april = report_create(plan=plan, kind=Kind.INTERIM_REPORT, months=4, by=chief)
    assert april.period_end == datetime.date(2024, 4, 30)
    assert april.title == "Delårsrapport januari–april 2024"
    report_create(plan=plan, kind=Kind.INTERIM_REPORT, months=8, by=chief)
    with pytest.raises(ReportExists):
        report_create(plan=plan, kind=Kind.INTERIM_REPORT, months=4, by=chief)
    with pytest.raises(ValidationError):
        report_create(plan=plan, kind=Kind.INTERIM_REPORT, months=5, by=chief)


def test_only_the_chief_starts_a_report_and_only_from_the_adopted_plan(plan, association, chief, chair):
    with pytest.raises(PermissionDenied):
        report_create(plan=plan, kind=Kind.ANNUAL_REPORT, by=chair)
    draft = build_adopted_plan(association, first_year=2026, state=Plan.State.DRAFT)
    with pytest.raises(ValidationError):
        report_create(plan=draft, kind=Kind.ANNUAL_REPORT, by=chief)
    with pytest.raises(ValidationError):
        report_create(plan=plan, kind="plan", by=chief)


def test_a_report_is_not_the_plan_of_its_year(plan, annual, chief):
    annual.state = Plan.State.ADOPTED
    assert not plan_takes_followup(annual)
    assert plan_takes_followup(plan)
    # Next year's plan is made from the plan, whatever reports the year has.
    rolled = plan_rollover(source=plan, by=chief)
    assert (rolled.kind, rolled.first_year) == (Kind.PLAN, 2025)


# --- What a report shows, and what stays frozen ---------------------------------------------------------


def test_a_draft_shows_the_follow_up_now_and_the_version_sent_stays_as_sent(
    plan, annual, chief, board_member
):
    enter(plan, chief, "Förbundschef", periods={1: 250000, 2: 200000, 3: 200000})
    view = plan_document_view(annual)
    line = outcome_row(view, "Förbundschef")
    assert (line.budget, line.outcome, line.deviation) == (Decimal(600000), Decimal(650000), Decimal(50000))
    assert view.equity.opening == Decimal(500000)
    assert view.report.kind == Kind.ANNUAL_REPORT and view.report.report_of["title"] == plan.title
    assert "<svg" in view.budget_outcome.chart and "Budget och utfall 2024" in view.budget_outcome.chart
    assert [row.name for row in view.intervention_report] == ["Steget vidare"]
    assert view.intervention_outcome[0].grant == Decimal(300000)

    plan_submit(plan=annual, by=chief, notify=False)
    annual.refresh_from_db()
    key_row = next(row for row in plan_followup(plan).rows.values() if row.row.label == "Förbundschef")
    followup_outcome_update(
        plan=plan, row=key_row.key, label="Förbundschef", period=1, amount=Decimal(1), by=chief,
        expected_version=key_row.outcome_versions[1],
    )  # fmt: skip
    frozen = plan_document_view(annual)
    assert outcome_row(frozen, "Förbundschef").outcome == Decimal(650000)  # as sent, not 400 001
    assert shown_document(annual).snapshot is not None


def test_an_interim_report_counts_the_periods_up_to_its_last_day(plan, chief):
    enter(plan, chief, "Förbundschef", periods={1: 100000, 2: 100000, 3: 100000}, forecast=700000)
    followup = plan_followup(plan)
    assert followup.followup.period in ("tertial", "month")
    interim = report_create(plan=plan, kind=Kind.INTERIM_REPORT, months=4, by=chief)
    line = outcome_row(plan_document_view(interim), "Förbundschef")
    expected = Decimal(100000) if followup.followup.period == "tertial" else Decimal(300000)
    assert line.outcome == expected
    assert (line.forecast, line.deviation) == (Decimal(700000), Decimal(100000))  # forecast − budget


def test_the_board_adopts_the_report_and_the_plan_stays_adopted(plan, annual, chief, board_member):
    adopt(annual, chief=chief, board_member=board_member)
    plan.refresh_from_db()
    assert annual.state == Plan.State.ADOPTED and (annual.minutes_reference, plan.state) == (
        "§12", Plan.State.ADOPTED,
    )  # fmt: skip
    html = shown_document(annual).view
    assert html.cover_line.startswith("Fastställd av styrelsen 2025-03-20")


# --- Auditors' report and discharge ---------------------------------------------------------------------


def test_auditors_and_discharge_are_recorded_once_per_member_on_the_adopted_annual_report(
    plan, annual, association, chief, board_member
):
    member = OrganisationFactory(association=association, name="Örnsköldsviks kommun")
    audit = {"organisation": member, "reported_on": datetime.date(2025, 4, 1), "recommends_discharge": True,
             "statement": "Räkenskaperna är rättvisande."}  # fmt: skip
    with pytest.raises(ValidationError):  # not adopted yet
        auditors_report_save(report=annual, values=audit, by=chief)
    adopt(annual, chief=chief, board_member=board_member)
    with pytest.raises(PermissionDenied):
        auditors_report_save(report=annual, values=audit, by=board_member)
    auditors_report_save(report=annual, values=audit, by=chief)
    auditors_report_save(report=annual, values=audit | {"statement": "Rättad."}, by=chief)
    assert AuditorsReport.objects.get(report=annual, organisation=member).statement == "Rättad."
    decision = {"organisation": member, "decided_on": datetime.date(2025, 5, 20), "decided_by": "Kommunfullmäktige",
                "minutes_reference": "§112", "granted": True, "comment": ""}  # fmt: skip
    discharge_decision_save(report=annual, values=decision, by=chief)
    assert DischargeDecision.objects.filter(report=annual).count() == 1
    assert annual.events.filter(action=PlanEvent.Action.AUDITED).count() == 3
    with pytest.raises(ValidationError):  # a plan is no annual report
        auditors_report_save(report=plan, values=audit, by=chief)


# --- Views ----------------------------------------------------------------------------------------------


def new_url(plan):
    return reverse("report_new", args=[plan.association.slug, plan.pk])


def discharge_url(report):
    return reverse("report_discharge", args=[report.association.slug, report.pk])


def test_the_plan_page_starts_a_report_for_the_chief_only(
    plan, chief_client, board_member_client, outsider_client
):
    page = chief_client.get(plan.get_absolute_url()).content.decode()
    assert "Skapa årsredovisning" in page
    assert "Skapa årsredovisning" not in board_member_client.get(plan.get_absolute_url()).content.decode()
    assert board_member_client.post(new_url(plan), {"kind": "annual_report"}).status_code == 403
    assert outsider_client.post(new_url(plan), {"kind": "annual_report"}).status_code == 404
    response = chief_client.post(new_url(plan), {"kind": "annual_report"})
    report = plan.reports.get()
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    again = chief_client.post(new_url(plan), {"kind": "annual_report"}, follow=True).content.decode()
    assert "redan" in again and report.get_absolute_url() in again  # the existing one is linked
    page = chief_client.get(report.get_absolute_url()).content.decode()
    assert "Verksamhetsberättelse och årsredovisning" in page and "Budget och utfall 2024" in page
    assert chief_client.post(new_url(plan), {"kind": "interim_report", "months": "x" * 50}).status_code == 302


def test_the_report_editor_offers_only_report_chapters(annual, chief_client):
    form = ChapterForm(plan=annual)
    assert {value for value, _label in form.fields["kind"].choices} == Chapter.REPORT_KINDS
    editor = chief_client.get(reverse("plan_edit", args=[annual.association.slug, annual.pk]))
    assert editor.status_code == 200 and "Lägg till mål" not in editor.content.decode()
    goals = reverse("plan_part_add", args=[annual.association.slug, annual.pk, "mal"])
    assert chief_client.get(goals).status_code == 404
    plan_form = ChapterForm(plan=annual.report_of)
    assert "goal_report" not in {value for value, _label in plan_form.fields["kind"].choices}


def test_the_discharge_page_by_role_and_state(
    annual,
    association,
    chief,
    board_member,
    chief_client,
    board_member_client,
    reader_client,
    outsider_client,
):
    member = OrganisationFactory(association=association, name="Region Västernorrland")
    data = {"action": "revision", "revision-organisation": member.pk, "revision-reported_on": "2025-04-02",
            "revision-recommends_discharge": "on", "revision-statement": "Inget att anmärka."}  # fmt: skip
    assert chief_client.get(discharge_url(annual)).status_code == 200
    assert chief_client.post(discharge_url(annual), data).status_code == 403  # a draft
    adopt(annual, chief=chief, board_member=board_member)
    assert outsider_client.get(discharge_url(annual)).status_code == 404
    assert board_member_client.post(discharge_url(annual), data).status_code == 403
    assert reader_client.get(discharge_url(annual)).status_code == 200
    bad = chief_client.post(discharge_url(annual), data | {"revision-reported_on": "2099-01-01"})
    assert bad.status_code == 422 and "framtiden" in bad.content.decode()
    assert not AuditorsReport.objects.exists()
    assert chief_client.post(discharge_url(annual), data).status_code == 302
    decision = {"action": "ansvarsfrihet", "ansvarsfrihet-organisation": member.pk,
                "ansvarsfrihet-decided_on": "2025-06-10", "ansvarsfrihet-decided_by": "Regionfullmäktige",
                "ansvarsfrihet-minutes_reference": "§88", "ansvarsfrihet-granted": "on"}  # fmt: skip
    assert chief_client.post(discharge_url(annual), decision).status_code == 302
    page = board_member_client.get(annual.get_absolute_url()).content.decode()
    assert "Inget att anmärka." in page and "Regionfullmäktige" in page
    assert chief_client.get(discharge_url(annual.report_of)).status_code == 404  # a plan has no discharge


# --- The demo: Örnsköldsvik's 2020 plan carried to its adopted annual report -------------------------


@pytest.fixture
def demo_report(renderings_start_at_once):
    load_association(read_demo_file(DATA_DIR / "ornskoldsvik.json"))
    association = Association.objects.get(slug="ornskoldsvik")
    load_followup_demo(association)
    return load_report_demo(association)


@pytest.mark.slow
def test_the_demo_adopts_the_2020_annual_report_with_its_archive_and_discharge(demo_report, client):
    report = demo_report
    assert (report.kind, report.state, report.first_year) == (Kind.ANNUAL_REPORT, Plan.State.ADOPTED, 2020)
    members = report.association.organisations.filter(is_member=True).count()
    assert members and DischargeDecision.objects.filter(report=report, granted=True).count() == members
    assert AuditorsReport.objects.filter(report=report).count() == members
    archive = PlanPdf.objects.get(plan=report, is_archival=True)
    assert archive.status == PlanPdf.Status.DONE and archive.file
    with archive.file.open("rb") as stored:
        text = " ".join(
            page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(stored.read())).pages
        )
    text = " ".join(text.split())
    assert "Verksamhetsberättelse och årsredovisning 2020" in text  # the cover says what it is
    assert "Budget och utfall 2020" in text and "Måluppfyllelse" in text and "Eget kapital" in text
    client.force_login(get_user_model().objects.get(username="ledamot.ornskoldsvik"))
    for name in ("plan_detail", "plan_review", "plan_history", "plan_changes", "report_discharge"):
        response = client.get(reverse(name, args=["ornskoldsvik", report.pk]))
        assert response.status_code == 200, name
    page = client.get(report.get_absolute_url()).content.decode()
    assert (
        "Budget och utfall 2020" in page and "Kommunfullmäktige" in page and "präglades av pandemin" in page
    )


def test_no_page_of_a_report_fails(annual, chief, board_member, client):
    """Every page of a plan opened on a report (draft, then adopted) answers without a server error (the
    plan's own pages, budget, follow-up and contributions, with a 404)."""
    names = sorted(
        pattern.name
        for pattern in get_resolver("plans.urls").url_patterns
        + get_resolver("budgets.urls").url_patterns
        + get_resolver("interventions.urls").url_patterns
        if isinstance(pattern, URLPattern)
        and pattern.name
        and set(pattern.pattern.converters) == {"pk"}
        and "planer/<int:pk>/" in str(pattern.pattern)
    )
    assert {"plan_detail", "plan_followup", "plan_budget_grid", "plan_review", "plan_pdf"} <= set(names)
    client.raise_request_exception = False
    client.force_login(chief)
    for state in ("draft", "adopted"):
        if state == "adopted":
            adopt(annual, chief=chief, board_member=board_member)
        for name in names:
            url = reverse(name, args=[annual.association.slug, annual.pk])
            status = client.get(url).status_code
            assert status < 500, (state, name, status)


def test_a_report_has_no_budget_pages_and_is_not_revised(annual, chief, board_member, chief_client):
    for name in ("plan_budget_grid", "plan_followup", "plan_contributions", "plan_interventions"):
        assert chief_client.get(reverse(name, args=[annual.association.slug, annual.pk])).status_code == 404
    adopt(annual, chief=chief, board_member=board_member)
    with pytest.raises(TransitionNotAllowed):
        plan_revise(plan=annual, by=chief)
    with pytest.raises(TransitionNotAllowed):
        plan_revise(plan=annual, by=chief, budget_only=True)
    review = chief_client.get(
        reverse("plan_review", args=[annual.association.slug, annual.pk])
    ).content.decode()
    assert "Skapa ny version" not in review


def report_page_queries(client, report) -> int:
    client.get(report.get_absolute_url())  # warm: the session, templates
    with CaptureQueriesContext(connection) as captured:
        assert client.get(report.get_absolute_url()).status_code == 200
    return len(captured)


def test_the_annual_report_page_asks_the_same_number_of_queries_whatever_the_size(
    association, chief, chief_client
):
    """A draft annual report reads the follow-up live: its queries do not grow with the budget's lines,
    the goals and indicators, or the insatser (`make bench` measures the same page on the synthetic plans)."""
    small = build_adopted_plan(association, first_year=2024, lines=1)
    large = build_adopted_plan(association, first_year=2025, lines=25)
    for number in range(6):
        goal = GoalFactory(plan=large, title=f"Mål {number}", position=number)
        for place in range(3):
            IndicatorFactory(goal=goal, text=f"Indikator {number}.{place}", position=place)
        intervention = InterventionFactory(association=association, name=f"Insats {number}")
        GrantFactory(intervention=intervention, year=2025, amount=100000)
        PlanInterventionFactory(plan=large, intervention=intervention, position=number + 1)
    GoalFactory(plan=small, title="Ett mål")
    reports = [report_create(plan=plan, kind=Kind.ANNUAL_REPORT, by=chief) for plan in (small, large)]
    counts = [report_page_queries(chief_client, report) for report in reports]
    assert counts[0] == counts[1], counts
    page = chief_client.get(reports[1].get_absolute_url()).content.decode()
    assert "Indikator 5.2" in page and "Insats 5" in page and "Kostnad 24" in page


def test_the_board_comments_on_a_goal_and_an_insats_of_the_report(plan, annual, chief, board_member, client):
    goal = GoalFactory(plan=plan, title="Fler i arbete")
    plan_submit(plan=annual, by=chief, notify=False)
    targets = comment_targets(shown_document(annual).content)
    intervention = plan.plan_interventions.get().intervention
    assert targets[("goal", f"goal-{goal.pk}")] == "Fler i arbete"
    assert targets[("intervention", f"intervention-{intervention.pk}")] == "Steget vidare"
    client.force_login(board_member)
    review = client.get(reverse("plan_review", args=[annual.association.slug, annual.pk])).content.decode()
    assert f'id="kommentarer-goal-{goal.pk}"' in review  # its threads beside the goal in the report
    assert f'id="kommentarer-intervention-{intervention.pk}"' in review
    response = client.post(
        reverse("comment_create", args=[annual.association.slug, annual.pk]),
        {"target": f"intervention:intervention-{intervention.pk}", "body": "Hur många nådde arbete?"},
    )
    assert response.status_code in (200, 302)
    assert annual.comments.get().body == "Hur många nådde arbete?"


def test_a_report_whose_follow_up_changed_after_it_was_sent_is_sent_again_before_adoption(
    plan, annual, chief, board_member
):
    plan_submit(plan=annual, by=chief, notify=False)
    plan_stance_record(plan=annual, by=board_member, stance=Stance.Kind.APPROVE)
    enter(plan, chief, "Förbundschef", periods={1: 100})
    annual.refresh_from_db()
    with pytest.raises(ReviewError, match="Uppföljningen har ändrats"):
        plan_adopt(plan=annual, by=chief, adopted_on=datetime.date(2025, 3, 20), minutes_reference="§12")
    annual.refresh_from_db()
    assert annual.state == Plan.State.APPROVED


def test_the_association_page_lists_a_report_as_what_it_is(annual, board_member_client):
    page = board_member_client.get(reverse("association", args=[annual.association.slug])).content.decode()
    assert annual.title in page and "Verksamhetsberättelse och årsredovisning</span>" in page


def test_a_reports_pdf_is_named_for_what_it_is(plan, annual, chief):
    assert plan_pdf_filename(annual) == f"arsredovisning-{annual.association.slug}-2024-utkast.pdf"
    interim = report_create(plan=plan, kind=Kind.INTERIM_REPORT, months=8, by=chief)
    assert plan_pdf_filename(interim).startswith(f"delarsrapport-{plan.association.slug}-2024-08")
    assert plan_pdf_filename(plan).startswith("verksamhetsplan-")


def test_the_chief_starts_an_interim_report_for_a_period(plan, chief_client):
    response = chief_client.post(new_url(plan), {"kind": "interim_report", "months": "8"})
    interim = plan.reports.get(kind=Kind.INTERIM_REPORT)
    assert response["Location"] == interim.get_absolute_url()
    assert interim.period_end == datetime.date(2024, 8, 31)
    page = chief_client.get(interim.get_absolute_url()).content.decode()
    assert "Delårsrapport januari–augusti 2024" in page and "Prognos helår" in page
    refused = chief_client.post(new_url(plan), {"kind": "interim_report", "months": "5"}, follow=True)
    assert "Välj vilken period delårsrapporten gäller." in refused.content.decode()
    assert plan.reports.count() == 1


def test_a_reports_settings_keep_its_year(annual, chief_client):
    url = reverse("plan_settings_edit", args=[annual.association.slug, annual.pk])
    form = chief_client.get(url).content.decode()
    assert 'name="title"' in form and 'name="first_year"' not in form
    data = {"title": "Årsredovisning 2024", "unit": "kr", "decimals": "0", "version": annual.version,
            "first_year": "1999", "years": "6"}  # fmt: skip
    assert chief_client.post(url, data).status_code == 302
    annual.refresh_from_db()
    assert (annual.title, annual.first_year, annual.years) == ("Årsredovisning 2024", 2024, 1)


def test_an_annual_report_says_when_the_years_outcome_is_not_all_entered(plan, annual, chief):
    view = plan_document_view(annual)
    assert view.budget_outcome.periods_entered == 0
    enter(plan, chief, "Förbundschef", periods={1: 100000})
    view = plan_document_view(annual)
    assert view.budget_outcome.periods_entered == 1 < view.budget_outcome.period_count
    assert "Utfallet är inte inlagt för hela året" in render_to_string("plans/document.html", {"doc": view})


def test_a_report_travels_with_the_associations_backup(
    plan, annual, association, chief, board_member, tmp_path
):
    """Export and import (new ids): the report still reports on the imported plan, shows the same frozen
    document, and keeps its members' decisions."""
    member = OrganisationFactory(association=association, name="Örnsköldsviks kommun")
    adopt(annual, chief=chief, board_member=board_member)
    discharge_decision_save(
        report=annual,
        values={"organisation": member, "decided_on": datetime.date(2025, 5, 20), "decided_by": "Kommunfullmäktige",
                "minutes_reference": "§112", "granted": True, "comment": ""},
        by=chief,
    )  # fmt: skip
    before = render_to_string("plans/document.html", {"doc": plan_document_view(annual)})
    path = tmp_path / "backup.json"
    call_command("export_association", association.slug, output=str(path))
    Association.objects.filter(pk=association.pk).update(slug="som-var")
    call_command("import_association", str(path), stdout=io.StringIO())

    imported = Plan.objects.get(association__slug=association.slug, kind=Kind.ANNUAL_REPORT)
    assert imported.pk != annual.pk
    assert (
        imported.report_of.association_id == imported.association_id and imported.report_of.kind == Kind.PLAN
    )
    assert imported.discharge_decisions.get().organisation.name == "Örnsköldsviks kommun"
    after = render_to_string("plans/document.html", {"doc": plan_document_view(imported)})
    assert document_text(after) == document_text(before)


def document_text(markup: str) -> str:
    """The document's words, without its markup (element ids and links carry the rows' ids)."""
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def test_a_year_has_one_annual_report_whichever_version_it_was_started_on(plan, annual, chief):
    revision = plan_revise(plan=plan, by=chief, budget_only=True)
    Plan.objects.filter(pk=plan.pk).update(state=Plan.State.SUPERSEDED)
    Plan.objects.filter(pk=revision.pk).update(state=Plan.State.ADOPTED, adopted_on=datetime.date(2024, 6, 1))
    revision.refresh_from_db()
    with pytest.raises(ReportExists) as refused:
        report_create(plan=revision, kind=Kind.ANNUAL_REPORT, by=chief)
    assert refused.value.report == annual
    annual.refresh_from_db()
    assert reported_plan(annual) == revision  # the report shows the year's adopted version's follow-up


def test_what_changed_between_two_versions_of_a_report_shows_the_follow_up(
    plan, annual, chief, board_member, board_member_client
):
    goal = GoalFactory(plan=plan, title="Fler i arbete")
    indicator = IndicatorFactory(goal=goal, text="Andel i arbete", target="50 %")
    first = plan_submit(plan=annual, by=chief, notify=False)
    plan_stance_record(
        plan=annual, by=board_member, stance=Stance.Kind.CHANGES_REQUESTED, comment="Utfallet?"
    )
    enter(plan, chief, "Förbundschef", periods={1: 250000})
    indicator_outcome_save(
        plan=plan, indicator=indicator, by=chief, value="56 %", judgement="met", comment=""
    )
    annual.refresh_from_db()
    second = plan_submit(plan=annual, by=chief, notify=False)
    diff = snapshot_diff(first.content, second.content)
    sections = {section.key: section for section in diff.sections}
    assert set(sections) >= {"goal_report", "budget_outcome", "equity"}
    line = next(item for item in sections["budget_outcome"].items if item.label == "Förbundschef")
    outcome = next(change for change in line.fields if change.label == "Utfall")
    assert (outcome.old, outcome.new) == (Decimal(0), Decimal(250000))
    html = str(sections["goal_report"].items[0].fields[0].html)
    assert "56&nbsp;%" in html and "Uppfyllt" in html  # the outcome and the judgement, marked as added
    page = board_member_client.get(reverse("plan_changes", args=[annual.association.slug, annual.pk]))
    assert page.status_code == 200 and "Budget och utfall" in page.content.decode()


# --- The adopted annual report closes the year's follow-up ----------------------------------------------


def test_the_adopted_annual_report_closes_the_years_follow_up(plan, annual, chief, board_member):
    goal = GoalFactory(plan=plan)
    indicator = IndicatorFactory(goal=goal)
    enter(plan, chief, "Förbundschef", periods={1: 100000})
    assert plan_takes_followup(plan)
    adopt(annual, chief=chief, board_member=board_member)
    assert not plan_takes_followup(plan)
    closed = "styrelsen har fastställt årsredovisningen för 2024"
    with pytest.raises(FollowUpClosed, match=closed):
        followup_outcome_update(
            plan=plan, row=key_of(plan, "Förbundschef"), label="Förbundschef", period=2, amount=Decimal(5),
            expected_version=0, by=chief,
        )  # fmt: skip
    with pytest.raises(ValidationError, match=closed):
        indicator_outcome_save(
            plan=plan, indicator=indicator, by=chief, value="12", judgement="met", comment="",
        )  # fmt: skip
    assert plan_followup(plan).rows[key_of(plan, "Förbundschef")].row.amounts[1] == Decimal(100000)


def test_the_closed_years_pages_say_so_offer_no_inputs_and_still_export(
    plan, annual, chief, board_member, client
):
    adopt(annual, chief=chief, board_member=board_member)
    client.force_login(chief)
    kwargs = {"association": plan.association.slug, "pk": plan.pk}
    budget_page = client.get(reverse("plan_followup", kwargs=kwargs)).content.decode()
    assert "Årets uppföljning är avslutad" in budget_page and 'name="amount"' not in budget_page
    assert (
        f'href="{plan.get_absolute_url()}#rapporter"' in budget_page
    )  # the year's reports, from the follow-up
    goals_page = client.get(reverse("plan_goal_followup", kwargs=kwargs)).content.decode()
    assert "Årets uppföljning är avslutad" in goals_page
    assert client.get(reverse("national_followup_xlsx", kwargs=kwargs)).status_code == 200


def test_the_insats_report_of_a_closed_year_is_shown_not_written(plan, annual, chief, board_member, client):
    adopt(annual, chief=chief, board_member=board_member)
    intervention = plan.plan_interventions.first().intervention
    client.force_login(chief)
    url = reverse(
        "intervention_year_edit",
        kwargs={"association": plan.association.slug, "pk": intervention.pk, "year": 2024},
    )
    page = client.get(url).content.decode()
    assert "Årets uppföljning är avslutad" in page and "Spara uppföljningen" not in page
    response = client.post(url, {"version": 0, "planned_women": "3", "report": "Sent"})
    assert response.status_code == 422 and "Årets uppföljning är avslutad" in response.content.decode()
