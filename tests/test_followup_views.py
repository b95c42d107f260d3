"""The follow-up page of an adopted plan and its cells: who reads, who writes, bad input, conflicts, queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.followup import FORECAST, plan_followup
from budgets.models import BudgetAmount, FollowUp, FollowUpForecast, FollowUpOutcome
from plans.models import Plan
from tests.test_followup import build_adopted_plan, key_of

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
NBSP = "\u00a0"


@pytest.fixture
def plan(association):
    return build_adopted_plan(association)


def page_url(plan):
    return reverse("plan_followup", kwargs={"association": plan.association.slug, "pk": plan.pk})


def outcome_url(plan, key, period):
    return reverse(
        "followup_outcome",
        kwargs={"association": plan.association.slug, "pk": plan.pk, "row": key, "period": period},
    )


def comment_url(plan, key):
    return reverse(
        "followup_comment", kwargs={"association": plan.association.slug, "pk": plan.pk, "row": key}
    )


def forecast_url(plan, key):
    return reverse(
        "followup_forecast", kwargs={"association": plan.association.slug, "pk": plan.pk, "row": key}
    )


def test_everyone_of_the_association_reads_the_page_and_only_the_chief_gets_inputs(plan, members, client_for):
    for role, user in members.items():
        response = client_for(user).get(page_url(plan))
        assert response.status_code == 200
        text = response.text
        assert "Uppföljning av budget 2027" in text
        assert "Förbundschef" in text
        assert ('class="grid-input"' in text) == (role == "chief")
        assert ("uppfoljning/installningar/" in text) == (role == "chief")


def test_another_association_gets_404(plan, outsider_client):
    assert outsider_client.get(page_url(plan)).status_code == 404
    key = key_of(plan, "Förbundschef")
    response = outsider_client.post(outcome_url(plan, key, 1), {"version": 0, "amount": "1"})
    assert response.status_code == 404
    assert not FollowUpOutcome.objects.exists()


def test_a_reader_does_not_see_a_draft(association, reader_client):
    draft = build_adopted_plan(association, state=Plan.State.DRAFT)
    assert reader_client.get(page_url(draft)).status_code == 404


def test_board_members_cannot_write(plan, chair_client, board_member_client, reader_client):
    key = key_of(plan, "Förbundschef")
    for client in (chair_client, board_member_client, reader_client):
        response = client.post(outcome_url(plan, key, 1), {"version": 0, "amount": "100"}, **HTMX)
        assert response.status_code == 403
    assert not FollowUpOutcome.objects.exists()


def test_the_chief_cannot_write_before_adoption(association, chief_client):
    draft = build_adopted_plan(association, state=Plan.State.IN_REVIEW)
    key = key_of(draft, "Förbundschef")
    response = chief_client.post(outcome_url(draft, key, 1), {"version": 0, "amount": "100"}, **HTMX)
    assert response.status_code == 403
    assert "fastställda planen, inte för ett utkast" in response.text
    assert not FollowUp.objects.exists()


def test_the_chief_saves_an_outcome_and_sees_the_sums(plan, chief_client):
    key = key_of(plan, "Förbundschef")
    amounts = list(BudgetAmount.objects.values_list("amount", "version"))
    response = chief_client.post(outcome_url(plan, key, 1), {"version": 0, "amount": "180 000"}, **HTMX)
    assert response.status_code == 200
    assert f'value="180{NBSP}000"' in response.text or 'value="180000"' in response.text
    assert f'id="hittills-{key}" hx-swap-oob="true">180{NBSP}000' in response.text
    assert 'id="uppfoljning-resultat" hx-swap-oob="true"' in response.text
    assert plan_followup(plan).rows[key].amounts[1] == Decimal(180000)
    assert list(BudgetAmount.objects.values_list("amount", "version")) == amounts  # the budget is untouched


def test_a_forecast_with_comment_shows_in_the_deviation_list(plan, chief_client):
    key = key_of(plan, "Förbundschef")
    response = chief_client.post(forecast_url(plan, key), {"version": 0, "amount": "700000"}, **HTMX)
    assert response.status_code == 200
    assert "Avviker" in response.text
    assert f"avvikelse 100{NBSP}000 kr" in response.text
    # The comment's form gets the new version out of band: it is saved with the same record.
    assert f'id="kommentar-{key}-version" value="1" hx-swap-oob="true"' in response.text
    response = chief_client.post(comment_url(plan, key), {"version": 1, "comment": "Vikarie i våras"}, **HTMX)
    assert response.status_code == 200
    assert "Vikarie i våras" in response.text
    assert f'id="prognos-{key}-version" value="2" hx-swap-oob="true"' in response.text
    follow = plan_followup(plan).rows[key]
    assert follow.amounts[FORECAST] == Decimal(700000)
    assert follow.comment == "Vikarie i våras"
    # Emptying the amount keeps the comment; the forecast is the budget again.
    assert chief_client.post(forecast_url(plan, key), {"version": 2, "amount": ""}, **HTMX).status_code == 200
    follow = plan_followup(plan).rows[key]
    assert follow.amounts[FORECAST] == follow.amounts[100] and follow.comment == "Vikarie i våras"


def test_a_stale_comment_shows_theirs(plan, chief_client):
    key = key_of(plan, "Förbundschef")
    chief_client.post(comment_url(plan, key), {"version": 0, "comment": "Första"}, **HTMX)
    response = chief_client.post(comment_url(plan, key), {"version": 0, "comment": "Andra"}, **HTMX)
    assert response.status_code == 409
    assert 'value="Andra"' in response.text
    assert "Någon annan har just sparat kommentaren ”Första”" in response.text


@pytest.mark.parametrize("typed", ["12abc", "1.5", "12,5"])
def test_bad_input_is_refused_with_the_input_kept(plan, chief_client, typed):
    key = key_of(plan, "Förbundschef")
    response = chief_client.post(outcome_url(plan, key, 2), {"version": 0, "amount": typed}, **HTMX)
    assert response.status_code == 422
    assert f'value="{typed}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert not FollowUpOutcome.objects.exists()


def test_bad_input_without_javascript_renders_the_page_with_the_message(plan, chief_client):
    key = key_of(plan, "Förbundschef")
    response = chief_client.post(
        forecast_url(plan, key), {"version": 0, "amount": "mycket", "comment": "Hej"}
    )
    assert response.status_code == 422
    assert 'value="mycket"' in response.text
    assert 'value="Hej"' in response.text
    assert "<html" in response.text
    assert not FollowUpForecast.objects.exists()


def test_a_too_long_comment_is_refused(plan, chief_client):
    key = key_of(plan, "Förbundschef")
    response = chief_client.post(comment_url(plan, key), {"version": 0, "comment": "x" * 501}, **HTMX)
    assert response.status_code == 422
    assert "högst 500 tecken" in response.text


def test_missing_version_and_unknown_rows_or_periods(plan, chief_client):
    key = key_of(plan, "Förbundschef")
    assert chief_client.post(outcome_url(plan, key, 1), {"amount": "1"}, **HTMX).status_code == 400
    assert (
        chief_client.post(outcome_url(plan, "line-nosuchrow", 1), {"version": 0, "amount": "1"}).status_code
        == 404
    )
    assert chief_client.post(outcome_url(plan, key, 4), {"version": 0, "amount": "1"}).status_code == 404
    assert chief_client.post(outcome_url(plan, key, 0), {"version": 0, "amount": "1"}).status_code == 404


def test_two_editors_conflict_as_in_the_budget_grid(plan, chief_client):
    key = key_of(plan, "Förbundschef")
    assert (
        chief_client.post(outcome_url(plan, key, 1), {"version": 0, "amount": "100"}, **HTMX).status_code
        == 200
    )
    response = chief_client.post(outcome_url(plan, key, 1), {"version": 0, "amount": "200"}, **HTMX)
    assert response.status_code == 409
    assert 'value="200"' in response.text
    assert "Någon annan har just sparat 100" in response.text
    assert "Använd deras värde" in response.text
    # Choosing theirs shows the cell as it is now.
    current = chief_client.get(outcome_url(plan, key, 1), **HTMX)
    assert current.status_code == 200
    assert 'value="100"' in current.text
    # Saving mine with the version shown after the conflict replaces it.
    assert (
        chief_client.post(outcome_url(plan, key, 1), {"version": 1, "amount": "200"}, **HTMX).status_code
        == 200
    )
    assert plan_followup(plan).rows[key].amounts[1] == Decimal(200)


def test_without_javascript_a_save_redirects_to_the_cell(plan, chief_client):
    key = key_of(plan, "Förbundschef")
    response = chief_client.post(outcome_url(plan, key, 3), {"version": 0, "amount": "5"})
    assert response.status_code == 302
    assert response.url.endswith(f"#utfall-{key}-3")


def test_the_plan_page_links_to_the_follow_up_once_adopted(plan, association, chief_client):
    assert page_url(plan) in chief_client.get(plan.get_absolute_url()).text
    draft = build_adopted_plan(association, state=Plan.State.DRAFT, first_year=2028)
    assert page_url(draft) not in chief_client.get(draft.get_absolute_url()).text


def _queries(client, url, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **extra).status_code == 200
    return len(queries)


def test_queries_do_not_grow_with_the_budget(association, other_association, chief_client, chief):
    small = build_adopted_plan(association, lines=1, first_year=2027)
    large = build_adopted_plan(association, lines=40, first_year=2028)
    for plan in (small, large):
        key = key_of(plan, "Förbundschef")
        chief_client.post(outcome_url(plan, key, 1), {"version": 0, "amount": "5"}, **HTMX)
    assert _queries(chief_client, page_url(small)) == _queries(chief_client, page_url(large))
    keys = key_of(small, "Förbundschef"), key_of(large, "Förbundschef")

    def save(plan, key) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = chief_client.post(outcome_url(plan, key, 2), {"version": 0, "amount": "7"}, **HTMX)
            assert response.status_code == 200
        return len(queries)

    assert save(small, keys[0]) == save(large, keys[1])


def settings_url(association):
    return reverse("followup_settings", kwargs={"association": association.slug})


def test_the_chief_sets_the_period_and_the_limits(association, chief_client):
    assert chief_client.get(settings_url(association)).status_code == 200
    response = chief_client.post(
        settings_url(association),
        {"followup_period": "month", "deviation_percent": "5", "deviation_amount": "20000"},
    )
    assert response.status_code == 302
    association.refresh_from_db()
    assert (association.followup_period, association.deviation_percent, association.deviation_amount) == (
        "month",
        5,
        20000,
    )


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("deviation_percent", "tio", "Skriv procentgränsen som ett heltal"),
        ("deviation_percent", "-3", "kan inte vara negativ"),
        ("deviation_amount", "50 000,5", "Skriv beloppsgränsen i hela kronor"),
        ("deviation_amount", "99999999999999", "för stor"),
    ],
)
def test_bad_limits_are_refused_with_the_input_kept(association, chief_client, field, typed, message):
    data = {
        "followup_period": "tertial",
        "deviation_percent": "10",
        "deviation_amount": "50000",
        field: typed,
    }
    response = chief_client.post(settings_url(association), data)
    assert response.status_code == 422
    assert message in response.text
    assert f'value="{typed}"' in response.text
    association.refresh_from_db()
    assert (association.deviation_percent, association.deviation_amount) == (10, 50000)


def test_only_the_chief_changes_the_settings(association, chair_client, reader_client, outsider_client):
    data = {"followup_period": "month", "deviation_percent": "5", "deviation_amount": "20000"}
    for client in (chair_client, reader_client):
        assert client.post(settings_url(association), data).status_code == 403
    assert outsider_client.post(settings_url(association), data).status_code == 404
    association.refresh_from_db()
    assert association.followup_period == "tertial"
