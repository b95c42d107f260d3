"""The plan's write gateway: the one place that refuses a locked plan, records history and moves the
last-changed date; and every way into a plan (POST routes, admin forms, commands) passes it."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from plans.gateway import PlanLocked, plan_change
from plans.models import Chapter, Plan, PlanEvent
from plans.parts import plan_models
from tests.factories import ChapterFactory, PlanFactory, UserFactory
from tests.security.dataset import seed_world
from tests.security.test_atomicity import dump_everything
from tests.security.test_url_matrix import post_to_every_plan_edit_route

pytestmark = pytest.mark.django_db

LOCKED = [Plan.State.IN_REVIEW, Plan.State.APPROVED, Plan.State.ADOPTED, Plan.State.SUPERSEDED]
EDITABLE = [Plan.State.DRAFT, Plan.State.CHANGES_REQUESTED]


def locked_plan(state: str) -> Plan:
    return PlanFactory(state=state, adopted_on=datetime.date(2026, 11, 25) if state != "in_review" else None)


@pytest.mark.parametrize("state", LOCKED)
def test_a_plan_that_cannot_change_is_refused_and_nothing_is_written(state):
    plan = locked_plan(state)
    before = Plan.objects.get(pk=plan.pk).updated_at
    with pytest.raises(PlanLocked, match="kan inte ändras"), plan_change(plan, by=None) as change:
        ChapterFactory(plan=plan)
        change.record(PlanEvent.Action.ADDED, "kapitel")
    assert not Chapter.objects.filter(plan=plan).exists()
    assert not plan.events.exists()
    assert Plan.objects.get(pk=plan.pk).updated_at == before


@pytest.mark.parametrize("state", EDITABLE)
def test_an_editable_plan_changes_with_its_history_and_last_changed_date(state):
    plan = PlanFactory(state=state)
    before = Plan.objects.get(pk=plan.pk).updated_at
    with plan_change(plan, by=None) as change:
        ChapterFactory(plan=plan)
        change.record(PlanEvent.Action.ADDED, "kapitel", {"kind": "chapter"})
    assert plan.events.get().details == {"kind": "chapter"}
    assert Plan.objects.get(pk=plan.pk).updated_at > before


def test_a_plan_locked_while_the_change_ran_rolls_the_change_back():
    """The state is checked again at the end, under the row lock: a submit in between wins."""
    plan = PlanFactory()
    with pytest.raises(PlanLocked), plan_change(plan, by=None) as change:
        ChapterFactory(plan=plan)
        Plan.objects.filter(pk=plan.pk).update(state=Plan.State.IN_REVIEW)  # another request's submit
        change.record(PlanEvent.Action.ADDED, "kapitel")
    assert not Chapter.objects.filter(plan=plan).exists()


def test_a_change_that_writes_nothing_leaves_the_last_changed_date():
    plan = PlanFactory()
    before = Plan.objects.get(pk=plan.pk).updated_at
    with plan_change(plan, by=None):
        pass
    assert Plan.objects.get(pk=plan.pk).updated_at == before


def test_an_error_inside_the_change_writes_nothing():
    plan = PlanFactory()
    with pytest.raises(RuntimeError), plan_change(plan, by=None) as change:
        ChapterFactory(plan=plan)
        change.record(PlanEvent.Action.ADDED, "kapitel")
        raise RuntimeError("disk full")
    assert not Chapter.objects.filter(plan=plan).exists() and not plan.events.exists()


# --- Every way into a plan passes the gateway ------------------------------------------------------------

# Plausible values for the fields of every editing form, so that as many routes as possible get past
# their form and reach the service (and so the gateway) instead of stopping at validation.
ANSWERS = {
    "version": "1",
    "heading": "Ny rubrik",
    "body": "Text",
    "title": "Ny titel",
    "text": "Indikator",
    "name": "Ny rad",
    "level": "1",
    "kind": "text",
    "amount": "100",
    "value": "100",
    "direction": "down",
    "to": "0",
    "section": "costs",
    "audience": "Alla",
    "routine": "Rutin",
    "activity": "Aktivitet",
    "person_name": "Anna",
    "role": "member",
    "first_year": "2027",
    "years": "3",
    "unit": "tkr",
    "decimals": "0",
    "contributions_total": "1000",
    "weight": "100",
    "reason": "Skäl",
    "action": "save",
    "confirm": "1",
}


def test_every_post_route_refuses_a_locked_plan_through_the_gateway(monkeypatch, capsys):
    """With the views' early refusal switched off, the gateway alone keeps every plan-editing POST route
    from changing an adopted plan: a route that writes around the gateway fails here."""
    world = seed_world("alfa")
    monkeypatch.setattr("plans.access.plan_refuse_unless_editable", lambda plan, **kwargs: None)
    refused_by_gateway = []
    real_init = PlanLocked.__init__

    def spy(self, plan):
        refused_by_gateway.append(plan.pk)
        real_init(self, plan)

    monkeypatch.setattr(PlanLocked, "__init__", spy)
    answers, unchanged = post_to_every_plan_edit_route(world, ANSWERS)
    with capsys.disabled():
        print(
            f"\n{len(answers)} plan-editing POST routes, {len(refused_by_gateway)} refused by the gateway itself"
        )
    assert [answer for answer in answers if answer[2] == 500] == []
    assert unchanged
    assert len(answers) > 20 and len(refused_by_gateway) > 10


def test_every_admin_form_and_inline_of_a_locked_plan_is_read_only():
    world = seed_world("alfa")
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="root", is_superuser=True, is_staff=True)
    checked = 0
    for model in plan_models():
        obj = (
            world.adopted_objects.get(model._meta.model_name)
            or model._default_manager.filter(**{_plan_path(model): world.adopted}).first()
        )
        model_admin = admin.site._registry.get(model)
        if obj is None or model_admin is None:
            continue
        assert not model_admin.has_change_permission(request, obj), model
        assert not model_admin.has_delete_permission(request, obj), model
        checked += 1
    plan_admin = admin.site._registry[Plan]
    assert not plan_admin.has_change_permission(request, world.adopted)
    for inline in plan_admin.get_inline_instances(request, world.adopted):
        assert not inline.has_change_permission(request, world.adopted), inline
        assert not inline.has_add_permission(request, world.adopted), inline
        assert not inline.has_delete_permission(request, world.adopted), inline
        checked += 1
    assert checked >= 5


def _plan_path(model) -> str:
    for path in ("plan", "goal__plan", "group__plan", "line__group__plan", "column__plan", "factor__plan"):
        try:
            model._meta.get_field(path.split("__")[0])
        except Exception:
            continue
        return path
    raise AssertionError(f"{model} has no path to its plan")


def test_the_import_command_refuses_a_locked_plan_through_the_gateway(tmp_path, monkeypatch):
    world = seed_world("alfa")
    monkeypatch.setattr("plans.access.plan_refuse_unless_editable", lambda plan, **kwargs: None)
    table = tmp_path / "budget.txt"
    table.write_text("Intäkter\t2027\nMedlemsavgifter\t1 000\nKostnader\t2027\nAdministration\t500\n")
    before = dump_everything()
    with pytest.raises(CommandError, match="kan inte ändras"):
        call_command(
            "import_budget",
            world.association.slug,
            str(world.adopted.pk),
            str(table),
            "--apply",
            "--unit",
            "tkr",
        )
    assert dump_everything() == before


def test_an_admin_change_goes_through_the_gateway(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    draft = PlanFactory()
    chapter = ChapterFactory(plan=draft, heading="Inledning")
    url = reverse("admin:plans_chapter_change", args=[chapter.pk])
    data = {"plan": draft.pk, "heading": "Bakgrund", "level": 1, "kind": "text", "body": "", "position": 0}
    assert client.post(url, data).status_code == 302
    event = draft.events.get()
    assert (event.action, event.details["admin"]) == ("edited", "plans.chapter")

    adopted = locked_plan(Plan.State.ADOPTED)
    response = client.post(
        reverse("admin:plans_chapter_add"), data | {"plan": adopted.pk, "heading": "Smugglad"}
    )
    # Refused before the gateway: the admin offers only plans that can change.
    assert response.status_code == 200 and "Välj ett giltigt alternativ" in response.text
    assert not adopted.chapters.exists() and not adopted.events.exists()
