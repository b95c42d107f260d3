"""The counts in the navigation ("Att granska 1"): computed when a page shows them, in one query."""

from django.utils.functional import SimpleLazyObject

from plans.inbox import NavCounts, nav_counts


def inbox_counts(request) -> dict:
    """`nav_counts` for a logged-in user, evaluated only when a template reads it (an HTMX partial that
    does not show the navigation costs nothing)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_counts": NavCounts()}
    return {"nav_counts": SimpleLazyObject(lambda: nav_counts(user))}
