"""The demo's follow-up: Örnsköldsvik's adopted 2020 budget revised during its year (an omdisponering adopted
in June) and followed through the year with invented outcome per tertial, entered through the services."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from budgets.followup import BUDGET, FORECAST, ORIGINAL, TO_DATE, plan_followup
from finsam.models import Association
from finsam.site.demo import followup as followup_demo
from finsam.site.demo.followup import followup_file, load_followup_demo
from finsam.site.demo.loader import load_association
from finsam.site.demo.reading import DATA_DIR, DemoDataError, read_demo_file
from interventions.models import InterventionYear
from plans.models import Comment, IndicatorOutcome, Plan, PlanPdf, Stance

pytestmark = pytest.mark.django_db
SLUG = "ornskoldsvik"


@pytest.fixture
def association():
    load_association(read_demo_file(DATA_DIR / f"{SLUG}.json"))
    return Association.objects.get(slug=SLUG)


def test_the_file_says_the_figures_are_invented():
    data = json.loads(followup_file(SLUG).read_text(encoding="utf-8"))
    assert "Påhittat för demon" in data["invented"]


def test_the_2020_budget_is_followed_per_tertial_with_deviations(association):
    plan = load_followup_demo(association)
    assert plan is not None and plan.first_year == 2020
    followup = plan_followup(plan)
    assert followup.periods == [1, 2, 3]
    rows = {row.row.label: row for row in followup.rows.values()}
    assert rows["Projekt Äpplet"].amounts[TO_DATE] == Decimal(465000)
    assert rows["Projekt Äpplet"].amounts[FORECAST] == Decimal(465000)
    # A row the file does not name: a third of its budget per tertial, no forecast of its own.
    assert rows["Arvoden, ersättningar styrelsen"].amounts[1] == Decimal(40000)
    assert not rows["Arvoden, ersättningar styrelsen"].forecast_entered
    flagged = {deviation.label for deviation in followup.deviations}
    assert flagged == {
        "Projekt Äpplet",
        "Nya ej beslutade aktiviteter",
    }  # travel: exactly 50 000 kr, not over
    assert followup.result_flagged
    assert followup.closing_equity_forecast > followup.closing_equity_budget
    assert load_followup_demo(association) is None  # once only


def test_the_revised_budget_is_adopted_in_june_and_supersedes_the_first_version(association):
    first = association.plans.get(state=Plan.State.ADOPTED)
    plan = load_followup_demo(association)
    first.refresh_from_db()
    assert plan.revision_of == first and plan.budget_only and plan.revision == 2
    assert plan.state == Plan.State.ADOPTED and first.state == Plan.State.SUPERSEDED
    assert (plan.adopted_on, plan.minutes_reference) == (datetime.date(2020, 6, 11), "§23")
    # As the board did it: sent with the chief's reason, approved by the board member, adopted by the chair.
    assert plan.snapshots.count() == 1
    reason = Comment.objects.get(plan=plan, target_kind=Comment.Target.PLAN)
    assert reason.author.username == f"chef.{SLUG}" and "Samtalsbyrån för unga" in reason.body
    stance = Stance.objects.get(plan=plan)
    assert (stance.user.username, stance.stance) == (f"ledamot.{SLUG}", Stance.Kind.APPROVE)
    assert plan.events.get(action="adopted").user.username == f"ordforande.{SLUG}"
    # Its archival PDF is queued from the revised budget, as every adopted plan's is.
    archive = PlanPdf.objects.get(plan=plan, is_archival=True)
    assert "710,0" in archive.source_html and "400,0" in archive.source_html
    assert PlanPdf.objects.filter(plan=first, is_archival=True).exists()


def test_the_follow_up_compares_with_the_revised_budget_and_shows_the_first(association):
    plan = load_followup_demo(association)
    followup = plan_followup(plan)
    rows = {row.row.label: row for row in followup.rows.values()}
    assert followup.original_plan.revision == 1
    undecided = rows["Nya ej beslutade aktiviteter"]
    assert (undecided.amounts[ORIGINAL], undecided.amounts[BUDGET]) == (Decimal(810000), Decimal(710000))
    talks = rows["Samtalsbyrå för unga"]
    assert (talks.amounts[ORIGINAL], talks.amounts[BUDGET]) == (Decimal(300000), Decimal(400000))
    assert talks.amounts[TO_DATE] == Decimal(395000)
    assert followup.totals.costs[ORIGINAL] == followup.totals.costs[BUDGET] == Decimal(5034000)


def test_the_follow_up_data_lands_on_the_revised_budget(association):
    plan = load_followup_demo(association)
    first = plan.revision_of
    judged = IndicatorOutcome.objects.filter(indicator__goal__plan=plan)
    assert judged.count() == 4
    assert not IndicatorOutcome.objects.filter(indicator__goal__plan=first).exists()
    assert not first.events.filter(action="followed_up").exists()


def test_the_follow_up_page_shows_both_budgets(association, client_for):
    plan = load_followup_demo(association)
    chair = client_for(get_user_model().objects.get(username=f"ordforande.{SLUG}"))
    kwargs = {"association": SLUG}
    response = chair.get(reverse("plan_followup", kwargs={**kwargs, "pk": plan.revision_of.pk}))
    assert response["Location"] == reverse("plan_followup", kwargs={**kwargs, "pk": plan.pk})
    page = chair.get(response["Location"]).content.decode()
    assert "Ursprunglig budget" in page and "Reviderad budget" in page
    # The document gives no § for the first adoption: the sentence leaves it out without a gap.
    assert "fastställd 2020-06-11 §23. Den ursprungliga budgeten, fastställd 2019-11-27, visas" in page
    line = plan.plan_interventions.get(intervention__name="Samtalsbyrån för unga").intervention
    row = re.search(rf'<tr[^>]*id="rad-intervention-{line.pk}".*?</tr>', page, re.S).group(0)
    assert re.findall(r'<td class="num[^"]*">\s*([^<]*?)\s*</td>', row)[:2] == ["300,0", "400,0"]


def test_a_file_that_does_not_say_it_is_invented_is_refused(association, tmp_path, monkeypatch):
    data = json.loads(followup_file(SLUG).read_text(encoding="utf-8"))
    del data["invented"]
    (tmp_path / f"{SLUG}.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(followup_demo, "FOLLOWUP_DIR", tmp_path)
    with pytest.raises(DemoDataError):
        load_followup_demo(association)


def test_the_insatser_report_participants_and_the_goals_their_outcomes(association):
    plan = load_followup_demo(association)
    plattform = InterventionYear.objects.get(intervention__name="Plattform U", year=2020)
    assert (plattform.planned_total, plattform.actual_total) == (55, 50)
    assert "14 gick vidare" in plattform.report
    judged = IndicatorOutcome.objects.filter(indicator__goal__plan=plan)
    assert sorted(judged.values_list("judgement", flat=True)) == ["met", "met", "not_met", "partly"]
    assert plan.events.filter(action="followed_up").count() == 3 + 4  # one event per report, as typed


def test_an_indicator_the_plan_does_not_have_is_refused(association, tmp_path, monkeypatch):
    data = json.loads(followup_file(SLUG).read_text(encoding="utf-8"))
    data["indicators"][0]["indicator"] = "Ingen sådan indikator"
    (tmp_path / f"{SLUG}.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(followup_demo, "FOLLOWUP_DIR", tmp_path)
    with pytest.raises(DemoDataError, match="0 indikatorer"):
        load_followup_demo(association)


def test_a_revised_line_the_budget_does_not_have_is_refused(association, tmp_path, monkeypatch):
    data = json.loads(followup_file(SLUG).read_text(encoding="utf-8"))
    data["revised_budget"]["lines"][0]["label"] = "Ingen sådan rad"
    (tmp_path / f"{SLUG}.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(followup_demo, "FOLLOWUP_DIR", tmp_path)
    with pytest.raises(DemoDataError, match="Ingen sådan rad"):
        load_followup_demo(association)
