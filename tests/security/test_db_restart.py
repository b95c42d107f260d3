"""The database goes away during use: a clear Swedish page, no partial write, and the next request works.

A PostgreSQL restart ends every open connection on the server side: the next statement on such a
connection fails with "terminating connection due to administrator command" or "server closed the
connection". `pg_terminate_backend(pid)` from a second connection does exactly that to the app's
connection, so the tests use it to play the restart. Requests go through Django's real WSGI handler
(not the test client, which keeps the connection open across requests), so that the request_started
signal runs the connection health checks (CONN_HEALTH_CHECKS) as in production.
"""

import os
import time

import psycopg
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from plans.models import Plan
from tests.security.dataset import seed_world


class Browser:
    """A logged-in user's browser talking to the WSGI application."""

    def __init__(self, user):
        client = Client()
        client.force_login(user)
        self.cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
        self.handler = WSGIHandler()

    def request(self, method: str, path: str, data=None, headers=None):
        factory = RequestFactory()
        request = factory.generic(method, path, data or "", content_type="application/x-www-form-urlencoded",
                                  headers=headers or {})  # fmt: skip
        environ = request.environ
        environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status = []

        def start_response(status_line, response_headers, exc_info=None):
            status.append((int(status_line.split()[0]), response_headers))

        response = self.handler(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            response.close()  # request_finished: Django closes unusable connections here
        for name, value in status[0][1]:
            if name.lower() == "set-cookie":
                cookie, _, _rest = value.partition(";")
                key, _, cookie_value = cookie.partition("=")
                self.cookies[key.strip()] = cookie_value
        return status[0][0], body.decode("utf-8", "replace")

    def post_form(self, path: str, fields: dict):
        from urllib.parse import urlencode

        self.request("GET", path)  # the csrftoken cookie
        token = self.cookies[settings.CSRF_COOKIE_NAME]
        return self.request("POST", path, urlencode(fields), headers={"X-CSRFToken": token})


# --- Without PostgreSQL too: the database is unreachable --------------------------------------------


@pytest.mark.django_db
def test_an_unreachable_database_gives_a_swedish_503_page_that_needs_no_database(client):
    world = seed_world("alfa")
    client.force_login(world.users["chief"])
    client.raise_request_exception = False
    queries = []

    def database_down(execute, sql, params, many, context):
        queries.append(sql)
        raise OperationalError("could not connect to server: Connection refused")

    url = world.draft.get_absolute_url()
    with connection.execute_wrapper(database_down):
        response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "Tjänsten är tillfälligt otillgänglig" in html
    assert "sparades inte" in html and '<html lang="sv">' in html
    assert len(queries) >= 1  # the view tried; the error page itself asked for nothing more
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_other_errors_give_the_static_500_page(rf):
    from finsam.security import server_error

    try:
        raise ValueError("boom")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Något gick fel" in response.content.decode()


def test_connection_health_checks_are_on():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


# --- PostgreSQL restarted ---------------------------------------------------------------------------


def _needs_postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() in {"1", "true"}:
            pytest.fail("The restart tests must run on PostgreSQL in CI (set DATABASE_URL).")
        pytest.skip("needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/finsam_<name>")


def terminate_app_connection():
    """What a PostgreSQL restart does to the app: its open connection is ended from the server side."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            time.sleep(0.02)
    raise AssertionError("the backend did not end")


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_after_a_restart_the_next_request_works():
    _needs_postgresql()
    world = seed_world("alfa")
    browser = Browser(world.users["chief"])
    url = world.draft.get_absolute_url()
    assert browser.request("GET", url)[0] == 200

    terminate_app_connection()

    status, html = browser.request("GET", url)
    # The health check finds the dead connection and opens a new one; failing that, the clear page.
    assert status == 200 or (status == 503 and "Tjänsten är tillfälligt otillgänglig" in html), (status, html)
    assert browser.request("GET", url)[0] == 200


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("at", ["first", "middle", "last"])
def test_a_restart_in_the_middle_of_a_save_writes_nothing(at, capsys):
    """Creating a plan writes a dozen rows; the connection dies at one of its statements."""
    _needs_postgresql()
    world = seed_world("alfa")
    browser = Browser(world.users["chief"])
    new_plan = reverse("plan_new", args=[world.association.slug])
    form = {
        "title": "Verksamhetsplan 2031",
        "first_year": "2031",
        "years": "3",
        "unit": "tkr",
        "decimals": "0",
    }

    # Count the statements of a successful save (then remove what it made).
    statements = []

    def count(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        status, _html = browser.post_form(new_plan, form)
    assert status in (302, 303), status
    created = Plan.objects.get(association=world.association, first_year=2031)
    plans_before = Plan.objects.count()
    created.delete()
    writes = [s for s in statements if "django_session" not in s]
    assert len(writes) > 3
    target = {"first": 1, "middle": len(writes) // 2, "last": len(writes)}[at]
    before = (Plan.objects.count(), world.association.plans.count())

    seen = 0

    def restart_at_write(execute, sql, params, many, context):
        nonlocal seen
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and "django_session" not in sql:
            seen += 1
            if seen == target:
                terminate_app_connection()
        return execute(sql, params, many, context)

    browser.request("GET", new_plan)
    token = browser.cookies[settings.CSRF_COOKIE_NAME]
    from urllib.parse import urlencode

    with connection.execute_wrapper(restart_at_write):
        status, html = browser.request("POST", new_plan, urlencode(form), headers={"X-CSRFToken": token})

    assert status == 503, status
    assert "Tjänsten är tillfälligt otillgänglig" in html and "sparades inte" in html
    # Nothing of the plan was written, and the app works again.
    assert (Plan.objects.count(), world.association.plans.count()) == before
    assert Plan.objects.count() == plans_before - 1
    assert not Plan.objects.filter(first_year=2031).exists()
    assert browser.request("GET", world.draft.get_absolute_url())[0] == 200
    status, _html = browser.post_form(new_plan, form)
    assert status in (302, 303)
    assert Plan.objects.filter(first_year=2031).count() == 1
