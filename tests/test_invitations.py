"""Invitations by e-mail (issue 15, item 7): the link sets a password, works once, expires; an existing
account just gets the role; the chief invites, withdraws and removes access; the last chief stays.
Links in e-mail follow one rule (`finsam.links`): FINSAM_BASE_URL when set, else the request's address."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from finsam import invitations
from finsam.links import absolute_url
from finsam.models import Invitation, Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
PASSWORD = "Ett-bra-lösenord-2026"


def invite(association, chief, email="ny.ledamot@example.se", role=Role.BOARD, capture=None):
    with capture(execute=True):
        return invitations.invitation_create(association=association, email=email, role=role, by=chief)


def link_in(message) -> str:
    return re.search(r"https?://\S+/inbjudan/\S+/", message.body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


# --- Links in e-mail --------------------------------------------------------------------------------


def test_links_use_finsam_base_url_when_set(settings):
    settings.FINSAM_BASE_URL = "https://finsam.example.se/"
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8123")
    assert absolute_url("/f/x/", request=request) == "https://finsam.example.se/f/x/"


def test_links_follow_the_request_without_finsam_base_url(settings):
    settings.FINSAM_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["finsam.local"]
    request = RequestFactory().get("/", HTTP_HOST="finsam.local:8123")
    assert absolute_url("/f/x/", request=request) == "http://finsam.local:8123/f/x/"
    # Outside a request (a management command): the development server.
    assert absolute_url("/f/x/") == "http://127.0.0.1:8000/f/x/"


def test_review_mail_links_take_the_address_the_app_is_served_at(
    settings, chief, chair, association, capture
):
    """The middleware hands the request to the review notifications, which are not given it."""
    from tests.factories import PlanFactory

    settings.FINSAM_BASE_URL = ""
    plan = PlanFactory(association=association)
    client = Client(HTTP_HOST="localhost:8765")
    client.force_login(chief)
    with capture(execute=True):
        client.post(reverse("plan_action", args=[association.slug, plan.pk]), {"action": "submit"})
    bodies = [message.body for message in mail.outbox if chair.email in message.to]
    assert bodies and f"http://localhost:8765/f/{association.slug}/planer/{plan.pk}/granskning/" in bodies[0]


# --- Creating and accepting ---------------------------------------------------------------------------


def test_an_invitation_mails_a_link_once_the_action_commits(association, chief, capture):
    with capture(execute=False) as callbacks:
        invitations.invitation_create(
            association=association, email="A@Example.se", role=Role.BOARD, by=chief
        )
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    (message,) = mail.outbox
    assert message.to == ["a@example.se"]
    assert message.subject == "Inbjudan till Samordningsförbundet Alfa i finsam"
    assert "som styrelseledamot" in message.body and "kan användas en gång" in message.body
    token = link_in(message).rstrip("/").rsplit("/", 1)[1]
    stored = Invitation.objects.get()
    assert token not in stored.token_hash and len(stored.token_hash) == 64  # only the hash is kept


def test_someone_new_sets_a_password_and_is_logged_in(association, chief, capture, client):
    link = link_in(invite(association, chief, capture=capture) and mail.outbox[0])
    response = client.get(path_of(link))
    assert response.status_code == 200 and "Välj ett lösenord" in response.content.decode()
    response = client.post(
        path_of(link),
        {"first_name": "Nora", "last_name": "Ny", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == f"/f/{association.slug}/"
    user = get_user_model().objects.get(username="ny.ledamot@example.se")
    assert user.check_password(PASSWORD) and user.get_full_name() == "Nora Ny"
    assert Membership.objects.get(user=user, association=association).role == Role.BOARD
    assert client.get(f"/f/{association.slug}/").status_code == 200  # logged in
    # The link works once.
    again = Client().get(path_of(link))
    assert "Inbjudan är redan använd" in again.content.decode()


def test_an_insats_owner_lands_on_their_own_insatser(association, chief, outsider, capture, client):
    """An insats owner may open nothing of the association but their insatser: the welcome goes there."""
    mine = f"/f/{association.slug}/mina-insatser/"
    invite(association, chief, email="ida@example.se", role=Role.INTERVENTION_OWNER, capture=capture)
    response = client.post(
        path_of(link_in(mail.outbox[-1])),
        {"first_name": "Ida", "last_name": "Insats", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == mine
    assert client.get(mine).status_code == 200
    assert client.get(f"/f/{association.slug}/").status_code == 403
    # Someone with an account accepts with one button and lands there too.
    invite(association, chief, email=outsider.email, role=Role.INTERVENTION_OWNER, capture=capture)
    client.force_login(outsider)
    response = client.post(path_of(link_in(mail.outbox[-1])))
    assert response.status_code == 302 and response["Location"] == mine


def test_bad_input_keeps_what_was_typed_and_creates_nothing(association, chief, capture, client):
    link = link_in(invite(association, chief, capture=capture) and mail.outbox[0])
    response = client.post(
        path_of(link), {"first_name": "Nora", "last_name": "", "password1": PASSWORD, "password2": "annat"}
    )
    text = response.content.decode()
    assert response.status_code == 422
    assert "Fyll i fältet." in text and "Lösenorden är inte lika." in text and 'value="Nora"' in text
    response = client.post(
        path_of(link),
        {"first_name": "Nora", "last_name": "Ny", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 422 and "lösenord" in response.content.decode().lower()
    assert not get_user_model().objects.filter(email="ny.ledamot@example.se").exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_expired_or_unknown_link_says_so(association, chief, capture, client):
    link = link_in(invite(association, chief, capture=capture) and mail.outbox[0])
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.post(
        path_of(link), {"first_name": "N", "last_name": "N", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 200 and "Inbjudan har gått ut" in response.content.decode()
    assert not get_user_model().objects.filter(email="ny.ledamot@example.se").exists()
    assert "Länken gäller inte" in client.get("/inbjudan/inte-en-riktig-lank/").content.decode()


def test_the_link_lasts_the_configured_days(association, chief, settings, capture):
    settings.FINSAM_INVITATION_DAYS = 3
    invitation = invite(association, chief, capture=capture)
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        datetime.timedelta(days=3), abs=datetime.timedelta(seconds=5)
    )


def test_someone_with_an_account_logs_in_and_just_gets_the_role(association, chief, outsider, capture):
    link = link_in(
        invite(association, chief, email=outsider.email, role=Role.READER, capture=capture) and mail.outbox[0]
    )
    anonymous = Client()
    assert "Det finns redan ett konto" in anonymous.get(path_of(link)).content.decode()
    anonymous.post(path_of(link))  # not logged in: nothing happens
    assert not Membership.objects.filter(user=outsider, association=association).exists()
    client = Client()
    client.force_login(outsider)
    response = client.post(path_of(link))
    assert response.status_code == 302
    assert Membership.objects.get(user=outsider, association=association).role == Role.READER
    assert Membership.objects.filter(user=outsider).count() == 2  # the other association's role stays


def test_another_account_cannot_take_someone_elses_invitation(association, chief, outsider, capture):
    someone = UserFactory(username="annan", email="annan@example.se")
    link = link_in(invite(association, chief, email=outsider.email, capture=capture) and mail.outbox[0])
    client = Client()
    client.force_login(someone)
    response = client.post(path_of(link))
    assert "Inbjudan skickades till" in response.content.decode()
    assert not Membership.objects.filter(association=association, user__in=[someone, outsider]).exists()


def test_inviting_someone_who_has_a_role_is_refused(association, chief, chair):
    with pytest.raises(ValidationError, match="har redan en roll"):
        invitations.invitation_create(
            association=association, email=chair.email.upper(), role=Role.BOARD, by=chief
        )


def test_inviting_again_replaces_the_old_link(association, chief, capture):
    invite(association, chief, capture=capture)
    invite(association, chief, capture=capture)
    first, second = link_in(mail.outbox[0]), link_in(mail.outbox[1])
    assert Invitation.objects.count() == 1
    assert "Länken gäller inte" in Client().get(path_of(first)).content.decode()
    assert "Välj ett lösenord" in Client().get(path_of(second)).content.decode()


# --- Removing access ----------------------------------------------------------------------------------


def test_the_last_chief_cannot_be_removed(association, chief):
    membership = Membership.objects.get(user=chief, association=association)
    with pytest.raises(ValidationError, match="måste ha en förbundschef"):
        invitations.membership_remove(membership=membership)
    second = MembershipFactory(association=association, role=Role.CHIEF).user
    invitations.membership_remove(membership=membership)
    assert list(association.memberships.filter(role=Role.CHIEF).values_list("user", flat=True)) == [second.pk]
