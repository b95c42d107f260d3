"""Load the demo associations from `finsam/site/demo/data/*.json` (the format is described in FORMAT.md).

Each file becomes one complete association: organisations, board, staff, one adopted plan with its
chapters, goals, interventions and budget, the figures the document prints (`StatedFigure`), and one
demo user per role. Loading is idempotent: an association whose slug exists already is left exactly as
it is, so that edits made in the app survive a second `load_demo`; `reset=True` deletes the demo
associations (and their demo users) first and loads them afresh.

Everything here writes to the database, always inside one `transaction.atomic()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from finsam.models import Association, BoardSeat, Membership
from finsam.site.demo.association import AssociationLoader
from finsam.site.demo.reading import DemoDataError, demo_files, read_demo_file
from interventions.models import Intervention
from plans.models import (
    Plan,
)
from plans.review import plan_record_ensure

DEMO_PASSWORD = "finsam-demo"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "finsam-admin"

# Username prefix per role, in the order the logins table lists them.
DEMO_ROLES: list[tuple[str, Membership.Role]] = [
    ("chef", Membership.Role.CHIEF),
    ("ordforande", Membership.Role.CHAIR),
    ("ledamot", Membership.Role.BOARD),
    ("lasare", Membership.Role.READER),
]

# Invented people for the demo accounts (deliberately not the real board members the documents name).
DEMO_PEOPLE: dict[str, dict[str, tuple[str, str]]] = {
    "gavleborg": {
        "chief": ("Helena", "Strand"),
        "chair": ("Mats", "Ekholm"),
        "board": ("Linnea", "Sjöberg"),
        "reader": ("Oskar", "Dahl"),
    },
    "ornskoldsvik": {
        "chief": ("Karin", "Lundberg"),
        "chair": ("Lars", "Nordin"),
        "board": ("Sofia", "Wikström"),
        "reader": ("Per", "Holmgren"),
    },
    "ostra-varmland": {
        "chief": ("Annika", "Berglund"),
        "chair": ("Göran", "Fors"),
        "board": ("Maria", "Lind"),
        "reader": ("Jonas", "Ek"),
    },
}
FALLBACK_PEOPLE: dict[str, tuple[str, str]] = {
    "chief": ("Demo", "Förbundschef"),
    "chair": ("Demo", "Ordförande"),
    "board": ("Demo", "Ledamot"),
    "reader": ("Demo", "Läsare"),
}

CREATED = "skapad"
EXISTS = "finns redan"
RESET = "återställd"


@dataclass
class LoadReport:
    """What loading one demo file did."""

    slug: str
    name: str
    status: str  # CREATED | EXISTS | RESET
    counts: dict[str, int]
    users_created: int = 0

    def message(self) -> str:
        text = f"{self.name} ({self.slug}): {self.status}"
        if self.status != EXISTS:
            parts = [f"{label}: {count}" for label, count in self.counts.items()]
            text += " – " + ", ".join(parts)
        if self.users_created:
            text += f"; {self.users_created} demoanvändare skapade"
        return text


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    association: str


# --- loading -------------------------------------------------------------------------------------------


@dataclass
class DemoLoad:
    reports: list[LoadReport]
    admin_created: bool


def load_demo(*, reset: bool = False, paths: list[Path] | None = None) -> DemoLoad:
    """Load every demo file (or `paths`) in one transaction and make sure the admin user exists.

    Side effects: creates associations, their plans and demo users, and the superuser `admin` if absent;
    with `reset`, first deletes the associations whose slugs the files use, and their demo users.
    """
    with transaction.atomic():
        reports = [
            load_association(read_demo_file(path), reset=reset, source=path.name)
            for path in paths or demo_files()
        ]
        return DemoLoad(reports=reports, admin_created=ensure_admin())


def load_association(data: dict[str, Any], *, reset: bool = False, source: str = "") -> LoadReport:
    """Load one demo file's data as one association (see the module docstring)."""
    slug = data["slug"]
    with transaction.atomic():
        existing = Association.objects.filter(slug=slug).first()
        if existing and not reset:
            return LoadReport(slug, existing.name, EXISTS, {})
        if reset:
            if existing:
                delete_association(existing)
            delete_demo_users(slug)
        loader = AssociationLoader(data, source=source or slug)
        try:
            association = loader.load()
        except ValidationError as error:
            raise DemoDataError(f"{loader.source}: {error}") from error
        # A plan loaded as adopted gets its version of record and its archive now, as the board adopted it.
        for plan in association.plans.filter(state__in=Plan.LOCKED_STATES):
            plan_record_ensure(plan=plan)
        users_created = ensure_demo_users(association)
        return LoadReport(
            slug,
            association.name,
            RESET if existing else CREATED,
            loader.counts(),
            users_created=users_created,
        )


def delete_association(association: Association) -> None:
    """Delete an association and everything in it.

    The models protect organisations (board seats, intervention owners), interventions (plan links) and
    revised plans from a plain cascade, so the parts go in an order where nothing is still referenced.
    """
    with transaction.atomic():
        # Newest revisions first: a revised plan is protected while a revision (or a report) refers to it.
        # (Anything left over makes `association.delete()` raise ProtectedError instead of looping.)
        while (
            newest := Plan.objects.filter(
                association=association, revisions__isnull=True, reports__isnull=True
            )
        ).exists():
            newest.delete()
        Intervention.objects.filter(association=association).delete()
        BoardSeat.objects.filter(association=association).delete()
        association.delete()


def demo_usernames(slug: str) -> list[str]:
    return [f"{prefix}.{slug}" for prefix, _role in DEMO_ROLES]


def delete_demo_users(slug: str) -> None:
    get_user_model().objects.filter(username__in=demo_usernames(slug)).delete()


def ensure_demo_users(association: Association) -> int:
    """Create the association's demo users that do not exist yet; an existing user of that name is not
    changed, only given its role in the association if it has none there.

    Returns how many users were created.
    """
    User = get_user_model()
    people = DEMO_PEOPLE.get(association.slug, FALLBACK_PEOPLE)
    created = 0
    for prefix, role in DEMO_ROLES:
        username = f"{prefix}.{association.slug}"
        user = User.objects.filter(username=username).first()
        if user is not None:
            Membership.objects.get_or_create(user=user, association=association, defaults={"role": role})
            continue
        first_name, last_name = people[role.value]
        user = User.objects.create_user(
            username=username,
            email=f"{username}@example.se",
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
        )
        Membership.objects.create(user=user, association=association, role=role)
        created += 1
    return created


def ensure_admin() -> bool:
    """Create the superuser `admin` unless a user of that name exists. Returns whether it was created."""
    User = get_user_model()
    if User.objects.filter(username=ADMIN_USERNAME).exists():
        return False
    User.objects.create_superuser(
        username=ADMIN_USERNAME,
        email=f"{ADMIN_USERNAME}@example.se",
        password=ADMIN_PASSWORD,
        first_name="Demo",
        last_name="Administratör",
    )
    return True


# --- logins --------------------------------------------------------------------------------------------


def demo_logins(paths: list[Path] | None = None) -> list[DemoLogin]:
    """The demo accounts the files give, without touching the database (the README shows them too)."""
    logins = [DemoLogin(ADMIN_USERNAME, ADMIN_PASSWORD, "Administratör (superuser)", "alla")]
    for path in paths or demo_files():
        data = read_demo_file(path)
        for prefix, role in DEMO_ROLES:
            logins.append(
                DemoLogin(
                    f"{prefix}.{data['slug']}", DEMO_PASSWORD, str(role.label), data["association"]["name"]
                )
            )
    return logins


def logins_table(logins: list[DemoLogin]) -> str:
    """The logins as a Markdown table, padded so that it also reads well in a terminal."""
    header = ("Användarnamn", "Lösenord", "Roll", "Förbund")
    rows = [header] + [(login.username, login.password, login.role, login.association) for login in logins]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]

    def render(row) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (width + 2) for width in widths) + "|"
    return "\n".join([render(header), separator, *(render(row) for row in rows[1:])])
