"""The national installation for `make bench-national`: 82 associations and 1 000 users.

Sizes run from a small association (5 interventions, 10 budget lines over 3 years) to the largest plan of
`make bench` (40 interventions, 60 lines over 6 years). Each association has two chiefs (the chief and a
colleague with the chief's rights, so that two people can edit the same plan and meet in a conflict) and
a board of 4 to 15 (a chair and board members, more in the larger associations): 164 chiefs and 836
board members. Each has one draft plan for the next year, sent to the board once (version 1) and taken
back, so that "what changed" compares version 1 with the plan as the chiefs are changing it.

The users log in by a session created here (as `django.test.Client.force_login` does), not through the
login form: 1 000 logins from 127.0.0.1 are not what is measured, and login throttling (django-axes)
keys on the address.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from finsam.models import Association, Membership
from finsam.site.benchmark.synthetic import analyze, build_association
from plans.models import Plan
from plans.review import plan_submit, plan_withdraw

PREFIX = "nat-"
ASSOCIATIONS = 82
USERS = 1000
CHIEFS_PER_ASSOCIATION = 2
# The smallest and the largest association: (interventions, budget lines, years of the draft).
SMALLEST = (5, 10, 3)
LARGEST = (40, 60, 6)


@dataclass
class Member:
    """One simulated user: who, in which role, and the paths of the pages this user works with."""

    username: str
    role: str  # "chief" or "board" (the chair reads as the board does)
    association: str
    paths: dict[str, str]
    chapters: list[str] = field(default_factory=list)  # a chief's chapter edit paths
    session_key: str = ""


def association_size(index: int, count: int = ASSOCIATIONS) -> tuple[int, int, int]:
    """(interventions, budget lines, years) of the association at `index`, evenly from small to large."""
    fraction = index / max(1, count - 1)
    return tuple(round(low + (high - low) * fraction) for low, high in zip(SMALLEST, LARGEST, strict=True))


def board_sizes(count: int = ASSOCIATIONS, users: int = USERS) -> list[int]:
    """Board members (the chair included) per association, summing to the users left after the chiefs;
    a larger association has a larger board (weights 1 to 2), each at least the chair and one member."""
    seats = users - CHIEFS_PER_ASSOCIATION * count
    weights = [1 + index / max(1, count - 1) for index in range(count)]
    shares = [seats * weight / sum(weights) for weight in weights]
    sizes = [max(2, int(share)) for share in shares]
    # Largest remainders get the seats left over by rounding down.
    by_remainder = sorted(range(count), key=lambda index: shares[index] - int(shares[index]), reverse=True)
    for index in by_remainder[: seats - sum(sizes)]:
        sizes[index] += 1
    return sizes


def build(*, count: int = ASSOCIATIONS, users: int = USERS, seed: int = 2027) -> list[Member]:
    """Create the national installation unless it exists; return its members with their paths."""
    if not Association.objects.filter(slug=f"{PREFIX}00").exists():
        rng = random.Random(seed)
        boards = board_sizes(count, users)
        with transaction.atomic():
            for index in range(count):
                interventions, lines, years = association_size(index, count)
                association = build_association(
                    index, rng, 1, interventions, lines, prefix=PREFIX, label="Riket", draft_years=years
                )
                add_people(association, board=boards[index])
        for association in Association.objects.filter(slug__startswith=PREFIX):
            send_and_take_back(association)
        analyze()
    return members()


def add_people(association: Association, *, board: int) -> None:
    """A second chief and board members beyond the chair and the member `build_association` made."""
    User = get_user_model()
    slug = association.slug
    extra = [(f"ekonom.{slug}", Membership.Role.CHIEF)]
    extra += [(f"ledamot{n}.{slug}", Membership.Role.BOARD) for n in range(2, board)]
    created = User.objects.bulk_create(
        [User(username=username, email=f"{username}@example.se", password="!") for username, _ in extra]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, association=association, role=role)
            for user, (_, role) in zip(created, extra, strict=True)
        ]
    )


def send_and_take_back(association: Association) -> None:
    """Version 1 goes to the board and comes back as a draft: "what changed" has a version to start from."""
    plan = association.plans.get()
    chief = get_user_model().objects.get(username=f"chef.{association.slug}")
    plan_submit(plan=plan, by=chief, notify=False)
    plan.refresh_from_db()
    plan_withdraw(plan=plan, by=chief, reason="Nationell benchmark: planen arbetas vidare med.")


def members() -> list[Member]:
    """Every user of the national installation with the paths of the pages that user works with."""
    plans = {
        plan.association.slug: plan
        for plan in Plan.objects.filter(association__slug__startswith=PREFIX).select_related("association")
    }
    chapter_paths = {slug: [] for slug in plans}
    for slug, plan in plans.items():
        for chapter in plan.chapters.filter(kind="text").order_by("position"):
            chapter_paths[slug].append(
                reverse(
                    "plan_part_edit",
                    kwargs={"association": slug, "pk": plan.pk, "kind": "chapter", "item": chapter.pk},
                )
            )
    result = []
    memberships = (
        Membership.objects.filter(association__slug__startswith=PREFIX)
        .select_related("user", "association")
        .order_by("association__slug", "user__username")
    )
    for membership in memberships:
        slug = membership.association.slug
        plan_kwargs = {"association": slug, "pk": plans[slug].pk}
        chief = membership.role == Membership.Role.CHIEF
        result.append(
            Member(
                username=membership.user.username,
                role="chief" if chief else "board",
                association=slug,
                paths={
                    name: reverse(f"plan_{name}", kwargs=plan_kwargs)
                    for name in ("budget_grid", "review", "changes", "pdf")
                },
                chapters=chapter_paths[slug] if chief else [],
            )
        )
    return result


def log_in(members_: list[Member]) -> None:
    """A session for each member, as a login would create it (django.test.Client.force_login's way)."""
    engine = import_module(settings.SESSION_ENGINE)
    users = get_user_model().objects.in_bulk([m.username for m in members_], field_name="username")
    backend = "django.contrib.auth.backends.ModelBackend"
    # A thousand lines of "login" from the security log and from django-axes would bury the report.
    logging.disable(logging.INFO)
    try:
        for member in members_:
            request = HttpRequest()
            request.session = engine.SessionStore()
            login(request, users[member.username], backend)
            request.session.save()
            member.session_key = request.session.session_key
    finally:
        logging.disable(logging.NOTSET)
