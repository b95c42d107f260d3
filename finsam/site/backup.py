"""Export one association, with everything that belongs to it, as one versioned JSON file, and import it.

The models are found, not listed: every model of the apps in `BACKUP_APPS` must reach `Association`
through a chain of foreign keys (a plan's budget amount: line → group → plan → association). A model
added later is exported without touching this module; one that cannot reach an association makes
`association_paths()` raise, so that it is never silently left out of the backup.

The file:

    {"format": "finsam-association", "version": 1, "exported_at": "...",
     "association": {"pk": 3, "fields": {...}},
     "users": [{"username": ..., "first_name": ..., "last_name": ..., "email": ..., "is_active": ...}],
     "objects": [{"model": "plans.plan", "pk": 12, "fields": {...}}, ...]}

Foreign keys hold the exported primary key of their target; foreign keys to users hold the username.
Passwords are never exported. Files (PDFs, logos) are exported as their stored names only: the files
themselves are backed up with the file store (the media directory, or the S3 bucket; README, "Backup").

Import refuses an association whose slug exists, gives every object a new primary key, links users by
username (or creates them inactive, without a usable password) and runs in one transaction: a file
that fails half-way leaves the database as it was. The keys inside submitted versions and comments follow
the new primary keys, so a plan in review can still be adopted after a move.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import re
import uuid
from collections import defaultdict, deque
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from djmoney.models.fields import CurrencyField, MoneyField
from djmoney.money import Money

from budgets.followup import row_key_remapped
from budgets.models import BudgetGroup, BudgetLine, FollowUpForecast, FollowUpOutcome, OutcomeMapping
from finsam.models import Association, BoardSeat, Invitation, Organisation, StaffMember
from interventions.models import Intervention, InterventionInvitation
from plans.models import (
    ActivityItem,
    Chapter,
    Comment,
    CommunicationItem,
    ControlItem,
    Goal,
    Indicator,
    Plan,
    PlanSnapshot,
    TargetGroup,
)
from plans.review import plan_record_ensure
from plans.snapshots import upgrade

FORMAT = "finsam-association"
VERSION = 1
BACKUP_APPS = ("finsam", "plans", "budgets", "interventions")


class BackupError(Exception):
    """The export or import cannot be done; the message says why (in Swedish, for the command line)."""


# --- Which models, and how each reaches its association -------------------------------------------


# Not backed up: a pending invitation's link belongs to the installation that sent it (and its token hash,
# unique, would collide with the original's on an import beside it), nor the insatser it is for.
NOT_BACKED_UP = (Invitation, InterventionInvitation)


def backup_models() -> list[type[models.Model]]:
    """Every concrete model of the backup apps except `Association` itself (and `NOT_BACKED_UP`)."""
    found = []
    for label in BACKUP_APPS:
        for model in apps.get_app_config(label).get_models():
            if model is Association or model in NOT_BACKED_UP or model._meta.proxy or not model._meta.managed:
                continue
            found.append(model)
    return found


def _forward_fks(model: type[models.Model]) -> list[models.ForeignKey]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.remote_field.model is not model
    ]


def association_paths() -> dict[type[models.Model], str]:
    """For every backup model, the shortest lookup from it to its association (`"line__group__plan__
    association"`). Non-null foreign keys are preferred, so that every row has an association.

    Raises `BackupError` naming the models that cannot reach `Association`.
    """
    candidates = backup_models()
    paths: dict[type[models.Model], str] = {}
    for require_not_null in (True, False):
        changed = True
        while changed:
            changed = False
            for model in candidates:
                if model in paths:
                    continue
                options = []
                for field in _forward_fks(model):
                    if require_not_null and field.null:
                        continue
                    target = field.remote_field.model
                    if target is Association:
                        options.append(field.name)
                    elif target in paths:
                        options.append(f"{field.name}__{paths[target]}")
                if options:
                    paths[model] = min(options, key=lambda path: (path.count("__"), path))
                    changed = True
    missing = [model._meta.label for model in candidates if model not in paths]
    if missing:
        raise BackupError(
            "Dessa modeller når inget samordningsförbund via främmande nycklar och kan inte säkerhetskopieras: "
            + ", ".join(sorted(missing))
        )
    return paths


def _insert_order(model_list: list[type[models.Model]]) -> list[type[models.Model]]:
    """Models ordered so that non-null foreign keys point to models earlier in the list."""
    in_set = set(model_list)
    deps = {
        model: {
            field.remote_field.model
            for field in _forward_fks(model)
            if not field.null and field.remote_field.model in in_set
        }
        for model in model_list
    }
    ordered: list[type[models.Model]] = []
    ready = deque(sorted((m for m in model_list if not deps[m]), key=lambda m: m._meta.label))
    remaining = {m: set(d) for m, d in deps.items() if d}
    while ready:
        model = ready.popleft()
        ordered.append(model)
        for other in sorted(remaining, key=lambda m: m._meta.label):
            remaining[other].discard(model)
            if not remaining[other]:
                del remaining[other]
                ready.append(other)
    if remaining:
        raise BackupError(
            "Kretsberoende mellan modeller: " + ", ".join(sorted(m._meta.label for m in remaining))
        )
    return ordered


# --- Values ------------------------------------------------------------------------------------------


def _is_user_fk(field) -> bool:
    return isinstance(field, models.ForeignKey) and field.remote_field.model is get_user_model()


def _user_m2m(model: type[models.Model]) -> list[models.ManyToManyField]:
    """Many-to-many fields to users (an insats's insats owners): written as user names, like user keys."""
    return [field for field in model._meta.many_to_many if field.remote_field.model is get_user_model()]


def _dump_value(field: models.Field, obj: models.Model) -> Any:
    if isinstance(field, models.ForeignKey):
        return getattr(obj, field.attname)
    value = getattr(obj, field.attname) if not isinstance(field, MoneyField) else getattr(obj, field.name)
    if value is None:
        return None
    if isinstance(value, Money):
        return str(value.amount)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _load_value(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.DurationField):
        return datetime.timedelta(seconds=value)
    if isinstance(field, models.BinaryField):
        return base64.b64decode(value)
    if isinstance(field, models.FileField):
        return value
    return field.to_python(value)


def _serialise(obj: models.Model, user_names: dict[int, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        value = _dump_value(field, obj)
        if _is_user_fk(field) and value is not None:
            value = user_names[value]
        fields[field.name] = value
    for field in obj._meta.many_to_many:
        if field.remote_field.through._meta.auto_created:
            ids = getattr(obj, field.name).values_list("pk", flat=True)
            if field.remote_field.model is get_user_model():
                fields[field.name] = sorted(user_names[pk] for pk in ids)
            else:
                fields[field.name] = sorted(ids)
    return {"model": obj._meta.label_lower, "pk": obj.pk, "fields": fields}


# --- Export -----------------------------------------------------------------------------------------


def association_export(*, association: Association) -> dict[str, Any]:
    """Everything of one association as a JSON-ready dict (see the module docstring). Reads only.

    Raises `BackupError` if an object of this association refers to another association's object,
    which the app never allows: such a file could not be imported faithfully.
    """
    paths = association_paths()
    User = get_user_model()
    querysets = {
        model: model._default_manager.filter(**{paths[model]: association}).order_by("pk")
        for model in _insert_order(list(paths))
    }
    # Users: members of the association and everyone an object refers to.
    user_ids = set(association.memberships.values_list("user_id", flat=True))
    rows: dict[type[models.Model], list[models.Model]] = {}
    for model, queryset in querysets.items():
        rows[model] = list(queryset)
        for field in model._meta.concrete_fields:
            if _is_user_fk(field):
                user_ids.update(v for v in (getattr(o, field.attname) for o in rows[model]) if v)
        for field in _user_m2m(model):
            through = field.remote_field.through
            user_ids.update(
                through.objects.filter(**{f"{model._meta.model_name}__in": rows[model]}).values_list(
                    "user_id", flat=True
                )
            )
    users = list(User.objects.filter(pk__in=user_ids).order_by("username"))
    user_names = {user.pk: user.get_username() for user in users}

    exported_pks = {model: {obj.pk for obj in objs} for model, objs in rows.items()}
    exported_pks[Association] = {association.pk}
    objects = []
    for model, objs in rows.items():
        fks = [f for f in _forward_fks(model) if f.remote_field.model in exported_pks]
        for obj in objs:
            for field in fks:
                target = getattr(obj, field.attname)
                if target is not None and target not in exported_pks[field.remote_field.model]:
                    raise BackupError(
                        f"{model._meta.label} {obj.pk}: {field.name} pekar på ett objekt i ett annat förbund."
                    )
            objects.append(_serialise(obj, user_names))

    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "association": _serialise(association, user_names),
        "users": [
            {
                "username": user.get_username(),
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "is_active": user.is_active,
            }
            for user in users
        ],
        "objects": objects,
    }


# --- Import -----------------------------------------------------------------------------------------


def _check_header(data: dict[str, Any]) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"Filen är inte en export av ett samordningsförbund (format {FORMAT!r}).")
    if data.get("version") != VERSION:
        raise BackupError(
            f"Filen har version {data.get('version')!r}; den här versionen av finsam läser version {VERSION}."
        )


def association_import(*, data: dict[str, Any]) -> Association:
    """Create the association of an export file, with new primary keys, in one transaction.

    Side effects: inserts every object of the file; creates the users the file names that do not
    exist (inactive, with an unusable password), and links the others by username.
    Raises `BackupError` if the association's slug exists or the file is not a valid export.
    """
    _check_header(data)
    slug = data["association"]["fields"].get("slug")
    with transaction.atomic():
        if Association.objects.filter(slug=slug).exists():
            raise BackupError(
                f"Förbundet {slug!r} finns redan här; importen görs bara till en ny installation."
            )
        users = _import_users(data.get("users", []))
        id_maps: dict[type[models.Model], dict[int, int]] = defaultdict(dict)
        deferred: list[tuple[type[models.Model], int, str, type[models.Model], int]] = []
        m2m_later: list[tuple[models.Model, models.ManyToManyField, list[int]]] = []

        association = _build(Association, data["association"], id_maps, users, deferred, m2m_later)
        known = {model._meta.label_lower: model for model in backup_models()}
        for entry in data["objects"]:
            model = known.get(entry["model"])
            if model is None:
                raise BackupError(f"Okänd modell i filen: {entry['model']!r}.")
            _build(model, entry, id_maps, users, deferred, m2m_later)

        for model, new_pk, attname, target_model, old_target in deferred:
            if old_target not in id_maps[target_model]:
                raise BackupError(f"{model._meta.label}: hänvisning till ett objekt som saknas i filen.")
            model._default_manager.filter(pk=new_pk).update(**{attname: id_maps[target_model][old_target]})
        for obj, field, old_ids in m2m_later:
            target_model = field.remote_field.model
            if target_model is get_user_model():
                if any(name not in users for name in old_ids):
                    raise BackupError(f"{obj._meta.label}: en användare i {field.name} saknas i filen.")
                getattr(obj, field.name).set([users[name] for name in old_ids])
                continue
            getattr(obj, field.name).set([id_maps[target_model][old] for old in old_ids])
        _remap_frozen_keys(id_maps, association)
        _remap_followup_rows(id_maps)
        # A plan exported as adopted before versions were frozen gets its version of record here.
        for plan in Plan.objects.filter(association=association, state__in=Plan.LOCKED_STATES):
            plan_record_ensure(plan=plan)
        return association


# The keys a submitted version (PlanSnapshot.content) and a comment (Comment.target_key) give the parts of a
# plan: "<prefix>-<database id>[-…]" (plans.snapshots and the parts' freeze). A computed budget row's key is
# "<row kind>-<its group's id>-<label>". With new primary keys the keys must follow, or a version sent to
# the board no longer matches its plan (and cannot be adopted) and comments lose their place.
KEY = re.compile(r"^([a-z-]+?)-(\d+)(-.*)?$")


def _key_models() -> dict[str, type[models.Model]]:
    return {
        "chapter": Chapter,
        "goal": Goal,
        "indicator": Indicator,
        "target-group": TargetGroup,
        "seat": BoardSeat,
        "staff": StaffMember,
        "intervention": Intervention,
        "control": ControlItem,
        "communication": CommunicationItem,
        "activity": ActivityItem,
        "line": BudgetLine,
        "group": BudgetGroup,
    }


def _remap_key(key: str, id_maps) -> str:
    match = KEY.match(key)
    if match is None:
        return key
    prefix, old, rest = match[1], int(match[2]), match[3] or ""
    model = _key_models().get(prefix, BudgetGroup)  # any other prefix is a computed row of a group
    new = id_maps[model].get(old)
    return key if new is None else f"{prefix}-{new}{rest}"


def _remap_content(value, id_maps):
    if isinstance(value, dict):
        return {
            name: _remap_key(item, id_maps)
            if name in ("key", "group_key") and isinstance(item, str)
            else _remap_content(item, id_maps)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [_remap_content(item, id_maps) for item in value]
    return value


def _remap_frozen_keys(id_maps, association: Association) -> None:
    """The keys inside frozen versions and comments follow the new primary keys; a version frozen in an
    older format is brought to today's (`plans.snapshots.upgrade`), with the association's facts."""
    facts = {
        "name": association.name,
        "org_number": association.org_number,
        "area": association.area,
        "website": association.website,
    }
    for new in id_maps[PlanSnapshot].values():
        snapshot = PlanSnapshot.objects.get(pk=new)
        content = _remap_content(upgrade(snapshot.content, association=facts), id_maps)
        if isinstance(content.get("plan"), dict) and content["plan"].get("id") in id_maps[Plan]:
            content["plan"]["id"] = id_maps[Plan][content["plan"]["id"]]
        PlanSnapshot.objects.filter(pk=new).update(content=content)  # frozen: written once, here
    for new in id_maps[Comment].values():
        comment = Comment.objects.get(pk=new)
        key = _remap_key(comment.target_key, id_maps)
        if key != comment.target_key:
            Comment.objects.filter(pk=new).update(target_key=key)


def _remap_followup_rows(id_maps) -> None:
    """A follow-up's rows name interventions and organisations by id (`budgets.followup.row_key`), and so
    does the account mapping of the outcome import."""
    for model in (FollowUpOutcome, FollowUpForecast, OutcomeMapping):
        for new in id_maps[model].values():
            row = model.objects.filter(pk=new).values_list("row", flat=True).get()
            key = row_key_remapped(
                row, interventions=id_maps[Intervention], organisations=id_maps[Organisation]
            )
            if key != row:
                model.objects.filter(pk=new).update(row=key)


def _import_users(entries: list[dict[str, Any]]) -> dict[str, Any]:
    User = get_user_model()
    users = {}
    for entry in entries:
        username = entry["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=entry.get("first_name", ""),
                last_name=entry.get("last_name", ""),
                email=entry.get("email", ""),
                is_active=False,
            )
            user.set_unusable_password()
            user.save()
        users[username] = user
    return users


def _build(model, entry, id_maps, users, deferred, m2m_later) -> models.Model:
    """Insert one object of the file, its foreign keys mapped to the new primary keys."""
    values: dict[str, Any] = {}
    later: list[tuple[str, type[models.Model], int]] = []
    fields = entry["fields"]
    currency_fields = {
        field.name: field for field in model._meta.concrete_fields if isinstance(field, CurrencyField)
    }
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name not in fields:
            continue
        value = fields[field.name]
        if isinstance(field, models.ForeignKey):
            target = field.remote_field.model
            if value is None:
                values[field.attname] = None
            elif _is_user_fk(field):
                if value not in users:
                    raise BackupError(f"{model._meta.label}: användaren {value!r} saknas i filen.")
                values[field.attname] = users[value].pk
            elif target is model or value not in id_maps[target]:
                if not field.null:
                    raise BackupError(f"{model._meta.label}: {field.name} pekar på ett objekt som saknas.")
                values[field.attname] = None
                later.append((field.attname, target, value))
            else:
                values[field.attname] = id_maps[target][value]
        elif isinstance(field, MoneyField):
            currency = fields.get(field._currency_field.name) if hasattr(field, "_currency_field") else None
            values[field.name] = None if value is None else Money(decimal.Decimal(value), currency or "SEK")
        elif field.name in currency_fields:
            values[field.attname] = value
        else:
            values[field.attname] = _load_value(field, value)
    obj = model(**values)
    # raw=True keeps the stored timestamps (auto_now) and tells signal receivers that this is a load.
    obj.save_base(raw=True, force_insert=True)
    id_maps[model][entry["pk"]] = obj.pk
    for attname, target, old in later:
        deferred.append((model, obj.pk, attname, target, old))
    for field in model._meta.many_to_many:
        if field.name in fields and field.remote_field.through._meta.auto_created:
            m2m_later.append((obj, field, fields[field.name]))
    return obj
