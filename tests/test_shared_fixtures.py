"""The shared fixtures of tests/conftest.py are what their names say."""

import pytest
from django.urls import reverse

from budgets.calc import plan_budget
from budgets.checks import plan_checks
from finsam.models import Membership

pytestmark = pytest.mark.django_db


def test_each_user_has_one_role_and_the_outsider_belongs_elsewhere(
    association, other_association, members, outsider
):
    for role, user in members.items():
        assert list(user.memberships.values_list("association", "role")) == [(association.pk, role)]
    assert list(outsider.memberships.values_list("association", "role")) == [
        (other_association.pk, Membership.Role.CHIEF)
    ]
    assert association.organisations.filter(is_member=True).count() == 3


def test_the_plans_differ_in_size_and_compute(small_plan, large_plan):
    small, large = plan_budget(small_plan), plan_budget(large_plan)
    assert small.years == [2027, 2028]
    assert large.years == [2026, 2027, 2028, 2029, 2030]
    assert small_plan.plan_interventions.count() == 1 and large_plan.plan_interventions.count() == 15
    lines = {
        plan: sum(group.lines.count() for group in plan.budget_groups.all())
        for plan in (small_plan, large_plan)
    }
    assert lines[small_plan] == 2 and lines[large_plan] >= 40
    assert large_plan.chapters.count() > small_plan.chapters.count()
    for plan in (small_plan, large_plan):
        assert not [
            finding
            for finding in plan_checks(plan)
            if finding.code in {"intervention_too_few_members", "grant_not_in_budget"}
        ]


def test_the_logged_in_clients_see_what_their_role_allows(
    small_plan, chief_client, chair_client, board_member_client, reader_client, outsider_client
):
    url = reverse("plan_detail", kwargs={"association": "alfa", "pk": small_plan.pk})
    assert chief_client.get(url).status_code == 200
    assert chair_client.get(url).status_code == 200
    assert board_member_client.get(url).status_code == 200
    assert reader_client.get(url).status_code == 404  # readers see adopted plans only
    assert outsider_client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("plan_detail", ["Insats 15", "Administration 20", "Mål 6"]),
        ("plan_edit", ["Mål 6", "Uppföljning"]),
        ("plan_budget_grid", ["Administration 20", "Övrigt 11", "2030"]),
    ],
)
def test_the_large_plan_is_a_plan_the_pages_show(large_plan, chief_client, name, shown):
    response = chief_client.get(reverse(name, kwargs={"association": "alfa", "pk": large_plan.pk}))
    assert response.status_code == 200
    for text in shown:
        assert text in response.text
