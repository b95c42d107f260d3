"""Access races on PostgreSQL (see test_concurrency): two chiefs removing each other at once leave one
chief; one invitation accepted twice at once gives one account."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from finsam import invitations
from finsam.models import Membership
from tests.security.dataset import seed_world
from tests.security.test_concurrency import _needs_postgresql, race  # noqa: F401 (the fixture is autouse)

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
Role = Membership.Role


def test_two_chiefs_removing_each_other_at_once_leave_one(monkeypatch):
    world = seed_world("alfa")
    # A pause between the check and the delete, so that without the lock both checks would pass.
    delete = Membership.delete

    def slow_delete(self, *args, **kwargs):
        time.sleep(0.3)
        return delete(self, *args, **kwargs)

    monkeypatch.setattr(Membership, "delete", slow_delete)
    first = Membership.objects.get(user=world.users["chief"])
    second = Membership.objects.get(user=world.users["reader"])
    second.role = Role.CHIEF
    second.save(update_fields=["role"])

    def remove(pk):
        invitations.membership_remove(membership=Membership.objects.get(pk=pk))
        return pk

    results = race([lambda: remove(first.pk), lambda: remove(second.pk)])
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    assert all(isinstance(value, ValidationError) for kind, value in results if kind == "error")
    assert world.association.memberships.filter(role=Role.CHIEF).count() == 1


def test_one_invitation_accepted_twice_at_once_gives_one_account():
    world = seed_world("alfa")
    token = "samma-lank"
    invitation = world.association.invitations.get(role=Role.BOARD)
    invitation.token_hash = invitations._hash(token)
    invitation.save(update_fields=["token_hash"])

    def accept(first_name):
        return invitations.invitation_accept_new(
            token=token, first_name=first_name, last_name="Ny", password="Ett-bra-lösenord-2026"
        ).pk

    results = race([lambda: accept("Ett"), lambda: accept("Två")])
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert get_user_model().objects.filter(email=invitation.email).count() == 1
