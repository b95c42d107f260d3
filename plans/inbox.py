"""What waits for a person, per association they belong to: the start page and the counts in the navigation.

For the board (the chair and the members): the versions waiting for their stance and the unresolved
comment threads they are in. For the chief: the plans under way (their error-level checks, what is left
before sending them to the board, the stances received on the version sent) and the comment threads that
wait for an answer. For readers: the adopted plans. Every association's calendar (`finsam.calendar`).

Every query is scoped by the user's memberships, each role's part to the associations where the user has
that role, and is one query for all the associations: the page's queries do not grow with plans, comments
or associations; only the checks of each plan under way (a handful) cost their own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from finsam.calendar import Calendar, calendars
from finsam.models import Association, Membership
from plans.checks import ERROR, Finding, finding_links, plan_findings
from plans.models import Comment, Plan, PlanSnapshot, Stance
from plans.versions import with_versions

Role = Membership.Role
State = Plan.State
BOARD_ROLES = (Role.CHAIR, Role.BOARD)
# A stance can be taken on a version while the plan is in review or approved (`plans.transitions`).
STANCE_STATES = (State.IN_REVIEW, State.APPROVED)
SENT_STATES = (State.IN_REVIEW, State.APPROVED, State.CHANGES_REQUESTED)
UNDER_WAY_STATES = (State.DRAFT, *SENT_STATES)


def _associations_where(user, roles) -> QuerySet:
    """The ids of the associations where `user` has one of `roles` (a subquery)."""
    return Membership.objects.filter(user=user, role__in=roles).values("association_id")


def _latest_snapshot() -> QuerySet[PlanSnapshot]:
    return PlanSnapshot.objects.filter(plan=OuterRef("pk")).order_by("-number")


# --- the board -----------------------------------------------------------------------------------------


def waiting_for_stance(user, associations) -> QuerySet[Plan]:
    """Plans of `associations` (ids, or a subquery of them) in review or approved whose latest version
    has no stance by `user`."""
    return (
        Plan.objects.filter(association_id__in=associations, state__in=STANCE_STATES)
        .annotate(latest_snapshot_id=Subquery(_latest_snapshot().values("pk")[:1]))
        .filter(latest_snapshot_id__isnull=False)
        .exclude(Exists(Stance.objects.filter(user=user, snapshot_id=OuterRef("latest_snapshot_id"))))
    )


def threads_of(user, associations) -> QuerySet[Comment]:
    """Unresolved comment threads (their first comment) on plans of `associations` that `user` started or
    answered."""
    answered = Comment.objects.filter(parent=OuterRef("pk"), author=user)
    return Comment.objects.filter(
        plan__association_id__in=associations, parent__isnull=True, resolved_at__isnull=True
    ).filter(Q(author=user) | Exists(answered))


# --- the chief -----------------------------------------------------------------------------------------


def unanswered_threads(user, associations) -> QuerySet[Comment]:
    """Unresolved comment threads on plans of `associations` whose last message is neither `user`'s nor
    another chief's of the plan's association: they wait for the chief's answer."""
    # The last reply's author (by the replies' own index; an OR with the thread itself scanned every
    # comment of the installation for each thread), else the thread's. 0 for a removed author.
    last_reply_author = (
        Comment.objects.filter(parent=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .annotate(who=Coalesce("author_id", Value(0)))
        .values("who")[:1]
    )
    by_a_chief = Membership.objects.filter(
        user_id=OuterRef("last_author_id"), association_id=OuterRef("plan__association_id"), role=Role.CHIEF
    )
    return (
        Comment.objects.filter(
            plan__association_id__in=associations, parent__isnull=True, resolved_at__isnull=True
        )
        # 0 for a removed author (no user has it), so that the comparisons below are never NULL.
        .annotate(
            last_author_id=Coalesce(
                Subquery(last_reply_author), F("author_id"), Value(0), output_field=IntegerField()
            )
        )
        .exclude(last_author_id=user.pk)
        .exclude(Exists(by_a_chief))
    )


@dataclass
class PlanUnderWay:
    """A plan not yet adopted, as its chief sees it on the start page."""

    plan: Plan
    errors: list[Finding] = field(default_factory=list)
    stances: list[Stance] = field(default_factory=list)  # the latest of each member on the version sent

    @property
    def is_editable(self) -> bool:
        return self.plan.is_editable

    @property
    def error_links(self) -> list[tuple[Finding, list[tuple[str, str]]]]:
        return [(finding, finding_links(self.plan, finding)) for finding in self.errors]


def plans_under_way(associations) -> list[PlanUnderWay]:
    """The plans of `associations` being written or reviewed: for a plan the chief can still change, its
    error-level checks (what is left before it can be sent); for a plan sent, the stances on the version
    sent (each member's latest). Two queries, and each changeable plan's checks."""
    plans = list(
        with_versions(Plan.objects.filter(association_id__in=associations, state__in=UNDER_WAY_STATES))
        .select_related("association")
        .order_by("association__name", "-first_year", "-revision")
    )
    under_way = {plan.pk: PlanUnderWay(plan) for plan in plans}
    sent = [plan.pk for plan in plans if plan.state in SENT_STATES]
    if sent:
        latest = PlanSnapshot.objects.filter(plan=OuterRef("plan_id")).order_by("-number").values("pk")[:1]
        latest_by_user: dict[tuple[int, int | None], Stance] = {}
        for stance in (
            Stance.objects.filter(plan_id__in=sent, snapshot_id=Subquery(latest))
            .select_related("user")
            .order_by("created_at", "id")
        ):
            latest_by_user[(stance.plan_id, stance.user_id)] = stance
        for (plan_id, _user), stance in latest_by_user.items():
            under_way[plan_id].stances.append(stance)
    for plan in plans:
        if plan.is_editable:
            under_way[plan.pk].errors = [f for f in plan_findings(plan) if f.severity == ERROR]
    return list(under_way.values())


# --- the start page ------------------------------------------------------------------------------------


@dataclass
class AssociationInbox:
    """One association's section of the start page, for the user's role there."""

    association: Association
    role: str
    calendar: Calendar
    waiting: list[Plan] = field(default_factory=list)
    threads: list[Comment] = field(default_factory=list)
    unanswered: list[Comment] = field(default_factory=list)
    under_way: list[PlanUnderWay] = field(default_factory=list)
    adopted: list[Plan] = field(default_factory=list)

    @property
    def is_chief(self) -> bool:
        return self.role == Role.CHIEF

    @property
    def is_board(self) -> bool:
        return self.role in BOARD_ROLES

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def _by_association(rows, key) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


def start_page(user, *, today: datetime.date) -> list[AssociationInbox]:
    """A section per association `user` belongs to (by name), with what waits for them there."""
    memberships = list(
        Membership.objects.filter(user=user).select_related("association").order_by("association__name")
    )
    ids_by_role: dict[str, list[int]] = {}
    for membership in memberships:
        ids_by_role.setdefault(membership.role, []).append(membership.association_id)
    board = [pk for role in BOARD_ROLES for pk in ids_by_role.get(role, [])]
    chief = ids_by_role.get(Role.CHIEF, [])
    readers = ids_by_role.get(Role.READER, [])

    waiting: dict[int, list[Plan]] = {}
    threads: dict[int, list[Comment]] = {}
    unanswered: dict[int, list[Comment]] = {}
    under_way: dict[int, list[PlanUnderWay]] = {}
    adopted: dict[int, list[Plan]] = {}
    if board:
        waiting = _by_association(
            with_versions(waiting_for_stance(user, board))
            .select_related("association")
            .order_by("-first_year", "-revision"),
            lambda plan: plan.association_id,
        )
        threads = _by_association(
            threads_of(user, board)
            .select_related("plan__association", "author")
            .order_by("-created_at", "-id"),
            lambda comment: comment.plan.association_id,
        )
    if chief:
        unanswered = _by_association(
            unanswered_threads(user, chief)
            .select_related("plan__association", "author")
            .order_by("created_at", "id"),
            lambda comment: comment.plan.association_id,
        )
        under_way = _by_association(plans_under_way(chief), lambda item: item.plan.association_id)
    if readers:
        adopted = _by_association(
            with_versions(Plan.objects.filter(association_id__in=readers, state=State.ADOPTED))
            .select_related("association")
            .order_by("-first_year", "-revision"),
            lambda plan: plan.association_id,
        )
    dates = calendars([membership.association for membership in memberships], today)
    return [
        AssociationInbox(
            association=membership.association,
            role=membership.role,
            calendar=dates[membership.association_id],
            waiting=waiting.get(membership.association_id, []),
            threads=threads.get(membership.association_id, []),
            unanswered=unanswered.get(membership.association_id, []),
            under_way=under_way.get(membership.association_id, []),
            adopted=adopted.get(membership.association_id, []),
        )
        for membership in memberships
    ]


# --- the counts in the navigation ----------------------------------------------------------------------


def _count(queryset: QuerySet) -> Subquery:
    """`queryset`'s row count as a subquery (COUNT without a GROUP BY: one row)."""
    return Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1])


@dataclass(frozen=True)
class NavCounts:
    to_review: int = 0  # versions waiting for the user's stance, as a board member
    to_answer: int = 0  # comment threads waiting for the user's answer, as the chief


def nav_counts(user) -> NavCounts:
    """What waits for `user` across their associations, in one query."""
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            to_review=_count(waiting_for_stance(user, _associations_where(user, BOARD_ROLES))),
            to_answer=_count(unanswered_threads(user, _associations_where(user, [Role.CHIEF]))),
        )
        .values("to_review", "to_answer")
        .first()
    )
    return NavCounts(**row) if row else NavCounts()
