"""The lock has no back door in the admin: a walk over every admin page of a plan's objects.

The walk takes every `ModelAdmin` registered in `django.contrib.admin.site` (`admin.site._registry`, not a
list written here) whose model belongs to a plan (a foreign key to `Plan`, directly or through its
parents), opens as a superuser the change page of its row in an adopted plan and proves: the page answers
200, shows no field that can be edited, no inline row that can be edited or removed, no save button and
no delete link; a POST of a change is refused (403), and so are a delete and the changelist's bulk delete,
with nothing written to the database. It then opens the same admin for the row in a draft plan and proves
that a superuser can still change it there, and that a plan's state and association are never fields of
its form. Every registered admin with an inline whose rows belong to plans (the intervention's list of
plans) must show the rows of the adopted plan read-only, and no registered admin of anything else (an
organisation, the association) may delete the adopted plan's rows by cascade.

Registering an admin for a plan's model without `plans.admin_locks.LockedPlanAdminMixin` (a new part in
`plans.parts`, say) makes this test fail. The rows come from `tests.security.dataset.seed_world`, which
builds a row of every model of the backup (models added later included) in the adopted and in the draft
plan; a registered plan model with no such row fails the walk too, rather than being skipped.
"""

from __future__ import annotations

import copy

import pytest
from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.urls import reverse

from budgets.models import ContributionKeyValue
from finsam.models import Association, Organisation
from finsam.site.backup import association_paths
from plans.admin_locks import plan_of, plan_path
from plans.models import Plan
from tests.admin_pages import BUTTONS, Controls, stored, url
from tests.factories import UserFactory
from tests.group_data import built_once_for_the_group
from tests.security.dataset import seed_world
from tests.test_parts import reaches_plan

pytestmark = pytest.mark.django_db


def plan_models_in_admin() -> list:
    """The models registered in the admin that belong to a plan."""
    return [model for model in admin.site._registry if model is Plan or reaches_plan(model)]


def row(world, model, *, adopted: bool):
    """The model's first row in the adopted (or the draft) plan, found by the admin's own path to the plan
    (`plan_path`, which the walk proves right: the row it finds must be locked)."""
    plan = world.adopted if adopted else world.draft
    path = plan_path(model)
    if path is None:
        return None
    return model._default_manager.filter(**{path or "pk": plan.pk}).order_by("pk").first()


@pytest.fixture(scope="module")
def seeded_alfa(django_db_setup, django_db_blocker):
    yield from built_once_for_the_group(django_db_blocker, lambda: seed_world("alfa"))


@pytest.fixture
def world(seeded_alfa):
    """Alfa, seeded once for the module (each test's writes are rolled back), with its own copy of the
    objects."""
    return copy.deepcopy(seeded_alfa)


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_every_admin_page_of_an_adopted_plan_is_read_only_and_refuses_changes(world, superuser_client):
    """Fails for an admin registered for a plan's model without `LockedPlanAdminMixin`."""
    client = superuser_client
    problems = []
    walked = []
    for model in plan_models_in_admin():
        obj = row(world, model, adopted=True)
        draft_obj = row(world, model, adopted=False)
        if obj is None or draft_obj is None:
            problems.append(
                f"{model._meta.label}: no path to its plan, or seed_world has no row in each plan"
            )
            continue
        walked.append(model._meta.label)
        page = client.get(url(obj, "change"))
        if page.status_code != 200:
            problems.append(f"{model._meta.label}: change page answers {page.status_code}")
            continue
        controls = Controls(page.text)
        if controls.editable:
            problems.append(f"{model._meta.label}: editable {controls.editable}")
        if any(f'name="{button}"' in page.text for button in BUTTONS):
            problems.append(f"{model._meta.label}: a save button")
        if url(obj, "delete") in page.text:
            problems.append(f"{model._meta.label}: a delete link")

        # A change posted anyway, built from the draft row's page (what the form would accept).
        draft_page = Controls(client.get(url(draft_obj, "change")).text)
        data = next(draft_page.changes(), (draft_page.post(), None))[0]
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        # A changelist that offers no bulk delete at all (the records) answers its POST with itself.
        bulk_refusal = 403 if 'value="delete_selected"' in client.get(changelist).text else 200
        before = stored()
        answers = {
            "change": (client.post(url(obj, "change"), data).status_code, 403),
            "delete": (client.post(url(obj, "delete"), {"post": "yes"}).status_code, 403),
            "bulk delete": (
                client.post(
                    changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
                ).status_code,
                bulk_refusal,
            ),
        }
        refused = {what: status for what, (status, refusal) in answers.items() if status != refusal}
        if refused:
            problems.append(f"{model._meta.label}: not refused {refused}")
        if stored() != before:
            problems.append(f"{model._meta.label}: the database changed")
    assert not problems, "\n".join(problems)
    assert {"plans.Plan", "plans.Chapter", "plans.Goal", "budgets.BudgetLine"} <= set(walked)


def test_every_admin_of_a_plans_objects_still_changes_a_draft(world, superuser_client):
    """The lock is the plan's state, not the admin: a superuser fixes a draft there (its state and
    association excepted, which are never edited by hand)."""
    client = superuser_client
    problems = []
    changed_models = []
    for model in plan_models_in_admin():
        obj = row(world, model, adopted=False)
        page = client.get(url(obj, "change"))
        controls = Controls(page.text)
        if model is Plan:
            fixed = {"state", "association"} & set(controls.editable)
            if fixed:
                problems.append(f"plans.Plan: {sorted(fixed)} editable")
        if not controls.editable:  # a record of what happened (history, versions, stances, PDFs)
            continue
        for data, name in controls.changes():
            response = client.post(url(obj, "change"), data)
            if response.status_code == 302:
                break
        else:
            problems.append(f"{model._meta.label}: no change saved, last {response.context.get('errors')}")
            continue
        before = obj.__dict__.copy()
        obj.refresh_from_db()
        if not any(before.get(key) != value for key, value in obj.__dict__.items() if key != "_state"):
            problems.append(f"{model._meta.label}: {name} did not change")
        changed_models.append(model._meta.label)
    assert not problems, "\n".join(problems)
    assert {"plans.Plan", "plans.Chapter", "budgets.BudgetColumn"} <= set(changed_models)


def test_every_inline_row_of_an_adopted_plan_is_read_only_on_any_admin_page(world, superuser_client):
    """Also where the page's own object stands outside plans (an intervention lists its plans)."""
    client = superuser_client
    problems = []
    checked = 0
    for model, model_admin in admin.site._registry.items():
        obj = row(world, model, adopted=True) or world.adopted_objects.get(model._meta.model_name)
        if obj is None or not model_admin.inlines:
            continue
        page = client.get(url(obj, "change"))
        editable = Controls(page.text).editable
        for inline_formset in page.context["inline_admin_formsets"]:
            formset = inline_formset.formset
            if not reaches_plan(formset.model):
                continue
            for index, form in enumerate(formset.initial_forms):
                if plan_of(form.instance) != world.adopted:
                    continue
                checked += 1
                mine = [name for name in editable if name.startswith(f"{formset.prefix}-{index}-")]
                if mine:
                    problems.append(f"{model._meta.label} / {formset.model._meta.label}: editable {mine}")
    assert not problems, "\n".join(problems)
    assert checked


def test_no_admin_deletes_an_adopted_plans_rows_by_cascade(world, superuser_client):
    """The admins of what stands outside plans too: an organisation takes its contribution key values
    with it, an association its plans. Wherever a delete's cascade reaches the adopted plan (and nothing
    protects it already), the delete page and the bulk delete are refused (an inline's removed row:
    `test_admin_locks`)."""
    client = superuser_client
    # In the seeded world every organisation with a contribution key value is protected (it owns or
    # hosts an intervention, appoints a board member): one more that is not.
    newcomer = Organisation.objects.create(association=world.association, name="Kommun tre")
    ContributionKeyValue.objects.create(
        factor=world.adopted.contribution_factors.first(), organisation=newcomer, value=1
    )
    problems = []
    checked = []
    paths = association_paths()
    for model in admin.site._registry:
        if model is Plan or reaches_plan(model):
            continue  # walked above
        candidates = [world.association] if model is Association else []
        if model in paths:
            candidates = model._default_manager.filter(**{paths[model]: world.association}).order_by("pk")
        obj = next((c for c in candidates if _takes_from_adopted_plan(c, world)), None)
        if obj is None:
            continue
        checked.append(model._meta.label)
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        before = stored()
        answers = {
            "delete": client.post(url(obj, "delete"), {"post": "yes"}).status_code,
            "bulk delete": client.post(
                changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
            ).status_code,
        }
        if set(answers.values()) != {403}:
            problems.append(f"{model._meta.label}: not refused {answers}")
        if stored() != before:
            problems.append(f"{model._meta.label}: the database changed")
    assert not problems, "\n".join(problems)
    assert "finsam.Organisation" in checked


def _takes_from_adopted_plan(obj, world) -> bool:
    """Whether deleting `obj` would delete rows of the adopted plan (and nothing protects them)."""
    collector = NestedObjects(using="default")
    collector.collect([obj])
    reached = {plan_of(instance) for instances in collector.data.values() for instance in instances}
    return world.adopted in reached and not collector.protected
