"""Which state changes of a plan are allowed, and for whom: the rules as data, and one function deciding.

The review services call `transition_check` before they change anything, whatever the page showed, so a
forged POST is refused on the server just like a button the page never offered.

The workflow (see also `plans.review`):

    draft ──submit──▶ in_review ──approve──▶ approved ──adopt──▶ adopted ──revise──▶ (a new draft revision)
                                                                         ──revise_budget──▶ (one limited to
                                                                                            the budget)
      ▲                 │   ▲                  │
      │          request_changes              request_changes (a later board member)
      │                 ▼                      ▼
      └──(editable)── changes_requested ◀──────┘        changes_requested ──submit──▶ in_review (new snapshot)

    in_review / approved ──withdraw (chief, with a reason)──▶ draft

Approval rule: a plan is approved when, for its current snapshot, at least one board member's latest
stance is "approve" and no board member's latest stance is "changes requested". A changes request moves
the plan to changes_requested at once, so in practice the first approval of a snapshot approves it.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from finsam.models import Membership
from plans.models import Plan

State = Plan.State
Role = Membership.Role


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


TRANSITIONS: dict[str, Transition] = {
    transition.action: transition
    for transition in (
        Transition(
            "submit",
            _("Skicka till styrelsen"),
            frozenset({State.DRAFT, State.CHANGES_REQUESTED}),
            State.IN_REVIEW,
            frozenset({Role.CHIEF}),
        ),
        Transition(
            "withdraw",
            _("Ta tillbaka till utkast"),
            frozenset({State.IN_REVIEW, State.APPROVED}),
            State.DRAFT,
            frozenset({Role.CHIEF}),
        ),
        Transition(
            "approve",
            _("Tillstyrk"),
            frozenset({State.IN_REVIEW, State.APPROVED}),
            State.APPROVED,
            frozenset({Role.CHAIR, Role.BOARD}),
        ),
        Transition(
            "request_changes",
            _("Begär ändringar"),
            frozenset({State.IN_REVIEW, State.APPROVED}),
            State.CHANGES_REQUESTED,
            frozenset({Role.CHAIR, Role.BOARD}),
        ),
        Transition(
            "adopt",
            _("Registrera fastställande"),
            frozenset({State.APPROVED}),
            State.ADOPTED,
            frozenset({Role.CHIEF, Role.CHAIR}),
        ),
        # Revising leaves the adopted plan as it is and creates a new draft revision of it.
        Transition(
            "revise",
            _("Skapa ny version"),
            frozenset({State.ADOPTED}),
            State.DRAFT,
            frozenset({Role.CHIEF}),
        ),
        # A revised budget during the year (omdisponering, tilläggsbudget): a new draft revision limited to
        # the budget (`Plan.budget_only`), which the chief or the chair can start.
        Transition(
            "revise_budget",
            _("Reviderad budget"),
            frozenset({State.ADOPTED}),
            State.DRAFT,
            frozenset({Role.CHIEF, Role.CHAIR}),
        ),
    )
}


# A new version or a revised budget is made of a plan; a report on it is reviewed and adopted, not revised.
PLAN_ONLY_ACTIONS = {"revise", "revise_budget"}


def _allowed_on(plan: Plan, action: str, role: str | None) -> bool:
    if plan.is_report and action in PLAN_ONLY_ACTIONS:
        return False
    return transition_allowed(action=action, state=plan.state, role=role)


class TransitionNotAllowed(PermissionDenied):
    """This role may not take this action on a plan in this state (answered as 403)."""


def transition_allowed(*, action: str, state: str, role: str | None) -> bool:
    """The one rule: is `action` allowed on a plan in `state` for a user with `role`?

    Unknown actions and users without a role in the plan's association are never allowed."""
    transition = TRANSITIONS.get(action)
    return transition is not None and state in transition.sources and role in transition.roles


def user_role(user, association) -> str | None:
    """The user's role in the association (a superuser acts as its chief), or None."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.CHIEF
    return (
        Membership.objects.filter(user=user, association=association).values_list("role", flat=True).first()
    )


def transition_check(*, plan: Plan, user, action: str) -> Transition:
    """The transition for `action`, or `TransitionNotAllowed` if this user may not take it now."""
    role = user_role(user, plan.association)
    if not _allowed_on(plan, action, role):
        raise TransitionNotAllowed(
            gettext("Det går inte att göra så med en plan som har status ”%(state)s”.")
            % {"state": plan.get_state_display()}
        )
    return TRANSITIONS[action]


def available_transitions(*, plan: Plan, role: str | None) -> list[Transition]:
    """The actions this role can take on the plan now, in workflow order (for the buttons)."""
    return [transition for action, transition in TRANSITIONS.items() if _allowed_on(plan, action, role)]
