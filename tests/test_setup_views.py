"""Setting up an association in the app (issue 15, item 7): the installation administrator creates it and
invites its chief; the chief keeps its facts, organisations, board, staff and who has access. Each page:
the right person only (another association's object is a 404, a wrong role a 403), bad input answered in
Swedish with the input kept and nothing saved."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from finsam.models import Association, BoardSeat, Invitation, Membership, Organisation, StaffMember
from tests.factories import BoardSeatFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def installer(db):
    """Not a superuser: a user given the permission to create associations."""
    user = UserFactory(username="installation")
    user.user_permissions.add(Permission.objects.get(codename="add_association"))
    return user


def text(response) -> str:
    return response.content.decode()


# --- The installation administrator --------------------------------------------------------------------


NEW = {
    "name": "Samordningsförbundet Nytt",
    "slug": "nytt",
    "org_number": "222000-2063",
    "area": "Nya kommunen",
    "formed_on": "2026-01-01",
    "website": "https://nytt.example.se",
    "chief_email": "chef@nytt.example.se",
}


def test_the_installation_administrator_creates_an_association_and_invites_its_chief(
    client_for, installer, capture
):
    client = client_for(installer)
    start = text(client.get(reverse("dashboard")))  # found from the start page, not only by its address
    assert reverse("association_admin_list") in start and "inte med i något samordningsförbund" not in start
    assert client.get(reverse("association_admin_list")).status_code == 200
    assert client.get(reverse("association_create")).status_code == 200
    with capture(execute=True):
        response = client.post(reverse("association_create"), NEW)
    assert response.status_code == 302 and response["Location"] == reverse("association_admin_list")
    association = Association.objects.get(slug="nytt")
    assert association.name == "Samordningsförbundet Nytt" and association.area == "Nya kommunen"
    invitation = Invitation.objects.get(association=association)
    assert invitation.role == Role.CHIEF and invitation.email == "chef@nytt.example.se"
    (message,) = mail.outbox
    assert message.to == ["chef@nytt.example.se"] and "som förbundschef" in message.body
    assert "http://testserver/inbjudan/" in message.body  # the request's address (no FINSAM_BASE_URL)
    listing = text(client.get(reverse("association_admin_list")))
    assert "Samordningsförbundet Nytt" in listing and "Inbjuden, inte svarat än" in listing


def test_creating_with_bad_input_keeps_it_and_creates_nothing(client_for, installer, association, capture):
    client = client_for(installer)
    bad = {
        **NEW,
        "slug": association.slug,
        "org_number": "123",
        "website": "inte en adress",
        "chief_email": "x",
    }
    with capture(execute=True):
        response = client.post(reverse("association_create"), bad)
    page = text(response)
    assert response.status_code == 422
    assert "Det kortnamnet används redan av ett annat förbund." in page
    assert "Skriv en giltig e-postadress." in page and "Skriv en hel webbadress" in page
    assert "Inget är sparat." in page and 'value="Samordningsförbundet Nytt"' in page
    response = client.post(reverse("association_create"), {**NEW, "slug": "Med Mellanslag"})
    assert response.status_code == 422 and "Använd bara små bokstäver" in text(response)
    assert not Association.objects.filter(name="Samordningsförbundet Nytt").exists()
    assert Invitation.objects.count() == 0 and mail.outbox == []


def test_only_the_installation_administrator_sets_up_associations(client, client_for, chief, association):
    for name, args in (("association_admin_list", []), ("association_create", [])):
        assert client_for(chief).get(reverse(name, args=args)).status_code == 403
        assert client.get(reverse(name, args=args)).status_code == 302  # to the login page
    response = client_for(chief).post(reverse("association_create"), NEW)
    assert response.status_code == 403 and not Association.objects.filter(slug="nytt").exists()
    response = client_for(chief).post(
        reverse("association_invite_chief", args=[association.slug]), {"email": "a@example.se"}
    )
    assert response.status_code == 403 and Invitation.objects.count() == 0


def test_a_superuser_may_create_associations(client_for):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert client_for(admin).get(reverse("association_create")).status_code == 200


def test_the_administrator_invites_a_chief_again(client_for, installer, association, capture):
    client = client_for(installer)
    url = reverse("association_invite_chief", args=[association.slug])
    with capture(execute=True):
        response = client.post(url, {"email": "ny.chef@example.se"}, follow=True)
    assert "En inbjudan har skickats till ny.chef@example.se" in text(response)
    assert Invitation.objects.get().role == Role.CHIEF and len(mail.outbox) == 1
    response = client.post(url, {"email": "fel"}, follow=True)
    assert "Skriv en giltig e-postadress" in text(response) and Invitation.objects.count() == 1


# --- The chief: facts ----------------------------------------------------------------------------------


def test_only_the_chief_edits_the_facts(members, outsider, client_for, association):
    url = reverse("association_settings", args=[association.slug])
    assert client_for(members[Role.CHIEF]).get(url).status_code == 200
    for role in (Role.CHAIR, Role.BOARD, Role.READER):
        assert client_for(members[role]).get(url).status_code == 403
        assert client_for(members[role]).post(url, {"name": "Kapad"}).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    association.refresh_from_db()
    assert association.name == "Samordningsförbundet Alfa"


def test_the_chief_saves_the_facts(chief_client, association):
    url = reverse("association_settings", args=[association.slug])
    data = {"name": "Samordningsförbundet Alfa-Beta", "org_number": "2220002063", "area": "Alfa och Beta"}
    response = chief_client.post(url, {**data, "readers_can_comment": "on"})
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.name == "Samordningsförbundet Alfa-Beta" and association.org_number == "222000-2063"
    assert association.readers_can_comment and association.slug == "alfa"


def test_bad_facts_are_kept_and_nothing_is_saved(chief_client, association):
    url = reverse("association_settings", args=[association.slug])
    response = chief_client.post(url, {"name": "", "org_number": "12", "area": "Ny", "formed_on": "1 maj"})
    page = text(response)
    assert response.status_code == 422
    assert "Fyll i fältet." in page and "Skriv datumet som ÅÅÅÅ-MM-DD." in page and 'value="1 maj"' in page
    association.refresh_from_db()
    assert association.name == "Samordningsförbundet Alfa" and association.area != "Ny"


def _image(kind: str, size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, kind)
    return buffer.getvalue()


def test_the_chief_uploads_the_logo_and_a_file_that_is_no_logo_is_refused(chief_client, association):
    url = reverse("association_settings", args=[association.slug])
    facts = {"name": association.name, "org_number": "2220002063", "area": "Alfa"}
    for upload, message in (
        (SimpleUploadedFile("logo.txt", b"inte en bild"), "Ladda upp en giltig bild"),
        (SimpleUploadedFile("logo.gif", _image("GIF")), "PNG- eller JPEG-bild"),
        (SimpleUploadedFile("logo.png", _image("PNG", (4100, 10))), "4000 bildpunkter"),
    ):
        response = chief_client.post(url, {**facts, "logo": upload})
        assert response.status_code == 422, message
        assert message in text(response)
        association.refresh_from_db()
        assert not association.logo

    response = chief_client.post(url, {**facts, "logo": SimpleUploadedFile("alfa.png", _image("PNG"))})
    assert response.status_code == 302
    association.refresh_from_db()
    assert association.logo.name.startswith("logos/alfa")
    with association.logo.open("rb") as stored:
        assert stored.read() == _image("PNG")


# --- The chief: organisations, board, staff -------------------------------------------------------------


def test_the_chief_adds_an_organisation_a_board_seat_and_staff(chief_client, association):
    base = f"/f/{association.slug}/forbundet/"
    response = chief_client.post(
        base + "organisationer/ny/", {"name": "Polisen", "kind": "other", "short_name": ""}
    )
    assert response.status_code == 302
    police = association.organisations.get(name="Polisen")
    assert not police.is_member and police.position > 0
    region = association.organisations.get(kind=Organisation.Kind.REGION)
    response = chief_client.post(
        base + "styrelse/ny/", {"person_name": "Anna Andersson", "role": "chair", "appointed_by": region.pk}
    )
    assert response.status_code == 302
    assert association.board_seats.get().appointed_by == region
    response = chief_client.post(
        base + "kansli/ny/", {"name": "Cecilia", "title": "Förbundschef", "fte_percent": 100}
    )
    assert response.status_code == 302 and association.staff.get().fte_percent == 100
    page = text(chief_client.get(base))
    assert "Anna Andersson" in page and "Polisen" in page and "Cecilia" in page


def test_bad_rows_are_answered_in_swedish_and_not_saved(chief_client, association, other_association):
    base = f"/f/{association.slug}/forbundet/"
    response = chief_client.post(
        base + "organisationer/ny/", {"name": "Polisen", "kind": "other", "is_member": "on"}
    )
    assert response.status_code == 422 and "Bara stat, region och kommuner kan vara medlemmar" in text(
        response
    )
    response = chief_client.post(base + "organisationer/ny/", {"name": "region alfa", "kind": "region"})
    assert response.status_code == 422 and "redan en organisation med det namnet" in text(response)
    foreign = OrganisationFactory(association=other_association, name="Främmande kommun")
    response = chief_client.post(
        base + "styrelse/ny/", {"person_name": "Bo Berg", "role": "member", "appointed_by": foreign.pk}
    )
    assert response.status_code == 422 and "Välj en av förbundets medlemmar." in text(response)
    region = association.organisations.get(kind=Organisation.Kind.REGION)
    response = chief_client.post(
        base + "styrelse/ny/",
        {
            "person_name": "Bo Berg",
            "role": "member",
            "appointed_by": region.pk,
            "term_start": "2026-01-01",
            "term_end": "2025-01-01",
        },
    )
    assert response.status_code == 422 and "Mandatet kan inte sluta före det börjar." in text(response)
    assert 'value="Bo Berg"' in text(response)
    response = chief_client.post(base + "kansli/ny/", {"title": "Samordnare", "fte_percent": "150"})
    assert response.status_code == 422 and "100" in text(response)
    assert association.organisations.count() == 3
    assert not BoardSeat.objects.exists() and not StaffMember.objects.exists()


def test_rows_of_another_association_are_not_found(chief_client, association, other_association):
    foreign = OrganisationFactory(association=other_association, name="Beta kommun")
    seat = BoardSeatFactory(association=other_association, appointed_by=foreign)
    base = f"/f/{association.slug}/forbundet/"
    assert chief_client.get(f"{base}organisationer/{foreign.pk}/").status_code == 404
    assert (
        chief_client.post(f"{base}organisationer/{foreign.pk}/", {"name": "x", "kind": "other"}).status_code
        == 404
    )
    assert chief_client.post(f"{base}styrelse/{seat.pk}/ta-bort/").status_code == 404
    assert chief_client.get(f"{base}okand/ny/").status_code == 404
    assert Organisation.objects.filter(pk=foreign.pk, name="Beta kommun").exists()


def test_only_the_chief_changes_the_rows(members, client_for, association):
    organisation = association.organisations.first()
    base = f"/f/{association.slug}/forbundet/organisationer/"
    for role in (Role.CHAIR, Role.BOARD, Role.READER):
        client = client_for(members[role])
        assert client.get(f"{base}ny/").status_code == 403
        assert client.post(f"{base}{organisation.pk}/", {"name": "x", "kind": "other"}).status_code == 403
        assert client.post(f"{base}{organisation.pk}/ta-bort/").status_code == 403
    organisation.refresh_from_db()
    assert organisation.name != "x"


def test_an_organisation_in_use_is_not_deleted(chief_client, association):
    region = association.organisations.get(kind=Organisation.Kind.REGION)
    BoardSeatFactory(association=association, appointed_by=region)
    url = f"/f/{association.slug}/forbundet/organisationer/{region.pk}/ta-bort/"
    response = chief_client.post(url, follow=True)
    assert "Region Alfa används av: styrelseplatser" in text(response)
    assert Organisation.objects.filter(pk=region.pk).exists()
    unused = association.organisations.get(kind=Organisation.Kind.STATE)
    chief_client.post(f"/f/{association.slug}/forbundet/organisationer/{unused.pk}/ta-bort/")
    assert not Organisation.objects.filter(pk=unused.pk).exists()


def test_a_board_seat_changed_by_someone_else_meanwhile_is_not_overwritten(chief_client, association):
    region = association.organisations.get(kind=Organisation.Kind.REGION)
    seat = BoardSeatFactory(association=association, appointed_by=region, person_name="Före")
    BoardSeat.objects.filter(pk=seat.pk).update(person_name="Någon annans", version=seat.version + 1)
    response = chief_client.post(
        f"/f/{association.slug}/forbundet/styrelse/{seat.pk}/",
        {"person_name": "Min", "role": "member", "appointed_by": region.pk, "version": seat.version},
    )
    assert response.status_code == 409 and "Någon annan har ändrat raden" in text(response)
    seat.refresh_from_db()
    assert seat.person_name == "Någon annans"


# --- The chief: who has access -------------------------------------------------------------------------


def test_the_chief_invites_with_a_role(chief_client, association, capture):
    url = reverse("association_access", args=[association.slug])
    assert chief_client.get(url).status_code == 200
    with capture(execute=True):
        response = chief_client.post(url, {"email": "ny@example.se", "role": "reader"})
    assert response.status_code == 302
    assert Invitation.objects.get().role == Role.READER and mail.outbox[0].to == ["ny@example.se"]
    assert "ny@example.se" in text(chief_client.get(url))


def test_bad_invitations_are_refused_with_the_input_kept(chief_client, chair, association, capture):
    url = reverse("association_access", args=[association.slug])
    with capture(execute=True):
        response = chief_client.post(url, {"email": "inte-en-adress", "role": "board"})
        assert response.status_code == 422 and "Skriv en giltig e-postadress." in text(response)
        assert 'value="inte-en-adress"' in text(response)
        response = chief_client.post(url, {"email": chair.email, "role": "owner"})
        assert response.status_code == 422 and "Välj en roll i listan." in text(response)
        response = chief_client.post(url, {"email": chair.email, "role": "board"})
        assert response.status_code == 422 and "har redan en roll i förbundet" in text(response)
    assert Invitation.objects.count() == 0 and mail.outbox == []


def test_only_the_chief_manages_access(members, outsider, client_for, association):
    url = reverse("association_access", args=[association.slug])
    board = Membership.objects.get(user=members[Role.BOARD])
    for role in (Role.CHAIR, Role.BOARD, Role.READER):
        client = client_for(members[role])
        assert client.get(url).status_code == 403
        assert client.post(url, {"email": "a@example.se", "role": "chief"}).status_code == 403
        assert client.post(reverse("membership_remove", args=[association.slug, board.pk])).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    assert (
        client_for(outsider).post(reverse("membership_remove", args=[association.slug, board.pk])).status_code
        == 404
    )
    other = Membership.objects.get(user=outsider)
    own = client_for(members[Role.CHIEF])
    assert own.post(reverse("membership_remove", args=[association.slug, other.pk])).status_code == 404
    assert (
        Membership.objects.filter(pk__in=[board.pk, other.pk]).count() == 2
        and Invitation.objects.count() == 0
    )


def test_the_chief_removes_access_but_never_the_last_chief(chief_client, chief, board_member, association):
    board = Membership.objects.get(user=board_member)
    response = chief_client.post(reverse("membership_remove", args=[association.slug, board.pk]), follow=True)
    assert "har inte längre tillgång till förbundet" in text(response)
    assert not Membership.objects.filter(pk=board.pk).exists()
    own = Membership.objects.get(user=chief)
    response = chief_client.post(reverse("membership_remove", args=[association.slug, own.pk]), follow=True)
    assert "Förbundet måste ha en förbundschef" in text(response)
    assert Membership.objects.filter(pk=own.pk).exists()
    # The removed board member no longer gets in.
    assert Client().get(f"/f/{association.slug}/").status_code == 302


def test_the_chief_withdraws_an_invitation(chief_client, chief, association, other_association):
    own = Invitation.objects.create(
        association=association,
        email="a@example.se",
        role="board",
        token_hash="a" * 64,
        expires_at="2100-01-01T00:00Z",
    )
    foreign = Invitation.objects.create(
        association=other_association, email="b@example.se", role="board", token_hash="b" * 64,
        expires_at="2100-01-01T00:00Z",
    )  # fmt: skip
    assert (
        chief_client.post(reverse("invitation_revoke", args=[association.slug, foreign.pk])).status_code
        == 404
    )
    assert chief_client.post(reverse("invitation_revoke", args=[association.slug, own.pk])).status_code == 302
    assert list(Invitation.objects.values_list("pk", flat=True)) == [foreign.pk]


def test_the_chief_changes_a_role_but_the_last_chief_stays_chief(
    chief_client, chief, board_member, members, outsider, client_for, association
):
    board = Membership.objects.get(user=board_member)
    url = reverse("membership_role", args=[association.slug, board.pk])
    response = chief_client.post(url, {"role": "chair"}, follow=True)
    assert "är nu ordförande" in text(response)
    board.refresh_from_db()
    assert board.role == Role.CHAIR
    response = chief_client.post(url, {"role": "owner"}, follow=True)
    assert "Välj en roll i listan" in text(response)
    own = Membership.objects.get(user=chief)
    response = chief_client.post(
        reverse("membership_role", args=[association.slug, own.pk]), {"role": "reader"}, follow=True
    )
    assert "Förbundet måste ha en förbundschef" in text(response)
    own.refresh_from_db()
    assert own.role == Role.CHIEF
    assert client_for(members[Role.READER]).post(url, {"role": "chief"}).status_code == 403
    assert client_for(outsider).post(url, {"role": "chief"}).status_code == 404
    board.refresh_from_db()
    assert board.role == Role.CHAIR


def test_an_organisation_that_appointed_board_members_stays_a_member(chief_client, association):
    region = association.organisations.get(kind=Organisation.Kind.REGION)
    BoardSeatFactory(association=association, appointed_by=region)
    response = chief_client.post(
        f"/f/{association.slug}/forbundet/organisationer/{region.pk}/",
        {"name": "Region Alfa", "kind": "region", "short_name": "RA"},
    )
    assert response.status_code == 422 and "måste vara medlem i förbundet" in text(response)
    region.refresh_from_db()
    assert region.is_member and region.short_name == ""
    response = chief_client.post(
        f"/f/{association.slug}/forbundet/organisationer/{region.pk}/",
        {"name": "Region Alfa", "kind": "region", "short_name": "RA", "is_member": "on"},
    )
    assert response.status_code == 302
    region.refresh_from_db()
    assert region.short_name == "RA"


def test_the_navigation_links_the_association_list_for_its_administrators(client_for, installer, chief):
    link = f'href="{reverse("association_admin_list")}"'

    def header(user):
        return text(client_for(user).get("/")).split("<main")[0]

    assert link not in header(installer)  # not staff: not asked on every page (no permission queries)...
    assert link in text(client_for(installer).get("/"))  # ... but the start page links it
    installer.is_staff = True
    installer.save()
    assert link in header(installer)
    assert link not in text(client_for(chief).get("/"))


def test_the_access_page_lists_the_chief_first_and_the_readers_last(chief_client, members, association):
    page = text(chief_client.get(reverse("association_access", args=[association.slug])))
    positions = [
        page.index(f"({label}") for label in ("Förbundschef", "Ordförande", "Styrelseledamot", "Läsare")
    ]
    assert positions == sorted(positions)
