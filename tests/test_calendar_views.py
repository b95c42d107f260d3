"""The association's calendar page (årshjul): every member reads it, the chief adds and removes dates."""

import datetime

import pytest
from django.urls import reverse

from finsam.models import AssociationDate

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def page(association):
    return reverse("association_calendar", args=[association.slug])


def delete_url(row):
    return reverse("association_calendar_delete", args=[row.association.slug, row.pk])


@pytest.fixture
def meeting(association):
    return AssociationDate.objects.create(
        association=association,
        date=datetime.date(2026, 10, 20),
        kind="consultation",
        title="Medlemssamråd i Alfa",
    )


def test_every_member_reads_the_calendar_and_only_the_chief_gets_the_form(client_for, members, meeting):
    for role, user in members.items():
        response = client_for(user).get(page(meeting.association))
        assert response.status_code == 200
        assert "Medlemssamråd i Alfa" in response.text
        assert ("Lägg till ett datum" in response.text) == (role == "chief")


def test_the_default_deadline_is_said_when_no_adoption_date_is_set(chief_client, association):
    text = chief_client.get(page(association)).text
    assert "Ingen dag för fastställandet är satt" in text and "30 november" in text


def test_the_chief_adds_a_date_without_javascript(chief_client, association):
    response = chief_client.post(page(association), {"date": "2026-11-24", "kind": "adoption", "title": ""})
    assert response.status_code == 302 and response.url == page(association)
    row = association.dates.get()
    assert (row.date, row.kind, row.label) == (
        datetime.date(2026, 11, 24),
        "adoption",
        "Fastställande av budget",
    )
    assert "Sparat: 2026-11-24 Fastställande av budget." in chief_client.get(page(association)).text


def test_the_chief_adds_a_date_with_htmx_and_gets_the_calendar_back(chief_client, association):
    response = chief_client.post(
        page(association), {"date": "2026-09-15", "kind": "board_meeting", "title": "Styrelsemöte 3"}, **HTMX
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="kalender"')
    assert "Styrelsemöte 3" in response.text and 'hx-swap-oob="innerHTML:#messages"' in response.text
    assert association.dates.count() == 1


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_errors_are_swedish_and_keep_the_input(chief_client, association, headers):
    response = chief_client.post(
        page(association), {"date": "24/11", "kind": "other", "title": ""}, **headers
    )
    assert response.status_code == 422
    assert "Skriv datumet som ÅÅÅÅ-MM-DD." in response.text
    assert 'value="24/11"' in response.text
    response = chief_client.post(
        page(association), {"date": "2026-11-24", "kind": "other", "title": ""}, **headers
    )
    assert response.status_code == 422
    assert "Skriv vad som händer den dagen." in response.text
    assert 'value="2026-11-24"' in response.text
    assert not association.dates.exists()


@pytest.mark.parametrize("role", ["chair", "board", "reader"])
def test_only_the_chief_changes_the_calendar(client_for, members, meeting, role):
    client = client_for(members[role])
    assert (
        client.post(page(meeting.association), {"date": "2026-11-24", "kind": "adoption"}).status_code == 403
    )
    assert client.post(delete_url(meeting)).status_code == 403
    assert meeting.association.dates.count() == 1


def test_the_chief_removes_a_date(chief_client, meeting):
    response = chief_client.post(delete_url(meeting), **HTMX)
    assert response.status_code == 200 and "Inga datum är inlagda ännu." in response.text
    assert not AssociationDate.objects.exists()


def test_another_associations_calendar_and_dates_are_a_404(outsider_client, other_association, meeting):
    assert outsider_client.get(page(meeting.association)).status_code == 404
    assert outsider_client.post(delete_url(meeting)).status_code == 404
    # Alfa's date under Beta's own address.
    url = reverse("association_calendar_delete", args=[other_association.slug, meeting.pk])
    assert outsider_client.post(url).status_code == 404
    assert "Medlemssamråd i Alfa" not in outsider_client.get(page(other_association)).text
    assert AssociationDate.objects.filter(pk=meeting.pk).exists()


def test_anonymous_is_sent_to_login(client, association):
    response = client.get(page(association))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def edit_url(row):
    return reverse("association_calendar_edit", args=[row.association.slug, row.pk])


def test_the_chief_changes_a_date(chief_client, meeting):
    form = chief_client.get(edit_url(meeting), **HTMX)
    assert form.status_code == 200 and 'value="2026-10-20"' in form.text and "autofocus" in form.text
    response = chief_client.post(
        edit_url(meeting), {"date": "2026-10-22", "kind": "consultation", "title": "Flyttat"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.date, meeting.title) == (datetime.date(2026, 10, 22), "Flyttat")


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_a_refused_change_keeps_the_input_and_the_stored_date(chief_client, meeting, headers):
    response = chief_client.post(
        edit_url(meeting), {"date": "2026-10-22", "kind": "other", "title": " "}, **headers
    )
    assert response.status_code == 422
    assert "Skriv vad som händer den dagen." in response.text and 'value="2026-10-22"' in response.text
    meeting.refresh_from_db()
    assert (meeting.date, meeting.kind) == (datetime.date(2026, 10, 20), "consultation")


@pytest.mark.parametrize("role", ["chair", "board", "reader"])
def test_only_the_chief_changes_a_date(client_for, members, meeting, role):
    client = client_for(members[role])
    assert client.get(edit_url(meeting)).status_code == 403
    assert client.post(edit_url(meeting), {"date": "2026-10-22", "kind": "adoption"}).status_code == 403


def test_another_associations_date_cannot_be_changed(outsider_client, other_association, meeting):
    assert outsider_client.get(edit_url(meeting)).status_code == 404
    url = reverse("association_calendar_edit", args=[other_association.slug, meeting.pk])
    assert outsider_client.post(url, {"date": "2026-10-22", "kind": "adoption"}).status_code == 404


def test_the_association_page_links_to_the_calendar_for_every_member(client_for, members, association):
    for user in members.values():
        assert page(association) in client_for(user).get(association.get_absolute_url()).text
