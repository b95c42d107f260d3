"""The demo's follow-up: Örnsköldsvik's adopted 2020 budget followed through its year with invented
outcome per tertial, entered through the follow-up's services."""

import json
from decimal import Decimal

import pytest

from budgets.followup import FORECAST, TO_DATE, plan_followup
from finsam.models import Association
from finsam.site.demo import followup as followup_demo
from finsam.site.demo.followup import followup_file, load_followup_demo
from finsam.site.demo.loader import load_association
from finsam.site.demo.reading import DATA_DIR, DemoDataError, read_demo_file
from interventions.models import InterventionYear
from plans.models import IndicatorOutcome

pytestmark = pytest.mark.django_db
SLUG = "ornskoldsvik"


@pytest.fixture(autouse=True)
def _queue_pdfs_without_rendering(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


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
