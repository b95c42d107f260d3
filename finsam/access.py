"""Who may see and do what: every lookup goes through the association resolved from the URL.

An object of another association is a 404 (it does not exist for this user); a forbidden action in
one's own association is a 403; anonymous users are sent to the login page.
"""

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

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
    def is_intervention_owner(self) -> bool:
        return self.role == Role.INTERVENTION_OWNER

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


def open_to_intervention_owners(view):
    """Mark a view that an insats owner (insatsansvarig) may open; `association_view` refuses them every
    other page of the association (the view itself checks which insatser are theirs)."""
    view.open_to_intervention_owners = True
    return view


def association_view(view):
    """Resolve `association` from the URL once per request into `request.access`. An insats owner gets
    only the views marked `open_to_intervention_owners` (403 elsewhere)."""
    owners_allowed = getattr(view, "open_to_intervention_owners", False)

    @login_required
    @wraps(view)
    def wrapper(request, association: str, *args, **kwargs):
        request.access = resolve_access(request.user, association)
        if request.access.is_intervention_owner and not owners_allowed:
            raise PermissionDenied(_("Som insatsansvarig ser du bara uppföljningen av dina insatser."))
        return view(request, *args, **kwargs)

    return wrapper
