"""Login, the association list and the read-only plan page, for every kind of user."""

import pytest
from django.urls import reverse

from finsam.models import Membership
from plans.models import Chapter, Plan
from tests.factories import (
    AssociationFactory,
    BudgetAmountFactory,
    BudgetColumnFactory,
    BudgetGroupFactory,
    BudgetLineFactory,
    ChapterFactory,
    GoalFactory,
    IndicatorFactory,
    MembershipFactory,
    PlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# `association` (Samordningsförbundet Alfa), `other_association` (Beta), its `chief`, `board_member` and
# `reader`, and `outsider` (Beta's chief) come from tests/conftest.py, as do `small_plan` and `large_plan`.


@pytest.fixture
def adopted_plan(association):
    import datetime

    plan = PlanFactory(
        association=association,
        title="Verksamhetsplan och budget 2027",
        state=Plan.State.ADOPTED,
        adopted_on=datetime.date(2026, 11, 25),
        minutes_reference="§39",
        unit=Plan.Unit.TKR,
        decimals=1,
        costs_negative=True,
    )
    ChapterFactory(plan=plan, heading="Inledning", body="Förbundet **arbetar** för samverkan.", position=1)
    goal = GoalFactory(plan=plan, title="Fler i arbete")
    IndicatorFactory(goal=goal, text="Andel deltagare i arbete", target="minst 50 %")
    ChapterFactory(plan=plan, heading="Mål", kind=Chapter.Kind.GOALS, body="", position=2)
    ChapterFactory(plan=plan, heading="Budget", kind=Chapter.Kind.BUDGET, body="", position=3)
    column = BudgetColumnFactory(plan=plan, year=2027)
    group = BudgetGroupFactory(plan=plan, name="Administration")
    BudgetAmountFactory(
        line=BudgetLineFactory(group=group, name="Förbundschef"), column=column, amount=1258500
    )
    return plan


@pytest.fixture
def draft_plan(association):
    return PlanFactory(association=association, title="Utkast till plan 2028", first_year=2028)


def test_login_page_is_in_swedish(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Logga in" in response.text
    assert 'lang="sv"' in response.text


def test_anonymous_user_is_sent_to_login(client, association, adopted_plan):
    for url in (reverse("dashboard"), association.get_absolute_url(), adopted_plan.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_login_with_right_password_reaches_the_association(client, chief):
    response = client.post(reverse("login"), {"username": chief.username, "password": "secret-pass-123"})
    assert response.status_code == 302
    response = client.get(reverse("dashboard"), follow=True)
    assert "Samordningsförbundet Alfa" in response.text


def test_wrong_password_gives_a_swedish_message(client, chief):
    response = client.post(reverse("login"), {"username": chief.username, "password": "fel"})
    assert response.status_code == 200
    assert "korrekt användarnamn och lösenord" in response.text


def test_dashboard_lists_every_association_of_the_user(client, chief, other_association):
    MembershipFactory(user=chief, association=other_association, role=Membership.Role.READER)
    third = AssociationFactory(name="Samordningsförbundet Gamma")
    client.force_login(chief)
    response = client.get(reverse("dashboard"))
    assert "Samordningsförbundet Alfa" in response.text
    assert "Samordningsförbundet Beta" in response.text
    assert third.name not in response.text


def test_association_page_lists_plans_by_year_with_state(
    client, association, board_member, adopted_plan, draft_plan
):
    client.force_login(board_member)
    response = client.get(association.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "Verksamhetsplan och budget 2027" in text and "Fastställd" in text
    assert "Utkast till plan 2028" in text and "Utkast" in text
    assert text.index("2028") < text.index("2027–2029")  # newest first


def test_reader_sees_adopted_plans_but_not_drafts(client, association, reader, adopted_plan, draft_plan):
    client.force_login(reader)
    assert "Utkast till plan 2028" not in client.get(association.get_absolute_url()).text
    assert client.get(adopted_plan.get_absolute_url()).status_code == 200
    assert client.get(draft_plan.get_absolute_url()).status_code == 404


def test_another_associations_plan_is_a_404(client, association, other_association, outsider, adopted_plan):
    client.force_login(outsider)
    assert client.get(association.get_absolute_url()).status_code == 404
    assert client.get(adopted_plan.get_absolute_url()).status_code == 404
    # Even through the other association's own URL prefix.
    url = reverse("plan_detail", kwargs={"association": other_association.slug, "pk": adopted_plan.pk})
    assert client.get(url).status_code == 404


def test_plan_page_shows_the_whole_document(client, board_member, adopted_plan):
    client.force_login(board_member)
    response = client.get(adopted_plan.get_absolute_url())
    assert response.status_code == 200
    text = response.text
    assert "Fastställd av styrelsen 2026-11-25 §39" in text
    assert "<strong>arbetar</strong>" in text  # Markdown rendered
    assert "Fler i arbete" in text and "minst 50 %" in text
    # Costs print negative in tkr with one decimal, the Swedish way.
    assert "\u22121\u00a0258,5" in text
    assert "1. " in text or '<span class="chapter__number">1</span>' in text


def test_markdown_cannot_inject_markup(client, chief, adopted_plan):
    ChapterFactory(
        plan=adopted_plan, heading="<i>x</i>", body="<script>alert(1)</script> [a](javascript:alert(1))"
    )
    client.force_login(chief)
    text = client.get(adopted_plan.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in text
    assert "javascript:alert" not in text
    assert "&lt;i&gt;x&lt;/i&gt;" in text


def test_superuser_sees_every_association(client, association, other_association):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(reverse("dashboard"))
    assert "Samordningsförbundet Alfa" in response.text and "Samordningsförbundet Beta" in response.text


def test_accessibility_statement_is_public(client):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    assert "Tillgänglighetsredogörelse" in response.text
    assert "Rapportera brister" in response.text


def test_plan_page_query_count_does_not_grow_with_the_plan(
    client, chief, small_plan, large_plan, django_assert_max_num_queries
):
    """One goal, four chapters, two budget lines and one intervention against six goals, twelve chapters,
    43 lines over five columns and fifteen interventions: the same queries, both plans adopted."""
    import datetime

    Plan.objects.filter(pk__in=[small_plan.pk, large_plan.pk]).update(
        state=Plan.State.ADOPTED, adopted_on=datetime.date(2026, 1, 1)
    )
    client.force_login(chief)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(small_plan.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(len(small_queries)):
        assert client.get(large_plan.get_absolute_url()).status_code == 200


def test_the_association_page_takes_the_same_number_of_queries_however_many_plans(
    client, association, chief, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    PlanFactory(association=association, first_year=2027)
    client.force_login(chief)
    page = reverse("association", args=[association.slug])
    client.get(page)  # the first request after a login refreshes the session
    with CaptureQueriesContext(connection) as one_plan:
        assert client.get(page).status_code == 200
    for year in range(2028, 2040):
        PlanFactory(association=association, first_year=year)

    with django_assert_num_queries(len(one_plan.captured_queries)):
        response = client.get(page)

    assert all(f"Verksamhetsplan och budget {year}" in response.text for year in range(2027, 2040))
