"""Logging in and out, sessions, password reset, throttling, and the security log."""

import datetime
import logging
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import finsam.security  # noqa: F401 - connects the auth signal receivers
from finsam.security import SlidingSessionMiddleware, client_ip
from tests.factories import MembershipFactory, PlanFactory, UserFactory

PASSWORD = "secret-pass-123"
LOGIN = reverse("login")


@pytest.fixture
def chief(db):
    return MembershipFactory(user=UserFactory(username="karin"), role="chief")


def login(client, username="karin", password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_the_login_page_is_swedish(client):
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in html
    assert "Logga in" in html and "Användarnamn" in html and "Lösenord" in html
    assert "Glömt lösenordet?" in html


def test_a_wrong_password_is_refused_in_swedish(chief, client):
    response = login(client, password="wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Ange ett korrekt användarnamn och lösenord" in response.content.decode()


def test_login_cycles_the_session_key(chief, client):
    session = client.session
    session["seen_before_login"] = True
    session.save()
    key_before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = key_before

    response = login(client)

    assert response.status_code == 302
    key_after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert key_after != key_before, "a session fixated before login must not survive it"
    assert not Session.objects.filter(session_key=key_before).exists()
    assert client.session["_auth_user_id"] == str(chief.user.pk)


def test_logout_needs_post_and_ends_the_session(chief, client):
    client.force_login(chief.user)
    key = client.session.session_key

    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("dashboard")).status_code in (200, 302)  # still logged in

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    after = client.get(reverse("association", args=[chief.association.slug]))
    assert after.status_code == 302 and after["Location"].startswith(LOGIN)


def test_sessions_expire_after_an_hour_without_activity():
    assert settings.SESSION_COOKIE_AGE <= 3600
    assert "finsam.security.SlidingSessionMiddleware" in settings.MIDDLEWARE, (
        "activity must extend the session"
    )
    assert settings.SESSION_REFRESH_SECONDS <= 60
    assert settings.SESSION_COOKIE_HTTPONLY


def test_activity_extends_the_session(chief, client):
    client.force_login(chief.user)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + datetime.timedelta(minutes=5))

    client.get(reverse("association", args=[chief.association.slug]))

    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + datetime.timedelta(minutes=55)


def test_the_session_is_written_at_most_once_a_minute(chief, client):
    """Requests within a minute of the last refresh leave the session row alone; the next one after
    that minute moves the expiry an hour ahead again."""
    client.force_login(chief.user)
    url = reverse("association", args=[chief.association.slug])
    key = client.session.session_key
    client.get(url)  # refreshed: the login left no refresh time
    soon = timezone.now() + datetime.timedelta(minutes=30)
    Session.objects.filter(session_key=key).update(expire_date=soon)

    client.get(url)
    client.get(url)

    assert Session.objects.get(session_key=key).expire_date == soon

    session = client.session
    session[SlidingSessionMiddleware.KEY] -= settings.SESSION_REFRESH_SECONDS
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=soon)

    client.get(url)

    assert Session.objects.get(session_key=key).expire_date > timezone.now() + datetime.timedelta(minutes=59)


def test_an_anonymous_request_creates_no_session(client, db):
    client.get(reverse("login"))
    client.get(reverse("accessibility"))

    assert Session.objects.count() == 0


def test_an_expired_session_goes_to_the_login_page(chief, client):
    client.force_login(chief.user)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    response = client.get(reverse("association", args=[chief.association.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_deactivated_account_loses_its_sessions(chief, client):
    client.force_login(chief.user)
    url = reverse("association", args=[chief.association.slug])
    assert client.get(url).status_code == 200

    chief.user.is_active = False
    chief.user.save()

    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    refused = login(client)  # and it cannot log in again
    assert refused.status_code == 200 and "Ange ett korrekt" in refused.content.decode()
    assert client.get(url).status_code == 302


def test_a_changed_password_ends_other_sessions(chief):
    other_browser = Client()
    other_browser.force_login(chief.user)
    url = reverse("association", args=[chief.association.slug])
    assert other_browser.get(url).status_code == 200

    chief.user.set_password("a-new-long-passphrase-42")
    chief.user.save()

    response = other_browser.get(url)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_password_reset_by_email_in_swedish(chief, client):
    chief.user.email = "karin@example.se"
    chief.user.save()

    form = client.get(reverse("password_reset"))
    assert "Återställ lösenordet" in form.content.decode()

    response = client.post(reverse("password_reset"), {"email": "karin@example.se"})
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert "Kolla din e-post" in done.content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Återställ ditt lösenord i finsam"
    assert "välj ett nytt lösenord" in message.body
    assert "karin" in message.body
    link = re.search(r"https?://[^/\s]+(/konto/reset/\S+)", message.body).group(1)

    confirm = client.get(link, follow=True)
    assert "Välj ett nytt lösenord" in confirm.content.decode()
    set_password_url = confirm.redirect_chain[-1][0]
    new_password = "en-ny-lång-lösenfras-2027"
    complete = client.post(set_password_url, {"new_password1": new_password, "new_password2": new_password})
    assert complete.status_code == 302
    assert "Lösenordet är bytt" in client.get(complete["Location"]).content.decode()

    assert login(client, password=new_password).status_code == 302
    # The link works once.
    again = client.get(link, follow=True)
    assert "Länken gäller inte" in again.content.decode()


def test_password_reset_does_not_reveal_unknown_addresses(chief, client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.se"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_other_account_pages_are_swedish(chief, client):
    from django.template.loader import render_to_string

    # Used when LOGOUT_REDIRECT_URL is unset (a deployment may unset it).
    assert "Du är utloggad" in render_to_string("registration/logged_out.html")
    client.force_login(chief.user)
    page = client.get(reverse("password_change")).content.decode()
    assert "Byt lösenord" in page
    assert "Lösenordet är bytt" in client.get(reverse("password_change_done")).content.decode()


@pytest.mark.django_db
def test_five_failed_logins_lock_the_account_in_swedish(settings, chief, client):
    settings.AXES_ENABLED = True
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, password="wrong").status_code == 200

    locked = login(client, password="wrong")
    assert locked.status_code in (403, 429)
    html = locked.content.decode()
    assert "För många inloggningsförsök" in html
    assert "återställ lösenordet" in html.lower()

    # Even the right password is refused while locked.
    right = login(client)
    assert right.status_code in (403, 429)
    assert "_auth_user_id" not in client.session

    # Another username from the same address is not locked (lockout is per username and address).
    UserFactory(username="per")
    assert login(client, username="per").status_code == 302


# --- Throttling behind proxies: whose address, and which limits ------------------------------------------

PROXY = "10.0.0.2"  # the TLS proxy's address: REMOTE_ADDR of every request that came through it


def login_from(client, address, username="karin", password=PASSWORD, spoofed=""):
    """A login through one proxy: the client may send any X-Forwarded-For, the proxy appends the address
    it was connected from."""
    forwarded = f"{spoofed}, {address}" if spoofed else address
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        headers={"X-Forwarded-For": forwarded},
    )


def is_locked(response) -> bool:
    return response.status_code == 429 and "För många inloggningsförsök" in response.content.decode()


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.FINSAM_TRUSTED_PROXY_COUNT = 1
    return settings


def test_the_client_address_is_the_nth_forwarded_address_from_the_right(rf, settings):
    def address(proxies, forwarded=None, remote="10.0.0.2"):
        settings.FINSAM_TRUSTED_PROXY_COUNT = proxies
        headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
        return client_ip(rf.get("/", REMOTE_ADDR=remote, headers=headers))

    assert address(0, "203.0.113.9") == "10.0.0.2", "no trusted proxy: the header is anyone's to write"
    assert address(1, "203.0.113.9") == "203.0.113.9"
    assert address(1, "198.51.100.1, 203.0.113.9") == "203.0.113.9", "the client wrote the left part"
    assert address(2, "198.51.100.1, 203.0.113.9, 10.0.0.7") == "203.0.113.9"
    assert address(2, "203.0.113.9") == "10.0.0.2", "did not come through both proxies"
    assert address(1) == "10.0.0.2"
    assert address(1, "") == "10.0.0.2"
    assert address(1, "not-an-address") == "10.0.0.2"
    assert address(1, "203.0.113.9:5100") == "203.0.113.9"
    assert address(1, "[2001:db8::1]:443") == "2001:db8::1"
    assert address(1, "2001:db8::1") == "2001:db8::1"
    assert address(0, "203.0.113.9", remote="") is None


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_is_ignored_without_trusted_proxies(settings, chief, client):
    """FINSAM_TRUSTED_PROXY_COUNT=0: a new X-Forwarded-For for every guess does not dodge the lockout."""
    settings.AXES_ENABLED = True
    assert settings.FINSAM_TRUSTED_PROXY_COUNT == 0, "the default trusts no proxy"
    responses = [
        client.post(
            LOGIN,
            {"username": "karin", "password": "wrong"},
            headers={"X-Forwarded-For": f"198.51.100.{attempt}"},
        )
        for attempt in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert not any(is_locked(response) for response in responses[:-1])
    assert is_locked(responses[-1])


@pytest.mark.django_db
def test_behind_a_proxy_a_user_is_not_locked_out_by_failures_from_another_address(throttled, chief, client):
    for _attempt in range(throttled.AXES_FAILURE_LIMIT):
        last = login_from(client, "203.0.113.66", password="wrong")
    assert is_locked(last)
    assert is_locked(login_from(client, "203.0.113.66")), "the right password is refused from there"

    # Karin herself, through the same proxy from her own address, logs in.
    assert login_from(Client(), "203.0.113.10").status_code == 302


@pytest.mark.django_db
def test_behind_a_proxy_the_lockout_follows_the_client_not_its_spoofed_header(throttled, chief, client):
    for attempt in range(throttled.AXES_FAILURE_LIMIT):
        last = login_from(client, "203.0.113.66", password="wrong", spoofed=f"198.51.100.{attempt}")
    assert is_locked(last)


@pytest.mark.django_db
def test_many_user_names_from_one_address_are_limited(throttled, chief, client, caplog):
    limit = throttled.FINSAM_LOGIN_ADDRESS_FAILURE_LIMIT
    assert throttled.AXES_FAILURE_LIMIT < limit <= 50
    names = [f"gissning{number}" for number in range(limit)]
    responses = [login_from(client, "203.0.113.66", username=name, password="wrong") for name in names]

    assert not any(is_locked(response) for response in responses[:-1]), "below the address's limit"
    locked = responses[-1]
    assert is_locked(locked)
    html = locked.content.decode()
    assert "spärrad från din adress" in html and "Försök igen om en kvart" in html
    assert '<html lang="sv">' in html
    # Every user name is refused from that address now, even with the right password...
    assert is_locked(login_from(client, "203.0.113.66"))
    # ...but not from another address behind the same proxy.
    assert login_from(Client(), "203.0.113.10").status_code == 302
    messages = [record.getMessage() for record in caplog.records if record.name == "finsam.security"]
    assert f"login locked out user={names[-1]} ip=203.0.113.66" in messages


@pytest.mark.django_db
def test_an_address_lockout_ends_after_the_cool_off_time(throttled, chief, client):
    for number in range(throttled.FINSAM_LOGIN_ADDRESS_FAILURE_LIMIT):
        login_from(client, "203.0.113.66", username=f"gissning{number}", password="wrong")
    assert is_locked(login_from(client, "203.0.113.66"))

    cool_off = datetime.timedelta(hours=throttled.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - datetime.timedelta(seconds=1))

    assert login_from(client, "203.0.113.66").status_code == 302


@pytest.mark.django_db
def test_a_few_failures_of_several_people_behind_one_address_lock_nobody(throttled, chief, client):
    """An office behind one address: a few typos each, together below the address's limit."""
    people = ["anna", "bo", "cecilia", "david"]
    for name in people:
        UserFactory(username=name)
        for _attempt in range(throttled.AXES_FAILURE_LIMIT - 1):
            assert not is_locked(login_from(client, "203.0.113.20", username=name, password="wrong"))
    assert login_from(Client(), "203.0.113.20", username="anna").status_code == 302


@pytest.mark.django_db
def test_the_lockout_is_logged(settings, chief, client, caplog):
    settings.AXES_ENABLED = True
    with caplog.at_level(logging.INFO, logger="finsam.security"):
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            login(client, password="wrong")
    messages = [record.getMessage() for record in caplog.records if record.name == "finsam.security"]
    assert any(message.startswith("login locked out user=karin") for message in messages), messages


def test_logins_and_failures_are_logged_without_passwords(chief, client, caplog):
    with caplog.at_level(logging.INFO, logger="finsam.security"):
        login(client, password="not-the-password-xyz")
        login(client)
        client.post(reverse("logout"))
    messages = [record.getMessage() for record in caplog.records if record.name == "finsam.security"]
    assert "login failed user=karin ip=127.0.0.1" in messages
    assert "login user=karin ip=127.0.0.1" in messages
    assert "logout user=karin ip=127.0.0.1" in messages
    everything = "\n".join(record.getMessage() for record in caplog.records)
    assert "not-the-password-xyz" not in everything
    assert PASSWORD not in everything


def test_refusals_are_logged_with_user_path_and_association(chief, client, caplog):
    outsider = MembershipFactory(user=UserFactory(username="utomstaende"), role="chief")
    plan = PlanFactory(association=chief.association)
    client.force_login(outsider.user)
    reader = MembershipFactory(
        user=UserFactory(username="lasaren"), association=chief.association, role="reader"
    )
    with caplog.at_level(logging.INFO, logger="finsam.security"):
        client.get(reverse("plan_detail", args=[chief.association.slug, plan.pk]) + "?secret=1")
        client.force_login(reader.user)
        client.get(reverse("plan_new", args=[chief.association.slug]))
    messages = [record.getMessage() for record in caplog.records if record.name == "finsam.security"]
    slug = chief.association.slug
    assert (
        f"refused status=404 user=utomstaende method=GET path=/f/{slug}/planer/{plan.pk}/ association={slug} "
        "ip=127.0.0.1" in messages
    ), messages
    assert any(m.startswith("refused status=403 user=lasaren method=GET") for m in messages), messages
    assert not any("secret=1" in m for m in messages), "query strings are never logged"


def test_the_reset_token_is_never_logged(client, caplog, db):
    with caplog.at_level(logging.INFO, logger="finsam.security"):
        client.get("/konto/reset/MQ/abc-0123456789abcdef/")
        client.get("/konto/reset/MQ/abc-0123456789abcdef/nonexistent/")
    everything = "\n".join(
        record.getMessage() for record in caplog.records if record.name == "finsam.security"
    )
    assert "0123456789abcdef" not in everything


def test_error_pages_are_swedish_and_static(client, db):
    response = client.get("/finns-inte/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Sidan finns inte" in html and '<html lang="sv">' in html
