"""Ids of another association's objects, in the path, in POST bodies and in foreign-key fields, are
refused, and nothing changes.

- Every URL with several objects in its path is called by A's chief with one of them replaced by the
  matching object of association B (A's plan with B's budget line, B's plan with A's chapter...): 404.
- Every editing form with a choice of objects gets B's objects posted by A's chief: refused, and not
  one row of the database changes.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.security.dataset import seed_world
from tests.security.test_atomicity import dump_everything
from tests.security.test_url_matrix import REGISTRY, build_kwargs, object_for_kwarg, project_urls


@pytest.fixture(scope="module")
def _seeded_worlds(django_db_setup, django_db_blocker):
    """Both associations, seeded once per module (they took most of each test's time): in a transaction
    rolled back at the end, inside which every test runs in a savepoint of its own (pytest-django's `db`),
    so what one test writes the next does not see. The tests only read the World objects."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_world("alfa"), seed_world("beta")
        transaction.set_rollback(True)


@pytest.fixture
def worlds(_seeded_worlds, db):
    return _seeded_worlds


@pytest.fixture
def chief(worlds):
    client = Client(raise_request_exception=False)
    client.force_login(worlds[0].users["chief"])
    return client


def test_paths_mixing_two_associations_objects_are_404(
    worlds, chief, capsys, quiet_refusals, uninstrumented_templates
):
    alfa, beta = worlds
    checked = 0
    problems = []
    for entry in project_urls():
        if entry.name not in REGISTRY:
            continue
        for fixed in entry.variants():
            kwargs, uses_objects = build_kwargs(entry, alfa, alfa.objects, fixed)
            object_names = [
                name
                for name in kwargs
                if name not in fixed and name != "association" and isinstance(kwargs[name], int)
            ]
            if not uses_objects:
                continue
            for name in object_names:
                foreign = object_for_kwarg(name, entry.route, beta.objects, kwargs)
                if foreign is None or foreign.pk == kwargs[name]:
                    continue
                url = reverse(entry.name, kwargs={**kwargs, name: foreign.pk})
                for method in ("GET", "POST"):
                    response = chief.generic(method, url)
                    checked += 1
                    if response.status_code not in (404, 405):
                        problems.append(f"{method} {url} ({entry.name}, B's {name}): {response.status_code}")
    with capsys.disabled():
        print(f"\nForeign ids in paths: {checked} requests with one of B's ids among A's, all 404")
    assert checked > 50
    assert not problems, "\n".join(problems)


def content_dump() -> dict:
    """Every table but the sessions (activity extends the session: finsam.security.SlidingSessionMiddleware)."""
    dump = dump_everything()
    del dump["sessions.Session"]
    return dump


def post_and_compare(client, url, data, *, allowed=(404, 422, 400)):
    before = content_dump()
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code in allowed, (url, response.status_code, response.content[:500])
    assert content_dump() == before, f"POST {url} with another association's id changed the database"
    return response


def post_succeeds(client, url, data):
    """The control: the same form with the association's own object is accepted and saved."""
    before = content_dump()
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code in (200, 201, 204, 302, 303), (
        url,
        response.status_code,
        response.content[:800],
    )
    assert content_dump() != before


def test_a_board_seat_cannot_be_appointed_by_another_associations_member(worlds, chief):
    alfa, beta = worlds
    url = reverse("plan_part_add", args=[alfa.association.slug, alfa.draft.pk, "styrelse"])
    data = {"person_name": "Ny ledamot", "role": "member", "appointed_by": beta.objects["organisation"].pk}
    post_and_compare(chief, url, data)
    post_succeeds(chief, url, {**data, "appointed_by": alfa.objects["organisation"].pk})


def test_an_activity_cannot_serve_another_associations_goal(worlds, chief):
    alfa, beta = worlds
    slug = alfa.association.slug
    add = reverse("plan_part_add", args=[slug, alfa.draft.pk, "aktiviteter"])
    post_and_compare(chief, add, {"activity": "Ny", "goal": beta.objects["goal"].pk})
    item = alfa.objects["activityitem"]
    edit = reverse("plan_part_edit", args=[slug, alfa.draft.pk, "aktiviteter", item.pk])
    data = {"activity": "Ändrad", "goal": beta.objects["goal"].pk, "version": item.version}
    post_and_compare(chief, edit, data)
    # Nor a goal of A's other plan.
    post_and_compare(chief, add, {"activity": "Ny", "goal": alfa.adopted_objects["goal"].pk})
    post_succeeds(chief, add, {"activity": "Ny", "goal": alfa.objects["goal"].pk})


def test_an_intervention_cannot_name_another_associations_organisations(worlds, chief):
    alfa, beta = worlds
    slug = alfa.association.slug
    theirs = beta.objects["organisation"].pk
    ours = [org.pk for org in alfa.association.organisations.filter(is_member=True)[:2]]
    base = {
        "name": "Ny insats", "kind": "individual", "status": "granted", "owner": ours[0], "partners": ours,
        "grants-TOTAL_FORMS": "0", "grants-INITIAL_FORMS": "0",
    }  # fmt: skip
    create = reverse("intervention_create", args=[slug])
    for field, value in (("owner", theirs), ("municipality", theirs), ("partners", [ours[0], theirs])):
        post_and_compare(chief, create, {**base, field: value})
    post_succeeds(chief, create, base)
    intervention = alfa.objects["intervention"]
    detail = reverse("intervention_detail", args=[slug, intervention.pk])
    post_and_compare(chief, detail, {**base, "partners": [theirs], "version": intervention.version})


def test_plans_and_interventions_of_another_association_cannot_be_linked(worlds, chief):
    alfa, beta = worlds
    slug = alfa.association.slug
    intervention = alfa.objects["intervention"]
    post_and_compare(
        chief, reverse("intervention_plan_add", args=[slug, intervention.pk]), {"plan": beta.draft.pk}
    )
    post_and_compare(
        chief,
        reverse("plan_intervention_add", args=[slug, alfa.draft.pk]),
        {"intervention": beta.objects["intervention"].pk},
    )


def test_a_plan_cannot_be_rolled_over_from_another_associations_plan(worlds, chief):
    alfa, beta = worlds
    url = reverse("plan_new", args=[alfa.association.slug])
    post_and_compare(chief, url, {"action": "rollover", "source": beta.adopted.pk, "keep_forecast": "on"})


def test_a_reply_cannot_join_another_associations_thread(worlds, chief):
    alfa, beta = worlds
    url = reverse("comment_create", args=[alfa.association.slug, alfa.draft.pk])
    post_and_compare(
        chief, url, {"parent": beta.objects["comment"].pk, "body": "Svar"}, allowed=(403, 404, 422)
    )
    post_succeeds(chief, url, {"parent": alfa.objects["comment"].pk, "body": "Svar"})
