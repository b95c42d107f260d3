"""Who is told what by e-mail: submitted → board; comment → chief and thread; stance → chief;
adopted → everyone in the association; withdrawn → board. Nothing is sent for a refused action."""

import pytest
from django.core import mail
from django.utils import timezone

from finsam.models import Membership
from plans import review
from plans.models import Comment, Stance
from tests.factories import MembershipFactory, UserFactory
from tests.test_review_transitions import build_world

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture(autouse=True)
def _links_to_the_installation(settings):
    settings.FINSAM_BASE_URL = "https://finsam.example.se"


def sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


def address(world, role):
    return world.user(role).email


def test_submitting_tells_the_board_in_swedish(django_capture_on_commit_callbacks):
    world = build_world()
    with django_capture_on_commit_callbacks(execute=True):
        review.plan_submit(plan=world.plan, by=world.user(Role.CHIEF))
    assert sent_to() == sorted([address(world, Role.CHAIR), address(world, Role.BOARD)])
    message = mail.outbox[0]
    assert message.subject == "Verksamhetsplan och budget 2027: version 1 att granska"
    assert "har skickat Verksamhetsplan och budget 2027 (version 1) till styrelsen" in message.body
    assert (
        f"https://finsam.example.se/f/{world.plan.association.slug}/planer/{world.plan.pk}/granskning/"
        in message.body
    )
    assert len(message.to) == 1  # one message each: no one sees the others' addresses


def test_nothing_is_sent_until_the_action_commits(django_capture_on_commit_callbacks):
    world = build_world()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review.plan_submit(plan=world.plan, by=world.user(Role.CHIEF))
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_a_refused_action_sends_nothing(django_capture_on_commit_callbacks):
    world = build_world("in_review")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(review.ReviewError):
        review.plan_withdraw(plan=world.plan, by=world.user(Role.CHIEF), reason="")
    assert mail.outbox == []


def test_withdrawing_tells_the_board_why(django_capture_on_commit_callbacks):
    world = build_world("in_review")
    with django_capture_on_commit_callbacks(execute=True):
        review.plan_withdraw(plan=world.plan, by=world.user(Role.CHIEF), reason="Regionens beslut dröjer.")
    assert sent_to() == sorted([address(world, Role.CHAIR), address(world, Role.BOARD)])
    assert "Skäl: Regionens beslut dröjer." in mail.outbox[0].body


def test_a_comment_goes_to_the_chief_and_replies_to_the_thread(django_capture_on_commit_callbacks):
    world = build_world("in_review")
    plan = world.plan
    key = f"intervention-{plan.plan_interventions.get().intervention_id}"
    with django_capture_on_commit_callbacks(execute=True):
        comment = review.comment_add(
            plan=plan,
            by=world.user(Role.BOARD),
            target_kind="intervention",
            target_key=key,
            body="Hur många deltagare?",
        )
    assert sent_to() == [address(world, Role.CHIEF)]
    assert "Vägen till arbete" in mail.outbox[0].subject
    assert "Hur många deltagare?" in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.comment_reply(comment=comment, by=world.user(Role.CHAIR), body="Jag undrar också.")
    assert sent_to() == sorted([address(world, Role.CHIEF), address(world, Role.BOARD)])

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review.comment_reply(comment=comment, by=world.user(Role.CHIEF), body="Trettio platser.")
    assert sent_to() == sorted([address(world, Role.CHAIR), address(world, Role.BOARD)])
    assert Comment.objects.filter(parent=comment).count() == 2


def test_a_stance_goes_to_the_chief(django_capture_on_commit_callbacks):
    world = build_world("in_review")
    with django_capture_on_commit_callbacks(execute=True):
        review.plan_stance_record(
            plan=world.plan, by=world.user(Role.BOARD), stance=Stance.Kind.APPROVE, comment="Bra."
        )
    assert sent_to() == [address(world, Role.CHIEF)]
    assert "tillstyrker" in mail.outbox[0].body
    assert "Planens status är nu: tillstyrkt." in mail.outbox[0].body


def test_adoption_goes_to_everyone_in_the_association(django_capture_on_commit_callbacks):
    world = build_world("approved")
    MembershipFactory(association=world.plan.association, role=Role.READER, user=UserFactory(email=""))
    with django_capture_on_commit_callbacks(execute=True):
        review.plan_adopt(
            plan=world.plan,
            by=world.user(Role.CHAIR),
            adopted_on=timezone.localdate(),
            minutes_reference="§39",
        )
    everyone = sorted(address(world, role) for role in (Role.CHIEF, Role.CHAIR, Role.BOARD, Role.READER))
    assert sent_to() == everyone  # not the outsider, not the user without an address
    assert mail.outbox[0].subject == "Verksamhetsplan och budget 2027 är fastställd"
    assert "§39" in mail.outbox[0].body
