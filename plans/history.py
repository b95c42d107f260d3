"""Recording the plan's history. Every service that changes a plan calls `plan_event_record`."""

from plans.models import Plan, PlanEvent


def plan_event_record(
    *, plan: Plan, user, action: str, summary: str, details: dict | None = None
) -> PlanEvent:
    """Append one event to the plan's history (side effect: one INSERT)."""
    return PlanEvent.objects.create(
        plan=plan,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        summary=summary[:500],
        details=details or {},
    )
