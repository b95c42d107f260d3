"""Inviting an insats owner (insatsansvarig) from the insats's own page, in one step.

The invitation itself is the core's (`finsam.invitations`: the link, the mail, the acceptance); this module
remembers which insatser it is for (`InterventionInvitation`) and, when the core announces an acceptance
(`finsam.signals.invitation_accepted`, connected in `InterventionsConfig.ready`), makes the person a reporter
of them inside the acceptance's transaction. The core never imports this app: it only sends the signal.

- Someone who already is the association's insats owner is named reporter at once: no invitation.
- Someone with another role in the association is refused: an insats owner's role is its own, and sees
  nothing else of the association (the chief changes the role under Behörigheter first, if that is meant).
- Inviting an address that has a pending insats owner invitation sends a new link for all its insatser
  together (the core replaces the old invitation; its link stops working). A pending invitation to
  another role is not silently replaced: the chief withdraws it first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from finsam import invitations
from finsam.models import Invitation, Membership
from interventions.models import Intervention, InterventionInvitation

Role = Membership.Role


@dataclass(frozen=True)
class OwnerInvited:
    """What inviting did: `invitation` when a link was mailed, `user` when an existing insats owner was
    named reporter at once."""

    email: str
    invitation: Invitation | None = None
    user: object = None


def _pending(association, email: str):
    return association.invitations.filter(
        email__iexact=email, accepted_at__isnull=True, expires_at__gt=timezone.now()
    )


def _mail_paragraph(interventions: list[Intervention]) -> str:
    # The mail is Swedish, as the rest of the invitation's mail (finsam.invitations._message).
    names = ", ".join(f"”{intervention.name}”" for intervention in interventions)
    what = "insatsen" if len(interventions) == 1 else "insatserna"
    return (
        f"Du rapporterar uppföljningen av {what} {names}: deltagare och årsrapport. Som insatsansvarig ser du "
        "bara dina egna insatser i finsam."
    )


def intervention_owner_invite(*, intervention: Intervention, email: str, by, request=None) -> OwnerInvited:
    """Make `email` an insats owner who reports `intervention`.

    A member with the insats owner role is added to the reporters at once. Anyone else of the association
    is refused (`ValidationError` on `email`), as is an address with a pending invitation to another role.
    Otherwise an invitation with the role insatsansvarig is created and mailed (on commit) for this insats
    and those of the address's pending insats owner invitation, which it replaces."""
    association = intervention.association
    email = email.strip().lower()
    membership = (
        association.memberships.select_related("user")
        .filter(Q(user__email__iexact=email) | Q(user__username__iexact=email))
        .first()
    )
    if membership is not None:
        if membership.role != Role.INTERVENTION_OWNER:
            raise ValidationError(
                {
                    "email": _(
                        "%(email)s är redan %(role)s i förbundet. En insatsansvarig har en egen roll som bara "
                        "ser sina insatser: byt personens roll under Behörigheter först om det är meningen."
                    )
                    % {"email": email, "role": membership.get_role_display().lower()}
                }
            )
        intervention.reporters.add(membership.user)
        return OwnerInvited(email=email, user=membership.user)
    with transaction.atomic():
        pending = list(_pending(association, email).select_for_update())
        other_role = next((row for row in pending if row.role != Role.INTERVENTION_OWNER), None)
        if other_role is not None:
            raise ValidationError(
                {
                    "email": _(
                        "%(email)s har redan en inbjudan som %(role)s. Återkalla den under Behörigheter först "
                        "om personen i stället ska bli insatsansvarig."
                    )
                    % {"email": email, "role": other_role.get_role_display().lower()}
                }
            )
        interventions = list(
            association.interventions.filter(
                Q(pk=intervention.pk) | Q(owner_invitations__invitation__in=pending)
            )
            .distinct()
            .order_by("name", "pk")
        )
        invitation = invitations.invitation_create(
            association=association,
            email=email,
            role=Role.INTERVENTION_OWNER,
            by=by,
            request=request,
            about=_mail_paragraph(interventions),
        )
        InterventionInvitation.objects.bulk_create(
            InterventionInvitation(invitation=invitation, intervention=row) for row in interventions
        )
    return OwnerInvited(email=email, invitation=invitation)


def pending_owner_invitations(intervention: Intervention):
    """The pending (unused, unexpired) insats owner invitations for this insats, by address."""
    return (
        intervention.owner_invitations.filter(
            invitation__accepted_at__isnull=True, invitation__expires_at__gt=timezone.now()
        )
        .select_related("invitation")
        .order_by("invitation__email", "pk")
    )


def intervention_owner_invitation_revoke(*, link: InterventionInvitation) -> bool:
    """Take this insats out of a pending invitation. When it was the invitation's only insats the whole
    invitation is withdrawn (its link stops working): returns True then."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=link.invitation_id)
        link.delete()
        if invitation.intervention_links.exists():
            return False
        invitations.invitation_revoke(invitation=invitation)
        return True


def reporters_from_invitation(sender, *, invitation: Invitation, membership: Membership, **kwargs) -> None:
    """Receiver of `finsam.signals.invitation_accepted`: the person who accepted an insats owner invitation
    reports the insatser it was for. Someone who turns out to hold another role in the association (a role
    they already had stays, see `finsam.invitations`) is not named: only insats owners report."""
    if membership.role != Role.INTERVENTION_OWNER:
        return
    for intervention in Intervention.objects.filter(
        owner_invitations__invitation=invitation, association_id=invitation.association_id
    ):
        intervention.reporters.add(membership.user)
