"""Goal categories are the association's own: a default list, renamed, extended and pruned by the chief."""

import pytest
from django.urls import reverse

from plans.goal_categories import goal_categories
from plans.models import DEFAULT_GOAL_CATEGORIES, Goal, GoalCategory
from plans.review import plan_submit
from plans.snapshots import snapshot_content

pytestmark = pytest.mark.django_db


def address(association):
    return reverse("goal_categories", kwargs={"association": association.slug})


def test_an_association_starts_with_the_default_list_once(association):
    names = [category.name for category in goal_categories(association)]
    assert names == [str(label) for _key, label in DEFAULT_GOAL_CATEGORIES]
    assert goal_categories(association).count() == len(DEFAULT_GOAL_CATEGORIES)


def test_the_chief_renames_adds_and_removes_and_a_sent_version_keeps_the_old_name(
    chief_client, chief, association, small_plan
):
    category = goal_categories(association).first()
    goal = Goal.objects.create(plan=small_plan, title="Fler i arbete", category=category, position=99)
    plan_submit(plan=small_plan, by=chief, notify=False)
    old = category.name

    response = chief_client.post(
        address(association), {"action": "rename", "category": category.pk, "name": "Långsiktigt mål"}
    )
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.name == "Långsiktigt mål"
    assert snapshot_content(small_plan)["goals"][-1]["level"] == "Långsiktigt mål"  # the live plan follows
    frozen = small_plan.snapshots.get().content["goals"]
    assert [g["level"] for g in frozen if g["title"] == goal.title] == [old]  # the version sent does not

    assert (
        chief_client.post(address(association), {"action": "add", "name": "Samverkansmål"}).status_code == 302
    )
    assert goal_categories(association).last().name == "Samverkansmål"

    refused = chief_client.post(address(association), {"action": "remove", "category": category.pk})
    assert refused.status_code == 422
    assert "används av mål" in refused.content.decode()
    assert GoalCategory.objects.filter(pk=category.pk).exists()


def test_a_clash_or_an_empty_name_is_refused_with_the_typed_text_kept(chief_client, association):
    first, second = goal_categories(association)[:2]
    response = chief_client.post(
        address(association), {"action": "rename", "category": second.pk, "name": f"  {first.name} "}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Det finns redan en kategori" in page and 'aria-invalid="true"' in page
    response = chief_client.post(address(association), {"action": "add", "name": "   "})
    assert response.status_code == 422 and "Skriv ett namn" in response.content.decode()


def test_only_the_chief_edits_and_another_associations_category_is_a_404(
    board_member_client, chief_client, association, other_association
):
    assert board_member_client.get(address(association)).status_code == 403
    foreign = goal_categories(other_association).first()
    response = chief_client.post(address(association), {"action": "remove", "category": foreign.pk})
    assert response.status_code == 404
    assert GoalCategory.objects.filter(pk=foreign.pk).exists()


def test_the_goal_form_offers_only_the_associations_categories(
    chief, association, other_association, small_plan
):
    from plans.forms import GoalForm

    form = GoalForm(association=association, instance=Goal(plan=small_plan))
    assert set(form.fields["category"].queryset) == set(goal_categories(association))
    foreign = goal_categories(other_association).first()
    form = GoalForm(
        data={"title": "Mål", "description": "", "category": foreign.pk},
        association=association,
        instance=Goal(plan=small_plan),
    )
    assert not form.is_valid() and "category" in form.errors
