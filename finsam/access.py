"""Who may see and do what: every lookup goes through the association resolved from the URL.

An object of another association is a 404 (it does not exist for this user); a forbidden action in
one's own association is a 403; anonymous users are sent to the login page.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from finsam.models import Association, Membership

Role = Membership.Role


@dataclass(frozen=True)
class Access:
    association: Association
    role: str

    @property
    def is_chief(self) -> bool:
        return self.role == Role.CHIEF

    @property
    def is_chair(self) -> bool:
        return self.role == Role.CHAIR

    @property
    def is_board(self) -> bool:
        return self.role in (Role.CHAIR, Role.BOARD)

    @property
    def sees_drafts(self) -> bool:
        return self.role in (Role.CHIEF, Role.CHAIR, Role.BOARD)


def resolve_access(user, slug: str) -> Access:
    """The user's access to the association with this slug, or 404 if they have none."""
    if user.is_superuser:
        return Access(get_object_or_404(Association, slug=slug), Role.CHIEF)
    membership = get_object_or_404(
        Membership.objects.select_related("association"), user=user, association__slug=slug
    )
    return Access(membership.association, membership.role)


def association_view(view):
    """Resolve `association` from the URL once per request into `request.access`."""

    @login_required
    @wraps(view)
    def wrapper(request, association: str, *args, **kwargs):
        request.access = resolve_access(request.user, association)
        return view(request, *args, **kwargs)

    return wrapper
