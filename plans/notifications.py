"""E-mail about the review of a plan, through Django's mail framework (console in development, locmem in
tests, SMTP in production; see MAILERS in settings).

Every function here builds one message per recipient (so no one sees the others' addresses) and sends
them when the surrounding transaction commits: a refused or rolled-back action sends nothing. A mail
server that fails is logged and never undoes the action the user took.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation

from finsam.links import absolute_url
from finsam.mail import send_on_commit
from finsam.models import Membership

Role = Membership.Role

SIGNATURE = "\n\n-- \nDet här meddelandet skickades av finsam. Du får det för att du har en roll i förbundet."


def _name(user) -> str:
    if user is None:
        return "Någon"
    return user.get_full_name() or user.get_username()


def _link(plan, view: str = "plan_review") -> str:
    return absolute_url(reverse(view, kwargs={"association": plan.association.slug, "pk": plan.pk}))


def recipients(association, roles=None, *, users=None, exclude=None) -> list:
    """Users of the association with an e-mail address, with one of `roles` (all roles if None) or among
    `users`, except `exclude`, each once, in a stable order."""
    queryset = (
        get_user_model()
        .objects.filter(memberships__association=association, is_active=True)
        .exclude(email="")
    )
    if roles is not None:
        queryset = queryset.filter(memberships__role__in=roles)
    if users is not None:
        queryset = queryset.filter(pk__in=[user.pk for user in users if user is not None])
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return list(queryset.distinct().order_by("pk"))


def _send_on_commit(subject: str, body: str, users: list) -> None:
    messages = [
        EmailMessage(subject=subject, body=body + SIGNATURE, to=[user.email]) for user in users if user.email
    ]
    send_on_commit(messages, what=subject)


def notify_submitted(*, plan, snapshot, by) -> None:
    """Plan submitted for review → the board (chair and board members)."""
    subject = f"{plan.title}: version {snapshot.number} att granska"
    body = (
        f"{_name(by)} har skickat {plan.title} (version {snapshot.number}) till styrelsen för granskning.\n\n"
        f"Läs planen, kommentera och ta ställning här:\n{_link(plan)}\n\n"
        f"Vad som har ändrats sedan förra versionen:\n{_link(plan, 'plan_changes')}"
    )
    _send_on_commit(subject, body, recipients(plan.association, [Role.CHAIR, Role.BOARD], exclude=by))


def notify_withdrawn(*, plan, by, reason: str) -> None:
    """The chief took the plan back from review → the board."""
    subject = f"{plan.title} har tagits tillbaka från granskning"
    body = (
        f"{_name(by)} har tagit tillbaka {plan.title} från granskningen. Planen är ett utkast igen.\n\n"
        f"Skäl: {reason}\n\n{_link(plan)}"
    )
    _send_on_commit(subject, body, recipients(plan.association, [Role.CHAIR, Role.BOARD], exclude=by))


def notify_comment(*, comment) -> None:
    """A comment or reply → the chief, and everyone who wrote in the same thread."""
    plan = comment.plan
    root = comment.parent or comment
    participants = [root.author, *(reply.author for reply in root.replies.all())]
    users = recipients(plan.association, [Role.CHIEF], exclude=comment.author)
    users += [
        user
        for user in recipients(plan.association, users=participants, exclude=comment.author)
        if user not in users
    ]
    what = "svarat på en kommentar" if comment.parent_id else "kommenterat"
    target = f" ({root.target_label})" if root.target_label else ""
    subject = f"{plan.title}: ny kommentar{target}"
    body = f"{_name(comment.author)} har {what}{target}:\n\n{comment.body}\n\n{_link(plan)}"
    _send_on_commit(subject, body, users)


def notify_stance(*, stance) -> None:
    """A board member approved or asked for changes → the chief."""
    plan = stance.plan
    # The mail is Swedish whatever language the board member's browser shows.
    with translation.override(settings.LANGUAGE_CODE):
        stance_text = stance.get_stance_display().lower()
        state_text = plan.get_state_display().lower()
    subject = f"{plan.title}: {_name(stance.user)} {stance_text}"
    body = (
        f"{_name(stance.user)} har tagit ställning till version {stance.snapshot.number} av {plan.title}: "
        f"{stance_text}.\n"
        + (f"\nKommentar: {stance.comment}\n" if stance.comment else "")
        + f"\nPlanens status är nu: {state_text}.\n\n{_link(plan)}"
    )
    _send_on_commit(subject, body, recipients(plan.association, [Role.CHIEF], exclude=stance.user))


def notify_adopted(*, plan, by) -> None:
    """The board's adoption recorded → everyone in the association."""
    subject = f"{plan.title} är fastställd"
    body = (
        f"Styrelsen fastställde {plan.title} {plan.adopted_on:%Y-%m-%d} {plan.minutes_reference}. "
        f"{_name(by)} har registrerat beslutet i finsam.\n\nDen fastställda planen:\n{_link(plan, 'plan_detail')}"
    )
    _send_on_commit(subject, body, recipients(plan.association))
