"""The chief invites an insats owner from the insats's own page (issue 17, item 4): the invitation remembers
the insats, and whoever accepts it (a new account or an existing one) reports it and finds it on their
insatser. Someone who already is the association's insats owner is named at once; another role is refused.
The page lists the pending invitations for the insats; the chief withdraws one. Only the chief invites."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from finsam.models import Invitation, Membership
from finsam.signals import invitation_accepted
from interventions.models import InterventionInvitation
from tests.factories import InterventionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role
HTMX = {"HTTP_HX_REQUEST": "true"}
PASSWORD = "Ett-bra-lösenord-2026"
ADDRESS = "ida.insats@example.se"


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def insats(association):
    return InterventionFactory(association=association, name="Steget vidare")


@pytest.fixture
def owner(association):
    user = UserFactory(username="ida.agare", first_name="Ida", last_name="Ägare")
    MembershipFactory(user=user, association=association, role=Role.INTERVENTION_OWNER)
    return user


def invite_url(intervention, slug=None):
    return reverse("intervention_owner_invite", args=[slug or intervention.association.slug, intervention.pk])


def revoke_url(link, slug=None):
    intervention = link.intervention
    return reverse(
        "intervention_owner_invitation_revoke",
        args=[slug or intervention.association.slug, intervention.pk, link.pk],
    )


def detail_url(intervention):
    return reverse("intervention_detail", args=[intervention.association.slug, intervention.pk])


def mine_url(association):
    return reverse("my_interventions", args=[association.slug])


def accept_path(message) -> str:
    link = re.search(r"https?://\S+/inbjudan/\S+/", message.body).group(0)
    return "/" + link.split("/", 3)[3]


def pending_on_page(client, intervention) -> str:
    """The insats page's list of pending invitations (empty when none)."""
    text = client.get(detail_url(intervention)).text
    found = re.search(r'<ul class="owner-invitations">.*?</ul>', text, re.S)
    return found.group(0) if found else ""


def invite(client, intervention, email=ADDRESS, capture=None, **extra):
    with capture(execute=True):
        return client.post(invite_url(intervention), {"email": email}, **extra)


def accept_new(client, message):
    return client.post(
        accept_path(message),
        {"first_name": "Ida", "last_name": "Insats", "password1": PASSWORD, "password2": PASSWORD},
    )


# --- Inviting ----------------------------------------------------------------------------------------


def test_the_chief_invites_from_the_insats_page_and_the_invitation_remembers_it(
    insats, chief_client, capture
):
    assert "Bjud in som insatsansvarig" in chief_client.get(detail_url(insats)).text
    response = invite(chief_client, insats, email=" Ida.Insats@Example.se ", capture=capture)
    assert response.status_code == 302 and response["Location"].startswith(detail_url(insats))
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == (ADDRESS, Role.INTERVENTION_OWNER)
    assert [link.intervention for link in invitation.intervention_links.all()] == [insats]
    (message,) = mail.outbox
    assert message.to == [ADDRESS]
    assert "som insatsansvarig" in message.body and "insatsen ”Steget vidare”" in message.body
    page = chief_client.get(detail_url(insats)).text
    assert f"En inbjudan har skickats till {ADDRESS}" in page
    assert "Väntande inbjudningar" in page and ADDRESS in pending_on_page(chief_client, insats)


def test_htmx_swaps_the_insats_owners_region_with_the_pending_invitation(insats, chief_client, capture):
    response = invite(chief_client, insats, capture=capture, **HTMX)
    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith('<section id="intervention-owners"')
    assert ADDRESS in text and 'hx-swap-oob="innerHTML:#messages"' in text
    assert "<html" not in text  # the region only


def test_a_new_person_accepts_and_lands_on_their_insatser_with_the_insats(
    association, insats, chief_client, capture
):
    other = InterventionFactory(association=association, name="Annan insats")
    invite(chief_client, insats, capture=capture)
    client = Client()
    response = accept_new(client, mail.outbox[-1])
    assert response.status_code == 302 and response["Location"] == mine_url(association)
    user = Membership.objects.get(association=association, role=Role.INTERVENTION_OWNER).user
    assert user.username == ADDRESS
    assert list(insats.reporters.all()) == [user] and not other.reporters.exists()
    mine = client.get(mine_url(association)).text
    assert "Steget vidare" in mine and "Annan insats" not in mine
    assert "Du rapporterar inga insatser" not in mine
    # Accepted: no longer pending on the insats's page.
    assert ADDRESS not in pending_on_page(chief_client, insats)


def test_someone_with_an_account_accepts_and_reports_the_insats(
    association, insats, chief_client, outsider, capture
):
    invite(chief_client, insats, email=outsider.email, capture=capture)
    client = Client()
    client.force_login(outsider)
    response = client.post(accept_path(mail.outbox[-1]))
    assert response.status_code == 302 and response["Location"] == mine_url(association)
    assert Membership.objects.get(user=outsider, association=association).role == Role.INTERVENTION_OWNER
    assert list(insats.reporters.all()) == [outsider]
    assert "Steget vidare" in client.get(mine_url(association)).text


def test_inviting_the_same_address_for_a_second_insats_keeps_the_first(
    association, insats, chief_client, capture
):
    second = InterventionFactory(association=association, name="Arbetsträning")
    invite(chief_client, insats, capture=capture)
    invite(chief_client, second, capture=capture)
    invitation = Invitation.objects.get()  # the second replaced the first, for both insatser
    assert {link.intervention for link in invitation.intervention_links.all()} == {insats, second}
    assert "insatserna ”Arbetsträning”, ”Steget vidare”" in mail.outbox[-1].body
    assert "Länken gäller inte" in Client().get(accept_path(mail.outbox[0])).text  # the old link
    accept_new(Client(), mail.outbox[-1])
    user = Membership.objects.get(association=association, role=Role.INTERVENTION_OWNER).user
    assert list(insats.reporters.all()) == [user] and list(second.reporters.all()) == [user]


def test_an_existing_insats_owner_is_named_at_once_without_an_invitation(
    insats, owner, chief_client, capture
):
    response = invite(chief_client, insats, email=owner.email.upper(), capture=capture)
    assert response.status_code == 302
    assert list(insats.reporters.all()) == [owner]
    assert not Invitation.objects.exists() and mail.outbox == []
    page = chief_client.get(detail_url(insats)).text
    assert "Ida Ägare är redan insatsansvarig i förbundet och rapporterar nu Steget vidare" in page


def test_someone_with_another_role_is_refused_and_nothing_changes(
    insats, board_member, chief_client, capture
):
    for extra in ({}, HTMX):
        response = invite(chief_client, insats, email=board_member.email, capture=capture, **extra)
        assert response.status_code == 422
        text = response.text
        assert "är redan styrelseledamot i förbundet" in text and "En insatsansvarig har en egen roll" in text
        assert f'value="{board_member.email}"' in text  # what was typed is kept
    assert not insats.reporters.exists() and not Invitation.objects.exists() and mail.outbox == []
    assert Membership.objects.get(user=board_member).role == Role.BOARD


def test_a_pending_invitation_to_another_role_is_not_replaced(
    association, insats, chief, chief_client, capture
):
    from finsam import invitations

    with capture(execute=True):
        invitations.invitation_create(association=association, email=ADDRESS, role=Role.READER, by=chief)
    response = invite(chief_client, insats, capture=capture)
    assert response.status_code == 422 and "har redan en inbjudan som läsare" in response.text
    assert Invitation.objects.get().role == Role.READER and not InterventionInvitation.objects.exists()


@pytest.mark.parametrize("email", ["", "   ", "inte-en-adress", "a@b", "x" * 150 + "@example.se"])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_gets_a_swedish_message_keeps_the_input_and_saves_nothing(
    insats, chief_client, capture, email, htmx
):
    response = invite(chief_client, insats, email=email, capture=capture, **(HTMX if htmx else {}))
    assert response.status_code == 422
    text = response.text
    assert "Inbjudan skickades inte." in text
    assert any(
        message in text
        for message in ("Fyll i fältet.", "Skriv en giltig e-postadress.", "Högst 150 tecken.")
    )
    if email.strip():
        assert f'value="{email}"' in text
    assert ("<html" in text) is not htmx
    assert not Invitation.objects.exists() and mail.outbox == []


# --- Withdrawing -------------------------------------------------------------------------------------


def test_the_chief_withdraws_a_pending_invitation_and_its_link_stops_working(insats, chief_client, capture):
    invite(chief_client, insats, capture=capture)
    link = InterventionInvitation.objects.get()
    response = chief_client.post(revoke_url(link), **HTMX)
    assert response.status_code == 200 and f"Inbjudan till {ADDRESS} är återkallad" in response.text
    assert not Invitation.objects.exists() and not InterventionInvitation.objects.exists()
    assert "Länken gäller inte" in Client().get(accept_path(mail.outbox[-1])).text


def test_withdrawing_from_one_insats_keeps_the_invitation_for_the_others(
    association, insats, chief_client, capture
):
    second = InterventionFactory(association=association, name="Arbetsträning")
    invite(chief_client, insats, capture=capture)
    invite(chief_client, second, capture=capture)
    link = InterventionInvitation.objects.get(intervention=insats)
    response = chief_client.post(revoke_url(link))
    assert response.status_code == 302
    assert [row.intervention for row in InterventionInvitation.objects.all()] == [second]
    assert ADDRESS not in pending_on_page(chief_client, insats)
    accept_new(Client(), mail.outbox[-1])
    assert not insats.reporters.exists() and second.reporters.count() == 1


def test_an_accepted_or_expired_invitation_is_not_listed_nor_withdrawn(insats, chief_client, capture):
    invite(chief_client, insats, capture=capture)
    link = InterventionInvitation.objects.get()
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert ADDRESS not in pending_on_page(chief_client, insats)
    Invitation.objects.update(accepted_at=timezone.now())
    assert chief_client.post(revoke_url(link)).status_code == 404
    assert Invitation.objects.exists()


# --- Who may ------------------------------------------------------------------------------------------


def test_only_the_chief_invites_and_withdraws(insats, members, owner, client_for, chief_client, capture):
    invite(chief_client, insats, email="forsta@example.se", capture=capture)
    link = InterventionInvitation.objects.get()
    for role, user in [*members.items(), (Role.INTERVENTION_OWNER, owner)]:
        if role == Role.CHIEF:
            continue
        client = client_for(user)
        assert invite(client, insats, email="annan@example.se", capture=capture).status_code == 403, role
        assert client.post(revoke_url(link)).status_code == 403, role
    assert list(Invitation.objects.values_list("email", flat=True)) == ["forsta@example.se"]
    assert InterventionInvitation.objects.get() == link and len(mail.outbox) == 1
    assert "Bjud in som insatsansvarig" not in client_for(members[Role.READER]).get(detail_url(insats)).text


def test_another_associations_insats_is_404(
    association, other_association, insats, chief_client, outsider_client, capture
):
    invite(chief_client, insats, capture=capture)
    link = InterventionInvitation.objects.get()
    foreign = InterventionFactory(association=other_association)
    # Under A's address (no role there), and A's insats under B's own address.
    assert invite(outsider_client, insats, email="x@example.se", capture=capture).status_code == 404
    assert outsider_client.post(invite_url(insats, slug="beta"), {"email": "x@example.se"}).status_code == 404
    assert outsider_client.post(revoke_url(link)).status_code == 404
    assert outsider_client.post(revoke_url(link, slug="beta")).status_code == 404
    # A's chief cannot reach B's insats either.
    url = reverse("intervention_owner_invite", args=[association.slug, foreign.pk])
    assert chief_client.post(url, {"email": "x@example.se"}).status_code == 404
    assert Invitation.objects.count() == 1 and InterventionInvitation.objects.get() == link


# --- The core's signal ---------------------------------------------------------------------------------


def test_the_acceptance_is_announced_inside_its_transaction(association, insats, chief_client, capture):
    """A receiver that fails undoes the acceptance: no account, no role, no reporter, the link unused."""
    invite(chief_client, insats, capture=capture)

    def fails(sender, **kwargs):
        assert kwargs["membership"].role == Role.INTERVENTION_OWNER
        assert kwargs["invitation"].accepted_at is not None
        raise RuntimeError("receiver failed")

    invitation_accepted.connect(fails, dispatch_uid="test-fails")
    try:
        with pytest.raises(RuntimeError):
            accept_new(Client(raise_request_exception=True), mail.outbox[-1])
    finally:
        invitation_accepted.disconnect(dispatch_uid="test-fails")
    assert Invitation.objects.get().accepted_at is None
    assert not Membership.objects.filter(role=Role.INTERVENTION_OWNER).exists()
    assert not insats.reporters.exists()


def test_withdrawing_under_behorigheter_withdraws_it_for_the_insats_too(
    association, insats, chief_client, capture
):
    invite(chief_client, insats, capture=capture)
    invitation = Invitation.objects.get()
    assert (
        "(Insatsansvarig, gäller till"
        in chief_client.get(reverse("association_access", args=[association.slug])).text
    )
    response = chief_client.post(reverse("invitation_revoke", args=[association.slug, invitation.pk]))
    assert response.status_code == 302
    assert not InterventionInvitation.objects.exists()
    assert ADDRESS not in pending_on_page(chief_client, insats)
