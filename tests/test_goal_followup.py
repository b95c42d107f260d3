"""The year's follow-up of an adopted plan's goals (issue 17, item 5): the chief writes each indicator's
outcome and judgement beside the adopted plan, which itself never changes; everyone sees the goals at a glance."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.goal_outcomes import goal_follow_up, indicator_outcome_save
from plans.models import Indicator, IndicatorOutcome, Plan, PlanEvent
from plans.review import plan_revise
from plans.snapshots import snapshot_content
from tests.factories import GoalFactory, IndicatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def adopted(small_plan):
    goal = small_plan.goals.first()
    IndicatorFactory(goal=goal, text="Andel deltagare i arbete", target="minst 50 %", position=1)
    IndicatorFactory(goal=goal, text="Antal deltagare", target="40", position=2)
    Plan.objects.filter(pk=small_plan.pk).update(
        state=Plan.State.ADOPTED, adopted_on=datetime.date(2026, 11, 25), minutes_reference="§39"
    )
    small_plan.refresh_from_db()
    return small_plan


def page(plan):
    return reverse("plan_goal_followup", args=[plan.association.slug, plan.pk])


def save_url(plan, indicator):
    return reverse("indicator_outcome_edit", args=[plan.association.slug, plan.pk, indicator.pk])


def form_data(indicator, *, value="", judgement="", comment="", version=0):
    prefix = f"indikator-{indicator.pk}"
    return {
        f"{prefix}-value": value,
        f"{prefix}-judgement": judgement,
        f"{prefix}-comment": comment,
        f"{prefix}-version": version,
    }


def indicators(plan):
    return list(Indicator.objects.filter(goal__plan=plan).order_by("goal__position", "position", "id"))


def test_the_chief_writes_an_outcome_and_the_adopted_plan_stays_as_adopted(adopted, chief, chief_client):
    before = snapshot_content(adopted)
    indicator = indicators(adopted)[0]
    response = chief_client.post(
        save_url(adopted, indicator),
        form_data(indicator, value="56 %", judgement="met", comment="Över målet."),
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#indikator-{indicator.pk}")
    outcome = IndicatorOutcome.objects.get(indicator=indicator)
    assert (outcome.value, outcome.judgement, outcome.comment, outcome.updated_by) == (
        "56 %",
        "met",
        "Över målet.",
        chief,
    )
    assert snapshot_content(adopted) == before  # the plan's document is not touched
    event = adopted.events.get(action=PlanEvent.Action.FOLLOWED_UP)
    assert event.details == {"indicator": indicator.pk, "value": "56 %", "judgement": "met"}

    html = chief_client.get(page(adopted)).content.decode()
    assert "56 %" in html and "Över målet." in html


def test_htmx_swaps_the_indicator_and_keeps_bad_input(adopted, chief_client):
    indicator = indicators(adopted)[0]
    response = chief_client.post(
        save_url(adopted, indicator),
        form_data(indicator, value="x" * 501, judgement="kanske"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div class="indicator-outcome" id="indikator-{indicator.pk}">')
    assert "x" * 501 in html  # what was typed is kept
    assert "Välj ett giltigt alternativ" in html
    assert not IndicatorOutcome.objects.exists()

    response = chief_client.post(
        save_url(adopted, indicator),
        form_data(indicator, value="41", judgement="partly"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Sparat." in response.content.decode()


def test_a_save_after_someone_elses_is_refused_not_overwritten(adopted, chief, chief_client):
    indicator = indicators(adopted)[0]
    indicator_outcome_save(
        plan=adopted, indicator=indicator, by=chief, value="50 %", judgement="met", comment=""
    )
    response = chief_client.post(
        save_url(adopted, indicator), form_data(indicator, value="10 %", judgement="not_met", version=0)
    )
    assert response.status_code == 422
    assert "Någon annan har ändrat utfallet" in response.content.decode()
    assert IndicatorOutcome.objects.get(indicator=indicator).value == "50 %"

    version = IndicatorOutcome.objects.get(indicator=indicator).version
    response = chief_client.post(
        save_url(adopted, indicator), form_data(indicator, value="10 %", judgement="not_met", version=version)
    )
    assert response.status_code == 302
    assert IndicatorOutcome.objects.get(indicator=indicator).value == "10 %"


def test_only_the_chief_and_only_on_the_adopted_plan(
    adopted, small_plan, chief, chair_client, board_member_client, reader_client, outsider_client
):
    indicator = indicators(adopted)[0]
    data = form_data(indicator, value="1")
    for client in (chair_client, board_member_client, reader_client):
        assert client.post(save_url(adopted, indicator), data).status_code == 403
        assert client.get(page(adopted)).status_code == 200  # everyone reads it
    assert outsider_client.get(page(adopted)).status_code == 404
    assert outsider_client.post(save_url(adopted, indicator), data).status_code == 404

    Plan.objects.filter(pk=adopted.pk).update(state=Plan.State.DRAFT)
    adopted.refresh_from_db()
    with pytest.raises(Exception, match="fastställda planen"):
        indicator_outcome_save(
            plan=adopted, indicator=indicator, by=chief, value="1", judgement="", comment=""
        )
    assert not IndicatorOutcome.objects.exists()


def test_an_indicator_of_another_plan_is_a_404(adopted, large_plan, chief_client):
    foreign = IndicatorFactory(goal=large_plan.goals.first())
    assert chief_client.post(save_url(adopted, foreign), form_data(foreign, value="1")).status_code == 404


def test_the_goals_at_a_glance_count_the_judgements(adopted, chief):
    first = indicators(adopted)[0]
    indicator_outcome_save(plan=adopted, indicator=first, by=chief, value="56 %", judgement="met", comment="")
    [goal] = goal_follow_up(adopted)[:1]
    assert goal.judgements["met"] == 1 and goal.judgements[""] == len(goal.indicators) - 1


def test_a_revision_carries_the_outcomes_and_next_years_plan_does_not(adopted, chief):
    indicator = indicators(adopted)[0]
    indicator_outcome_save(
        plan=adopted, indicator=indicator, by=chief, value="56 %", judgement="met", comment="Bra"
    )
    revision = plan_revise(plan=adopted, by=chief)
    [carried] = IndicatorOutcome.objects.filter(indicator__goal__plan=revision)
    assert (carried.indicator.text, carried.value, carried.judgement) == (indicator.text, "56 %", "met")


def test_the_page_reads_in_a_flat_number_of_queries(adopted, chief_client):
    goal = adopted.goals.first()

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert chief_client.get(page(adopted)).status_code == 200
        return len(queries)

    count()  # the first request of a session reads more (navigation counts are cached after it)
    small = count()
    for n in range(5):
        extra = GoalFactory(plan=adopted, title=f"Mål {n}", position=10 + n)
        for m in range(3):
            IndicatorFactory(goal=extra, text=f"Indikator {n}.{m}")
    IndicatorFactory(goal=goal, text="En till")
    assert count() == small
