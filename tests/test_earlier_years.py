"""Text rolled over from last year often still speaks of last year: a check points the chief at it."""

import pytest
from django.urls import reverse

from plans.checks import finding_links, plan_findings
from plans.models import Chapter, Goal, Indicator
from plans.text_parts import earlier_years

pytestmark = pytest.mark.django_db


def test_years_before_the_first_year_are_found_once_each_and_numbers_are_not_years():
    assert earlier_years("Under 2025 och 2025 ökade; 2027 blir bättre; 12025 kr; 1 999 kr", 2027) == [2025]
    assert earlier_years("Inga årtal alls", 2027) == []
    # The law every plan cites is no stale year.
    assert earlier_years("Enligt lag (2003:1210) om finansiell samordning, SFS 2003:1210.", 2027) == []


def test_a_chapter_or_goal_naming_last_year_is_a_warning_with_a_link_until_marked_intended(small_plan):
    plan = small_plan
    chapter = Chapter.objects.create(
        plan=plan, heading="Inledning", body=f"Budgeten för {plan.first_year - 1} visar…", position=90
    )
    goal = Goal.objects.create(plan=plan, title=f"Fler i arbete än {plan.first_year - 2}", position=90)
    findings = [f for f in plan_findings(plan) if f.code == "earlier_years_in_text"]
    assert {(f.target_kind, f.target_id) for f in findings} == {("chapter", chapter.pk), ("goal", goal.pk)}
    assert all(f.severity == "warning" for f in findings)
    chapter_finding = next(f for f in findings if f.target_kind == "chapter")
    assert str(plan.first_year - 1) in chapter_finding.message
    ((_label, url),) = finding_links(plan, chapter_finding)
    assert url == reverse("plan_edit", args=[plan.association.slug, plan.pk]) + f"#kapitel-{chapter.pk}"

    Chapter.objects.filter(pk=chapter.pk).update(years_intended=True)  # a history chapter
    findings = [f for f in plan_findings(plan) if f.code == "earlier_years_in_text"]
    assert [(f.target_kind, f.target_id) for f in findings] == [("goal", goal.pk)]

    # A stale year in one of a goal's indicators counts as the goal's.
    other = Goal.objects.create(plan=plan, title="Nöjda deltagare", position=91)
    Indicator.objects.create(goal=other, text="Andel nöjda", target=f"högre än {plan.first_year - 3}")
    findings = [f for f in plan_findings(plan) if f.code == "earlier_years_in_text"]
    assert ("goal", other.pk) in {(f.target_kind, f.target_id) for f in findings}
    Goal.objects.filter(pk=other.pk).update(years_intended=True)

    Goal.objects.filter(pk=goal.pk).update(years_intended=True)  # measured against a base year
    assert not [f for f in plan_findings(plan) if f.code == "earlier_years_in_text"]


def test_the_chapter_form_offers_to_mark_its_years_as_intended(small_plan):
    from plans.forms import ChapterForm

    assert "years_intended" in ChapterForm(plan=small_plan).fields


def test_the_goal_form_offers_to_mark_its_years_as_intended(small_plan, chief_client):
    goal = Goal.objects.create(
        plan=small_plan, title=f"Fler i arbete än {small_plan.first_year - 2}", position=90
    )
    url = reverse("plan_part_edit", args=[small_plan.association.slug, small_plan.pk, "mal", goal.pk])
    page = chief_client.get(url, headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert 'name="years_intended"' in page.content.decode()
