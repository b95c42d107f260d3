"""Export an association as one JSON file and import it into an empty installation: same content."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models

from budgets.followup import row_key_remapped
from budgets.models import FollowUpForecast, FollowUpOutcome, OutcomeMapping, StatedFigure
from finsam.models import Association, Organisation
from finsam.site.backup import (
    BACKUP_APPS,
    BackupError,
    _remap_content,
    _remap_key,
    association_import,
    association_paths,
    backup_models,
)
from interventions.models import Intervention
from plans.models import Plan
from tests.security.dataset import MARKERS, seed_world


def test_every_model_of_the_backup_apps_reaches_an_association():
    paths = association_paths()  # raises, naming the models that cannot
    assert set(paths) == set(backup_models())
    labels = {model._meta.app_label for model in paths}
    assert labels == set(BACKUP_APPS)


def _canonical(value):
    return value.amount if hasattr(value, "amount") and hasattr(value, "currency") else value


def canonical_dump() -> dict:
    """Every row of the backup apps and the users, without primary keys: a foreign key becomes the
    position of its target among that model's rows (by primary key), a user becomes the username."""
    User = get_user_model()
    model_list = [Association, *backup_models()]
    positions = {
        model: {
            pk: index
            for index, pk in enumerate(model._default_manager.order_by("pk").values_list("pk", flat=True))
        }
        for model in model_list
    }
    dump = {}
    for model in model_list:
        rows = []
        for obj in model._default_manager.order_by("pk"):
            row = {}
            for field in model._meta.concrete_fields:
                if field.primary_key:
                    continue
                value = getattr(obj, field.attname)
                if isinstance(field, models.ForeignKey) and value is not None:
                    target = field.remote_field.model
                    value = (
                        User.objects.get(pk=value).username if target is User else positions[target][value]
                    )
                row[field.name] = _canonical(
                    getattr(obj, field.name) if not isinstance(field, models.ForeignKey) else value
                )
                # The keys inside a frozen version and a comment's target name parts by their ids: by
                # position too, so that a version whose keys followed the new ids compares equal.
                if isinstance(row[field.name], dict) and "plan" in row[field.name]:
                    content = _remap_content(row[field.name], positions)
                    content["plan"] = content["plan"] | {"id": positions[Plan].get(content["plan"].get("id"))}
                    row[field.name] = content
                elif field.name == "target_key":
                    row[field.name] = _remap_key(row[field.name], positions)
                elif model in (FollowUpOutcome, FollowUpForecast, OutcomeMapping) and field.name == "row":
                    row[field.name] = row_key_remapped(
                        row[field.name],
                        interventions=positions[Intervention],
                        organisations=positions[Organisation],
                    )
            for field in model._meta.many_to_many:
                target = field.remote_field.model
                related = getattr(obj, field.name)
                row[field.name] = sorted(
                    related.values_list("username", flat=True)
                    if target is User
                    else (positions[target][pk] for pk in related.values_list("pk", flat=True))
                )
            rows.append(row)
        dump[model._meta.label] = rows
    dump["users"] = sorted(User.objects.values_list("username", "first_name", "last_name", "email"))
    return dump


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_export_then_import_into_an_empty_installation_gives_the_same_content(tmp_path, capsys):
    world = seed_world("alfa")
    for model in backup_models():
        assert model._default_manager.exists(), f"the test data has no {model._meta.label}"
    before = canonical_dump()
    path = tmp_path / "alfa.json"

    call_command("export_association", world.association.slug, output=str(path))
    data = json.loads(path.read_text())
    assert data["format"] == "finsam-association" and data["version"] == 1 and data["exported_at"]
    assert data["association"]["fields"]["slug"] == world.association.slug

    call_command("flush", interactive=False, verbosity=0)
    assert not Association.objects.exists() and not get_user_model().objects.exists()
    call_command("import_association", str(path), stdout=io.StringIO())

    after = canonical_dump()
    assert after == before
    imported_users = get_user_model().objects.all()
    assert all(not user.is_active and not user.has_usable_password() for user in imported_users)
    with capsys.disabled():
        print(
            f"\nBackup round trip: {len(data['objects'])} objects of {len(backup_models())} models, equal after import"
        )


@pytest.mark.django_db
def test_a_plan_in_review_can_be_adopted_after_export_and_import(tmp_path):
    """A submitted version names the plan's parts by their ids: after import (new ids) it must still
    match its plan, or the board could not adopt what it reviewed."""
    import datetime

    from plans.review import plan_adopt, plan_stance_record, plan_submit

    world = seed_world("alfa")
    plan = world.draft
    chief, board = world.users["chief"], world.users["board"]
    plan_submit(plan=plan, by=chief, notify=False)
    path = tmp_path / "alfa.json"
    call_command("export_association", world.association.slug, output=str(path))
    title = plan.title
    Association.objects.filter(pk=world.association.pk).update(
        slug="alfa-som-var"
    )  # make room for the import
    call_command("import_association", str(path), stdout=io.StringIO())

    imported = Plan.objects.get(association__slug=world.association.slug, title=title)
    assert imported.state == Plan.State.IN_REVIEW
    plan_stance_record(plan=imported, by=board, stance="approve")
    plan_adopt(plan=imported, by=chief, adopted_on=datetime.date(2026, 11, 25), minutes_reference="§12")
    imported.refresh_from_db()
    assert imported.state == Plan.State.ADOPTED
    assert imported.snapshots.order_by("-number").first().content["plan"]["id"] == imported.pk


@pytest.mark.django_db
def test_the_export_holds_nothing_of_another_association_and_no_passwords(tmp_path):
    alfa = seed_world("alfa")
    seed_world("beta")
    path = tmp_path / "alfa.json"
    call_command("export_association", alfa.association.slug, output=str(path))
    text = path.read_text()

    assert MARKERS["alfa"] in text
    assert MARKERS["beta"] not in text
    data = json.loads(text)
    assert {user["username"] for user in data["users"]} == {user.username for user in alfa.users.values()}
    assert "password" not in text and "md5$" not in text and "pbkdf2" not in text


@pytest.mark.django_db
def test_import_refuses_an_existing_association_and_changes_nothing(tmp_path):
    world = seed_world("alfa")
    path = tmp_path / "alfa.json"
    call_command("export_association", world.association.slug, output=str(path))
    before = canonical_dump()

    with pytest.raises(Exception, match="finns redan"):
        call_command("import_association", str(path))
    assert canonical_dump() == before


@pytest.mark.django_db
def test_a_broken_file_imports_nothing(tmp_path):
    world = seed_world("alfa")
    path = tmp_path / "alfa.json"
    call_command("export_association", world.association.slug, output=str(path))
    data = json.loads(path.read_text())
    data["association"]["fields"]["slug"] = "kopia"
    # The last object points to a plan that is not in the file.
    last = next(o for o in reversed(data["objects"]) if "plan" in o["fields"] and o["fields"]["plan"])
    last["fields"]["plan"] = 999_999
    before = canonical_dump()

    with pytest.raises(BackupError):
        association_import(data=data)
    assert canonical_dump() == before


@pytest.mark.django_db
def test_import_links_existing_users_by_username(tmp_path):
    world = seed_world("alfa")
    path = tmp_path / "alfa.json"
    call_command("export_association", world.association.slug, output=str(path))
    data = json.loads(path.read_text())
    data["association"]["fields"]["slug"] = "kopia"
    chief = world.users["chief"]

    copy = association_import(data=data)

    assert copy.memberships.get(role="chief").user == chief  # the same account, not a new one
    assert get_user_model().objects.filter(username=chief.username).count() == 1


def test_an_unknown_format_is_refused():
    with pytest.raises(BackupError, match="format"):
        association_import(data={"format": "something-else", "version": 1})
    with pytest.raises(BackupError, match="version"):
        association_import(data={"format": "finsam-association", "version": 99})


@pytest.mark.django_db
def test_an_adopted_plan_shows_the_same_frozen_document_after_export_and_import(tmp_path):
    """The adopted plan's version of record travels with the export: after import (new ids), its page shows
    the same text and figures, read from the frozen version, even where the live rows changed later."""
    import re

    from django.template.loader import render_to_string

    from plans.document import plan_document_view

    def document_text(plan: Plan) -> str:
        markup = render_to_string("plans/document.html", {"doc": plan_document_view(plan)})
        return " ".join(re.sub(r"<[^>]+>", " ", markup).split())

    world = seed_world("alfa")
    adopted = world.adopted
    before = document_text(adopted)
    path = tmp_path / "alfa.json"
    call_command("export_association", world.association.slug, output=str(path))
    Association.objects.filter(pk=world.association.pk).update(slug="alfa-som-var")
    call_command("import_association", str(path), stdout=io.StringIO())

    imported = Plan.objects.get(association__slug=world.association.slug, state=Plan.State.ADOPTED)
    assert imported.pk != adopted.pk and imported.snapshots.count() == adopted.snapshots.count()
    assert document_text(imported) == before


@pytest.mark.django_db
def test_a_stated_figure_keeps_its_dismissal_after_export_and_import(tmp_path):
    """The chief's "the document's own error" (reason and printed note) travels with the backup."""
    world = seed_world("alfa")
    before = sorted(
        StatedFigure.objects.filter(plan__association=world.association)
        .exclude(dismissed_reason="")
        .values_list("label", "dismissed_reason", "print_note")
    )
    assert any(print_note for _label, _reason, print_note in before)
    path = tmp_path / "alfa.json"
    call_command("export_association", world.association.slug, output=str(path))
    Association.objects.filter(pk=world.association.pk).update(slug="alfa-som-var")
    call_command("import_association", str(path), stdout=io.StringIO())
    after = sorted(
        StatedFigure.objects.filter(plan__association__slug=world.association.slug)
        .exclude(dismissed_reason="")
        .values_list("label", "dismissed_reason", "print_note")
    )
    assert after == before
