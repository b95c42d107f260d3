"""The one door for every change to a plan: lock, refuse, record, move the last-changed date.

Every write to a plan or to anything that belongs to it (its parts, budget, cells, contributions, the
interventions it lists, an import) runs inside `plan_change(plan, by=...)`::

    with plan_change(plan, by=user) as change:
        ...  # the writes
        change.record(PlanEvent.Action.EDITED, summary, details)

Everything runs in one transaction. A plan that cannot be edited (anything but a draft or a plan whose
changes were requested) is refused with `PlanLocked`, one exception with one Swedish message, answered as
403: at once when the plan as read says so, and in any case at the end, by one conditional UPDATE that
locks the plan's row, checks its state as it is now and moves its last-changed date; a refusal there rolls
the whole change back. Then the recorded events are written to the plan's history. On an exception
nothing is written at all.

A revised budget (`Plan.budget_only`) is a draft whose text parts and settings stay as adopted: the
editor's services pass `text=True` and are refused with `PlanBudgetOnly`; the budget's do not.

Lifecycle steps (submit, withdraw, stance, adopt, revise, roll over, comment, render) are not content
edits: they pass `lifecycle=<action>`, which locks the row and reads its current state without refusing
(the step checks its own rule, `plans.transitions`), and move the state with `change.advance(...)`.

This module is the only place that checks whether a plan may change, writes its history and moves its
last-changed date.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import Plan, PlanEvent

EDITABLE_STATES = (Plan.State.DRAFT, Plan.State.CHANGES_REQUESTED)


class PlanLocked(PermissionDenied):
    """The plan's state does not allow its content to change (answered as 403)."""

    def __init__(self, plan: Plan):
        super().__init__(
            _("Planen kan inte ändras när den har status ”%(state)s”.") % {"state": plan.get_state_display()}
        )
        self.plan = plan


def plan_is_followed(plan: Plan) -> bool:
    """Whether the plan is its year's adopted plan: the version whose year is followed up, shown, exported
    and reported on (not a draft, not a version a revised budget superseded, not a report)."""
    return plan.state == Plan.State.ADOPTED and plan.kind == Plan.Kind.PLAN


def followup_refusal(plan: Plan) -> str | None:
    """The rule for the year's follow-up (outcome, forecast, goal and insats reports), written beside the
    plan and never into it: only the association's adopted plan of the year takes it (not a draft, not a
    version a revised budget superseded, not a report on the plan), and only until the board adopts the
    year's annual report, which closes the year. None when the follow-up is open, else why it is not.
    The follow-up's writes check it under the plan's row lock, as lifecycle steps of `plan_change`."""
    if plan.state != Plan.State.ADOPTED or plan.kind != Plan.Kind.PLAN:
        return _(
            "Uppföljningen skrivs för den fastställda planen, inte för ett utkast eller en äldre version."
        )
    closed = Plan.objects.filter(
        association_id=plan.association_id,
        first_year=plan.first_year,
        kind=Plan.Kind.ANNUAL_REPORT,
        state__in=Plan.LOCKED_STATES,
    ).exists()
    if closed:
        return _("Årets uppföljning är avslutad: styrelsen har fastställt årsredovisningen för %(year)s.") % {
            "year": plan.first_year
        }
    return None


def plan_takes_followup(plan: Plan) -> bool:
    """Whether the plan's year's follow-up may be written (`followup_refusal`)."""
    return followup_refusal(plan) is None


class PlanBudgetOnly(PermissionDenied):
    """The plan is a revised budget: its text parts and settings cannot change (answered as 403)."""

    def __init__(self, plan: Plan):
        super().__init__(
            _(
                "Den här versionen är en reviderad budget: bara budgeten, medlemsbidragen, insatsernas belopp, "
                "ingående eget kapital och motiveringen till underskott kan ändras. Texter, mål och övriga "
                "inställningar är desamma som i den fastställda planen."
            )
        )
        self.plan = plan


# The settings a revised budget may still change: they belong to its budget (the year's opening equity, known
# once last year's accounts are closed, and the reasons for a deficit the revision leads to).
BUDGET_SETTINGS = frozenset({"opening_equity", "deficit_explanation"})


def settings_change_is_text(fields) -> bool:
    """Whether a change of these plan settings is a text change (`plan_refuse_unless_editable`'s `text`)."""
    return not set(fields) <= BUDGET_SETTINGS


def plan_refuse_unless_editable(plan: Plan, *, text: bool = False) -> None:
    """The rule: only a draft, or a plan whose changes were requested, can change. `PlanLocked` otherwise.

    `text`: the change touches the plan's text parts or settings (chapters, goals, indicators, target
    groups, board seats, control, communication and activity items, title and years: every setting but
    `BUDGET_SETTINGS`, `settings_change_is_text`). A revised budget
    (`Plan.budget_only`) refuses those with `PlanBudgetOnly`; its budget, contributions and insatser
    stay editable. `budget_only` is set once, when the revision is made, so reading it as the plan was
    read is enough."""
    if plan.state not in EDITABLE_STATES:
        raise PlanLocked(plan)
    if text and plan.budget_only:
        raise PlanBudgetOnly(plan)


@dataclass
class PlanChange:
    """A change under way: the locked plan, who changes it, and the history events to write."""

    plan: Plan
    by: object
    events: list[PlanEvent] = field(default_factory=list)

    def record(self, action: str, summary: str, details: dict | None = None, *, plan: Plan | None = None):
        """Add one history event (written when the change succeeds). `plan` for an event on another plan
        that the same step touches (a rollover's source, a superseded plan)."""
        user = self.by if self.by is not None and self.by.is_authenticated else None
        self.events.append(
            PlanEvent(
                plan=plan or self.plan, user=user, action=action, summary=summary[:500], details=details or {}
            )
        )

    def lock_now(self) -> None:
        """Take the plan's row lock at once, for a change that must not interleave with another change of
        the same plan (a delete-and-insert of a whole list); otherwise the lock is taken at the end."""
        list(Plan.objects.select_for_update().filter(pk=self.plan.pk).values_list("pk", flat=True))

    def advance(self, *, state: str, from_states, **fields) -> bool:
        """Move a lifecycle step's plan to `state` (and set `fields`) if it is still in one of `from_states`
        (a conditional UPDATE, so of two steps at once exactly one moves it; False for the other). Bumps the
        plan's version, so an edit opened before the step is stale, and moves its last-changed date."""
        now = timezone.now()
        if not Plan.objects.filter(pk=self.plan.pk, state__in=from_states).update(
            state=state, version=F("version") + 1, updated_at=now, **fields
        ):
            return False
        self.plan.state = state
        self.plan.version += 1
        self.plan.updated_at = now
        for name, value in fields.items():
            setattr(self.plan, name, value)
        return True


def _lock_and_touch(plan: Plan, *, changed: bool) -> None:
    """Lock the row, refuse a plan that cannot change (now), and move its last-changed date if anything
    changed: one statement, at the end of the change, so a concurrent lifecycle step either sees the
    whole change or none of it (the refusal rolls the change back).

    The plan's own version is left alone: a change to one part must not make an open edit of another
    part (or of the settings) look stale."""
    editable = Plan.objects.filter(pk=plan.pk, state__in=EDITABLE_STATES)
    if changed:
        now = timezone.now()
        if editable.update(updated_at=now):
            plan.updated_at = now
            return
    elif editable.exists():
        return
    # Refused: say why with the state it has now (a plan deleted meanwhile counts as superseded).
    plan.state = (
        Plan.objects.filter(pk=plan.pk).values_list("state", flat=True).first() or Plan.State.SUPERSEDED
    )
    raise PlanLocked(plan)


def _lock_for_lifecycle(plan: Plan) -> None:
    """Lock the row and read its current state and version (the step decides what is allowed)."""
    current = Plan.objects.select_for_update().only("state", "version").get(pk=plan.pk)
    plan.state, plan.version = current.state, current.version


@contextmanager
def plan_change(plan: Plan, *, by, lifecycle: str | None = None, text: bool = False) -> Iterator[PlanChange]:
    """Run a change to `plan` through the gateway (see the module's doc). Side effects: the writes of the
    block, then one locking UPDATE (content; a read when nothing was recorded) or, first, one SELECT … FOR
    UPDATE (lifecycle), and one INSERT of the recorded events. `text`: a change of the plan's text parts
    or settings, refused on a revised budget (`plan_refuse_unless_editable`)."""
    if lifecycle is None:
        plan_refuse_unless_editable(plan, text=text)  # at once, as the plan was read (no query)
    with transaction.atomic():
        if lifecycle is not None:
            _lock_for_lifecycle(plan)
        change = PlanChange(plan=plan, by=by)
        yield change
        if lifecycle is None:
            _lock_and_touch(plan, changed=bool(change.events))
        if change.events:
            PlanEvent.objects.bulk_create(change.events)


def plans_record_outside_change(plans: list[Plan], *, by, action: str, summary: str, details: dict) -> None:
    """A change made outside the plans that shows in them (an intervention of the association they list):
    one history event on each plan, and their last-changed dates move. Nothing is refused here: the
    caller's own rules say what may change under an adopted plan (`interventions.services`)."""
    if not plans:
        return
    change = PlanChange(plan=plans[0], by=by)
    for plan in plans:
        change.record(action, summary, details, plan=plan)
    with transaction.atomic():
        Plan.objects.filter(pk__in=[plan.pk for plan in plans]).update(updated_at=timezone.now())
        PlanEvent.objects.bulk_create(change.events)


def plan_event_record(*, plan: Plan, user, action: str, summary: str, details: dict | None = None):
    """One history event outside a change of the plan (a PDF rendered by the worker, with no user)."""
    with plan_change(plan, by=user, lifecycle=action) as change:
        change.record(action, summary, details)
    return change.events[0]
