"""The start page per person (issue 15, item 1): what waits for each role, per association, and the
counts in the navigation. Another association's plans and comments never show."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from finsam.models import AssociationDate, Membership
from plans import review
from plans.inbox import (
    nav_counts,
    plans_under_way,
    start_page,
    threads_of,
    unanswered_threads,
    waiting_for_stance,
)
from plans.models import Plan, Stance
from tests.factories import MembershipFactory, PlanFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 10, 1)


@pytest.fixture
def sent_plan(small_plan, chief):
    """`small_plan` sent to the board as version 1."""
    review.plan_submit(plan=small_plan, by=chief, notify=False)
    small_plan.refresh_from_db()
    return small_plan


@pytest.fixture
def foreign_sent_plan(other_association, outsider, board_member):
    """A plan of Beta in review; `board_member` of Alfa has no role in Beta."""
    plan = PlanFactory(association=other_association, title="Betas plan 2027")
    review.plan_submit(plan=plan, by=outsider, notify=False)
    review.comment_add(
        plan=plan, by=outsider, target_kind="plan", target_key="plan", body="Beta", notify=False
    )
    return plan


def comment(plan, by, body="Varför?"):
    return review.comment_add(
        plan=plan, by=by, target_kind="plan", target_key="plan", body=body, notify=False
    )


def association_ids(user, *roles):
    return Membership.objects.filter(user=user, role__in=roles).values("association_id")


# --- the inbox functions -------------------------------------------------------------------------------


def test_a_version_waits_for_each_board_member_until_they_take_a_stance(sent_plan, board_member, chair):
    for user in (board_member, chair):
        ids = association_ids(user, "chair", "board")
        assert list(waiting_for_stance(user, ids)) == [sent_plan]
    review.plan_stance_record(plan=sent_plan, by=chair, stance=Stance.Kind.APPROVE)
    assert list(waiting_for_stance(chair, association_ids(chair, "chair"))) == []
    # Approved, but the other member may still take a stance on the version.
    assert list(waiting_for_stance(board_member, association_ids(board_member, "board"))) == [sent_plan]


def test_a_new_version_waits_again(sent_plan, chief, board_member):
    review.plan_stance_record(
        plan=sent_plan, by=board_member, stance="changes_requested", comment="Mer text."
    )
    ids = association_ids(board_member, "board")
    assert list(waiting_for_stance(board_member, ids)) == []
    sent_plan.refresh_from_db()
    review.plan_submit(plan=sent_plan, by=chief, notify=False)
    assert list(waiting_for_stance(board_member, ids)) == [sent_plan]


def test_a_draft_never_waits_for_a_stance(small_plan, board_member):
    assert list(waiting_for_stance(board_member, association_ids(board_member, "board"))) == []


def test_another_associations_versions_and_threads_never_show(foreign_sent_plan, board_member, chief):
    assert list(waiting_for_stance(board_member, association_ids(board_member, "board"))) == []
    assert list(threads_of(board_member, association_ids(board_member, "board"))) == []
    assert list(unanswered_threads(chief, association_ids(chief, "chief"))) == []
    assert plans_under_way(association_ids(chief, "chief")) == []
    sections = start_page(board_member, today=TODAY)
    assert [section.association.slug for section in sections] == ["alfa"]


def test_a_board_member_sees_the_unresolved_threads_they_started_or_answered(
    sent_plan, board_member, chair, chief
):
    comment(sent_plan, board_member, "Min fråga")
    answered = comment(sent_plan, chair, "Ordförandens fråga")
    review.comment_reply(comment=answered, by=board_member, body="Jag undrar också.")
    comment(sent_plan, chair, "Någon annans tråd")
    resolved = comment(sent_plan, board_member, "Löst")
    review.comment_resolve(comment=resolved, by=chief)
    threads = threads_of(board_member, association_ids(board_member, "board"))
    assert sorted(thread.body for thread in threads) == ["Min fråga", "Ordförandens fråga"]


def test_the_chief_sees_the_threads_whose_last_message_is_not_a_chiefs(sent_plan, chief, board_member, chair):
    waiting = comment(sent_plan, board_member, "Obesvarad")
    answered = comment(sent_plan, chair, "Besvarad")
    review.comment_reply(comment=answered, by=chief, body="Svar.")
    asked_again = comment(sent_plan, board_member, "Följdfråga")
    review.comment_reply(comment=asked_again, by=chief, body="Svar.")
    review.comment_reply(comment=asked_again, by=board_member, body="Men?")
    comment(sent_plan, chief, "Chefens egen")
    resolved = comment(sent_plan, board_member, "Löst")
    review.comment_resolve(comment=resolved, by=chief)
    threads = unanswered_threads(chief, association_ids(chief, "chief"))
    assert sorted(thread.pk for thread in threads) == sorted([waiting.pk, asked_again.pk])


def test_the_chief_sees_each_members_latest_stance_on_the_version_sent(sent_plan, chief, board_member, chair):
    review.plan_stance_record(plan=sent_plan, by=chair, stance=Stance.Kind.APPROVE)
    review.plan_stance_record(plan=sent_plan, by=board_member, stance=Stance.Kind.APPROVE)
    sent_plan.refresh_from_db()
    review.plan_stance_record(plan=sent_plan, by=board_member, stance="changes_requested", comment="Nej")
    [item] = plans_under_way(association_ids(chief, "chief"))
    assert item.plan == sent_plan
    assert {(stance.user, stance.stance) for stance in item.stances} == {
        (chair, "approve"),
        (board_member, "changes_requested"),
    }
    # Sent again: the new version has no stance yet.
    sent_plan.refresh_from_db()
    review.plan_submit(plan=sent_plan, by=chief, notify=False)
    [item] = plans_under_way(association_ids(chief, "chief"))
    assert item.stances == []


def test_a_draft_under_way_lists_its_errors_and_an_adopted_plan_is_not_under_way(association, chief):
    draft = PlanFactory(association=association, first_year=2027)  # no budget: error-level checks
    PlanFactory(
        association=association,
        first_year=2026,
        state=Plan.State.ADOPTED,
        adopted_on=datetime.date(2025, 11, 20),
    )
    [item] = plans_under_way(association_ids(chief, "chief"))
    assert item.plan == draft
    assert item.errors and all(finding.severity == "error" for finding in item.errors)


def test_the_start_page_gives_each_role_its_part(association, other_association, chief, reader, outsider):
    MembershipFactory(user=chief, association=other_association, role=Membership.Role.BOARD)
    adopted = PlanFactory(
        association=association,
        first_year=2026,
        state=Plan.State.ADOPTED,
        adopted_on=datetime.date(2025, 11, 20),
    )
    PlanFactory(association=association, first_year=2027)
    sections = {section.association.slug: section for section in start_page(chief, today=TODAY)}
    assert sections["alfa"].is_chief and not sections["alfa"].is_board
    assert sections["beta"].is_board and not sections["beta"].is_chief
    assert [item.plan.first_year for item in sections["alfa"].under_way] == [2027]
    [section] = start_page(reader, today=TODAY)
    assert section.adopted == [adopted] and section.under_way == [] and section.waiting == []


def test_nav_counts_in_one_query(
    sent_plan, chief, board_member, chair, foreign_sent_plan, django_assert_num_queries
):
    comment(sent_plan, board_member)
    with django_assert_num_queries(1):
        assert nav_counts(board_member).to_review == 1
    assert nav_counts(chief).to_answer == 1 and nav_counts(chief).to_review == 0
    assert nav_counts(board_member).to_answer == 0
    review.plan_stance_record(plan=sent_plan, by=board_member, stance=Stance.Kind.APPROVE)
    assert nav_counts(board_member).to_review == 0
    assert nav_counts(chair).to_review == 1


# --- the calendar --------------------------------------------------------------------------------------


def test_without_dates_the_deadline_is_30_november(association, chief):
    [section] = start_page(chief, today=TODAY)
    assert section.calendar.deadline.date == datetime.date(2026, 11, 30)
    assert section.calendar.deadline.is_default
    assert section.calendar.deadline_days_left == 60
    [section] = start_page(chief, today=datetime.date(2026, 12, 1))
    assert section.calendar.deadline.date == datetime.date(2027, 11, 30)


def test_the_chiefs_adoption_date_replaces_the_default(association, other_association, chief):
    AssociationDate.objects.create(association=association, date=datetime.date(2026, 11, 24), kind="adoption")
    AssociationDate.objects.create(
        association=association, date=datetime.date(2026, 10, 15), kind="consultation"
    )
    AssociationDate.objects.create(
        association=other_association, date=datetime.date(2026, 10, 2), kind="other", title="Beta"
    )
    [section] = start_page(chief, today=TODAY)
    assert section.calendar.deadline.date == datetime.date(2026, 11, 24)
    assert [date.date.day for date in section.calendar.upcoming] == [15]
    # Once this year's adoption has passed, next year's default stands.
    [section] = start_page(chief, today=datetime.date(2026, 11, 26))
    assert section.calendar.deadline.date == datetime.date(2027, 11, 30)


# --- the page ------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_board_member_reaches_the_review_in_one_click(client, sent_plan, board_member, foreign_sent_plan):
    comment(sent_plan, board_member, "Min fråga om planen")
    client.force_login(board_member)
    response = client.get(reverse("dashboard"))
    text = response.text
    review_url = reverse("plan_review", args=["alfa", sent_plan.pk])
    assert f'href="{review_url}"' in text
    assert "Granska Verksamhetsplan och budget 2027, version 1" in text
    assert "Min fråga om planen" in text and f"{review_url}#kommentarer-plan" in text
    assert "Att granska 1" in text
    assert "Betas plan" not in text and "Samordningsförbundet Beta" not in text
    assert "Budgeten fastställs senast" in text


def test_the_chiefs_page_shows_errors_comments_and_stances(client, sent_plan, chief, board_member, chair):
    PlanFactory(association=sent_plan.association, first_year=2029, title="Nästa plan")
    comment(sent_plan, board_member, "Svara mig")
    review.plan_stance_record(plan=sent_plan, by=chair, stance=Stance.Kind.APPROVE)
    client.force_login(chief)
    text = client.get(reverse("dashboard")).text
    assert "Svara mig" in text and "Att besvara 1" in text
    assert "Ordforande: tillstyrker" in text
    assert "Kvar innan planen kan skickas till styrelsen" in text
    assert reverse("association_calendar", args=["alfa"]) in text


def test_a_reader_sees_the_adopted_plans_only(client, association, reader):
    PlanFactory(association=association, first_year=2027, title="Hemligt utkast")
    PlanFactory(
        association=association,
        first_year=2026,
        title="Fastställd plan 2026",
        state=Plan.State.ADOPTED,
        adopted_on=datetime.date(2025, 11, 20),
    )
    client.force_login(reader)
    text = client.get(reverse("dashboard")).text
    assert "Fastställd plan 2026" in text and "Hemligt utkast" not in text
    assert "Att granska" not in text and "Att besvara" not in text


def test_the_page_takes_the_same_queries_however_many_plans_comments_and_associations(
    client,
    association,
    other_association,
    chief,
    board_member,
    chair,
    reader,
    outsider,
    django_assert_num_queries,
):
    """Each role, with one plan in review and one comment against twelve plans (adopted, in review,
    approved), forty comments, stances, and a second association where they have the same role: the same
    queries. (Each draft's checks cost their own; the one draft here stays one. A role the user has
    nowhere else adds its own few queries, once for every association.)"""
    PlanFactory(association=association, first_year=2040)  # the draft under way

    def add(association, years, comments, *, chief):
        for year in years:
            plan = PlanFactory(association=association, first_year=year)
            review.plan_submit(plan=plan, by=chief, notify=False)
            for n in range(comments):
                thread = comment(plan, chair, f"Fråga {n}")
                review.comment_reply(comment=thread, by=board_member, body="Och jag.")

    def count(user):
        client.force_login(user)
        client.get(reverse("dashboard"))  # the first request after a login writes the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(queries)

    users = (chief, board_member, reader)
    add(association, [2027], 1, chief=chief)
    small = {user.pk: count(user) for user in users}

    add(association, range(2028, 2039), 4, chief=chief)
    for plan in Plan.objects.filter(association=association, first_year__in=[2035, 2036]):
        review.plan_stance_record(plan=plan, by=chair, stance=Stance.Kind.APPROVE)
    Plan.objects.filter(first_year__lt=2031).update(
        state=Plan.State.ADOPTED, adopted_on=datetime.date(2026, 1, 1)
    )
    # The same role in a second association: its sections come from the same queries.
    for user in (*users, chair):
        role = user.memberships.get().role
        MembershipFactory(user=user, association=other_association, role=role)
    add(other_association, [2027, 2028], 2, chief=outsider)
    for user in users:
        client.force_login(user)
        client.get(reverse("dashboard"))
        with django_assert_num_queries(small[user.pk]):
            response = client.get(reverse("dashboard"))
        assert "Samordningsförbundet Beta" in response.text


def test_a_superuser_without_a_membership_gets_a_list_of_every_association(
    client, association, other_association
):
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    text = client.get(reverse("dashboard")).text
    assert "Övriga samordningsförbund" in text
    assert association.get_absolute_url() in text and other_association.get_absolute_url() in text


def test_a_user_without_an_association_is_told_whom_to_ask(client):
    client.force_login(UserFactory(username="ny"))
    assert "Be förbundschefen om behörighet" in client.get(reverse("dashboard")).text


def test_a_thread_whose_author_was_removed_still_waits_for_the_chief(client, sent_plan, chief, association):
    leaving = MembershipFactory(association=association, role=Membership.Role.BOARD).user
    thread = comment(sent_plan, leaving, "Fråga från en som slutat")
    leaving.delete()
    threads = unanswered_threads(chief, association_ids(chief, "chief"))
    assert [t.pk for t in threads] == [thread.pk]
    assert nav_counts(chief).to_answer == 1
    client.force_login(chief)
    assert "(borttagen användare): Fråga från en som slutat" in client.get(reverse("dashboard")).text


def test_an_approved_plan_points_the_chief_to_the_adoption(client, sent_plan, chief, chair):
    review.plan_stance_record(plan=sent_plan, by=chair, stance=Stance.Kind.APPROVE)
    client.force_login(chief)
    text = client.get(reverse("dashboard")).text
    assert "Tillstyrkt: registrera styrelsens beslut" in text
    assert reverse("plan_review", args=["alfa", sent_plan.pk]) + "#atgarder" in text
