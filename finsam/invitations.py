"""Invitations by e-mail, and removing someone's access.

An invitation is a link with a random token; only its SHA-256 is stored (`Invitation.token_hash`). The link
works once, until `FINSAM_INVITATION_DAYS` have passed. Someone without an account chooses a name and a
password and is logged in; someone who already has an account (the address or user name is theirs) logs in
and just gets the role. Inviting an address again replaces its pending invitation (the old link stops
working). The mail goes out when the transaction commits.

An acceptance sends `finsam.signals.invitation_accepted` inside its transaction: a feature app that
remembers more about an invitation (the insatser an insats owner is invited for, in `interventions`) acts on
it there, without the core importing that app.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from finsam.links import absolute_url
from finsam.mail import send_on_commit
from finsam.models import Association, Invitation, Membership
from finsam.signals import invitation_accepted

Role = Membership.Role


class InvitationError(Exception):
    """The link cannot be used (unknown, used, expired, or meant for someone else); the message says why."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _normalised(email: str) -> str:
    return email.strip().lower()


def existing_user(email: str):
    """The account an address belongs to (its e-mail or its user name), or None."""
    email = _normalised(email)
    return get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).first()


def invitation_create(
    *, association: Association, email: str, role: str, by, request=None, about: str = ""
) -> Invitation:
    """Invite `email` to `role` in `association`; the link is mailed when the transaction commits. `about`,
    when given, is a paragraph of the mail saying what the invitation is for (in Swedish).

    Raises `ValidationError` (on `email`) when the address already has a role in the association. Replaces
    a pending invitation of the same address to the association."""
    email = _normalised(email)
    if association.memberships.filter(
        Q(user__email__iexact=email) | Q(user__username__iexact=email)
    ).exists():
        raise ValidationError({"email": _("%(email)s har redan en roll i förbundet.") % {"email": email}})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        association.invitations.filter(email__iexact=email, accepted_at__isnull=True).delete()
        invitation = Invitation.objects.create(
            association=association,
            email=email,
            role=role,
            token_hash=_hash(token),
            invited_by=by,
            expires_at=timezone.now() + datetime.timedelta(days=settings.FINSAM_INVITATION_DAYS),
        )
        link = absolute_url(reverse("invitation_accept", kwargs={"token": token}), request=request)
        send_on_commit([_message(invitation, link, about=about)], what=f"invitation to {association.slug}")
    return invitation


def _message(invitation: Invitation, link: str, *, about: str = "") -> EmailMessage:
    # The mail is Swedish whatever language the inviting person's browser shows.
    with translation.override(settings.LANGUAGE_CODE):
        role = str(invitation.get_role_display()).lower()
    by = invitation.invited_by
    who = (by.get_full_name() or by.get_username()) if by else "finsam"
    body = (
        f"{who} har bjudit in dig till {invitation.association.name} i finsam, som {role}.\n\n"
        + (f"{about}\n\n" if about else "")
        + f"Följ länken för att välja lösenord och komma in. Länken kan användas en gång och gäller till "
        f"{timezone.localtime(invitation.expires_at):%Y-%m-%d %H:%M}:\n{link}\n\n"
        "Har du redan ett konto i finsam loggar du in med det och får rollen i förbundet.\n\n"
        "Väntade du dig inte inbjudan kan du bortse från det här meddelandet."
    )
    subject = f"Inbjudan till {invitation.association.name} i finsam"
    return EmailMessage(subject=subject, body=body, to=[invitation.email])


def invitation_for_token(token: str, *, lock: bool = False) -> Invitation:
    """The invitation a link's token opens. Raises `InvitationError` for an unknown, used or expired one."""
    queryset = Invitation.objects.select_related("association")
    if lock:
        queryset = queryset.select_for_update()
    invitation = queryset.filter(token_hash=_hash(token)).first()
    if invitation is None:
        raise InvitationError(
            _("Länken gäller inte. Kontrollera att hela adressen kom med, eller be om en ny inbjudan.")
        )
    if invitation.accepted_at is not None:
        raise InvitationError(_("Inbjudan är redan använd. Logga in med ditt konto."))
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_("Inbjudan har gått ut. Be förbundet om en ny."))
    return invitation


def _accept(invitation: Invitation, user) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        user=user, association=invitation.association, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    # Inside the caller's transaction: a receiver's failure undoes the acceptance with its own changes.
    invitation_accepted.send(sender=Invitation, invitation=invitation, membership=membership)
    return membership


def invitation_accept_new(*, token: str, first_name: str, last_name: str, password: str):
    """Someone without an account accepts: the account (user name = the invited address) with its password,
    and the role. Raises `InvitationError` when the link cannot be used or the address has an account."""
    with transaction.atomic():
        invitation = invitation_for_token(token, lock=True)
        if existing_user(invitation.email) is not None:
            raise InvitationError(
                _("Det finns redan ett konto för %(email)s. Logga in med det för att ta emot inbjudan.")
                % {"email": invitation.email}
            )
        user = get_user_model().objects.create_user(
            username=invitation.email,
            email=invitation.email,
            password=password,
            first_name=first_name,
            last_name=last_name,
        )
        _accept(invitation, user)
    return user


def invitation_accept_existing(*, token: str, user) -> Membership:
    """A logged-in user accepts: the role in the association (a role they already have stays as it is).
    Raises `InvitationError` when the link cannot be used or was sent to another address."""
    with transaction.atomic():
        invitation = invitation_for_token(token, lock=True)
        if existing_user(invitation.email) != user:
            raise InvitationError(
                _("Inbjudan skickades till %(email)s. Logga in med det kontot för att ta emot den.")
                % {"email": invitation.email}
            )
        return _accept(invitation, user)


def invitation_revoke(*, invitation: Invitation) -> None:
    """Withdraw a pending invitation: its link stops working."""
    invitation.delete()


def pending_invitations(association: Association):
    return association.invitations.filter(accepted_at__isnull=True, expires_at__gt=timezone.now()).order_by(
        "email"
    )


def _refuse_leaving_without_chief(membership: Membership) -> None:
    """Raise `ValidationError` if `membership` is the association's last chief: someone must be left to keep
    the association (invite the next chief first). Locks the chiefs' rows, so that two chiefs removing
    each other at once cannot both succeed; call inside a transaction."""
    chiefs = list(
        Membership.objects.select_for_update()
        .filter(association_id=membership.association_id, role=Role.CHIEF)
        .values_list("pk", flat=True)
    )
    if membership.role == Role.CHIEF and chiefs == [membership.pk]:
        raise ValidationError(
            _("Förbundet måste ha en förbundschef. Bjud in nästa förbundschef innan du tar bort den sista.")
        )


def membership_remove(*, membership: Membership) -> None:
    """Remove someone's role in the association (never the last chief's: `ValidationError`)."""
    with transaction.atomic():
        _refuse_leaving_without_chief(membership)
        membership.delete()


def membership_set_role(*, membership: Membership, role: str) -> Membership:
    """Give someone another role in the association (the last chief stays chief: `ValidationError`)."""
    if role == membership.role:
        return membership
    with transaction.atomic():
        _refuse_leaving_without_chief(membership)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership
