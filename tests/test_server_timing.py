"""The Server-Timing middleware (finsam/timing.py): off by default, on it reports the request's SQL time."""

import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from finsam.timing import HEADER, ServerTimingMiddleware, parse_server_timing


def test_it_sends_no_header_by_default(chief_client, small_plan):
    response = chief_client.get(f"/f/{small_plan.association.slug}/planer/{small_plan.pk}/")

    assert response.status_code == 200
    assert HEADER not in response


def test_it_times_every_query_of_a_page_when_on(settings, chief, small_plan):
    settings.FINSAM_SERVER_TIMING = True
    client = Client()  # a new client loads the middleware with the setting on
    client.force_login(chief)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/f/{small_plan.association.slug}/planer/{small_plan.pk}/")

    assert response.status_code == 200
    timing = parse_server_timing(response[HEADER])
    assert 0 < timing["db"] <= timing["total"]
    assert f'desc="{len(captured)} SQL"' in response[HEADER]


def test_it_counts_only_the_time_spent_in_sql(settings, db):
    settings.FINSAM_SERVER_TIMING = True

    def view(request):
        list(get_user_model().objects.all())
        list(get_user_model().objects.all())
        time.sleep(0.05)  # 50 ms of work that is not SQL
        return HttpResponse("ok")

    response = ServerTimingMiddleware(view)(RequestFactory().get("/"))

    timing = parse_server_timing(response[HEADER])
    assert 'desc="2 SQL"' in response[HEADER]
    assert timing["total"] >= 50
    assert timing["db"] < timing["total"] - 40


def test_a_header_is_read_by_metric_name():
    assert parse_server_timing('db;dur=1.25;desc="3 SQL", total;dur=7') == {"db": 1.25, "total": 7.0}
    assert parse_server_timing("garbage, x;dur=nope") == {}
