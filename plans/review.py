"""The review of a plan by the board, its adoption and its revision; comments on its parts.

Every function checks who may do what in `plans.transitions` (or the comment rules below) itself, so a
view cannot forget it; runs through the plan's write gateway as a lifecycle step (`plans.gateway`: one
transaction, the plan's row locked, the PlanEvent recorded); and sends its e-mail on commit. State
changes are conditional updates (`UPDATE ... WHERE state IN (...)`): of two people acting on the same
plan at once, exactly one succeeds and the other gets `StateConflict`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from finsam.models import Membership
from plans import notifications
from plans.checks import plan_findings
from plans.copying import plan_copy
from plans.document import record_content
from plans.gateway import PlanChange, plan_change
from plans.models import Comment, Plan, PlanEvent, PlanSnapshot, Stance
from plans.parts import parts_of
from plans.pdf import plan_pdf_archive
from plans.queries import plan_document
from plans.snapshots import same_document, snapshot_content
from plans.transitions import TRANSITIONS, transition_check, user_role
from plans.versions import next_number, version_label

State = Plan.State
Role = Membership.Role
MINUTES_REFERENCE_MAX = Plan._meta.get_field("minutes_reference").max_length


class ReviewError(Exception):
    """Input the action cannot take (shown next to `field`, or above the form)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StateConflict(ReviewError):
    """Someone changed the plan's state in between; nothing was done (answered as 409)."""


def _advance(change: PlanChange, *, action: str, **fields) -> None:
    """Move the plan along `action`'s transition if it is still in one of its source states."""
    transition = TRANSITIONS[action]
    if not change.advance(state=transition.target, from_states=transition.sources, **fields):
        raise StateConflict(_("Någon annan har just ändrat planens status. Ladda om sidan."))


def frozen_version(plan: Plan) -> dict:
    """What a new version stores: the plan's document (`plans.snapshots`) and its checks as they are now,
    both from one load of the plan and in the document's language."""
    doc = plan_document(plan)
    with translation.override(settings.LANGUAGE_CODE):
        findings = [
            {"severity": finding.severity, "code": finding.code, "message": str(finding.message)}
            for finding in plan_findings(plan, doc)
        ]
    return {"content": snapshot_content(plan, doc), "findings": findings}


def latest_snapshot(plan: Plan) -> PlanSnapshot | None:
    return plan.snapshots.order_by("-number").first()


# --- the workflow ------------------------------------------------------------------------------------


def plan_submit(*, plan: Plan, by, notify: bool = True) -> PlanSnapshot:
    """The chief sends the plan to the board: it is frozen as the next numbered snapshot.

    Side effects: state → in_review, one PlanSnapshot, a "submitted" event, e-mail to the board."""
    transition_check(plan=plan, user=by, action="submit")
    with plan_change(plan, by=by, lifecycle="submit") as change:
        _advance(change, action="submit")
        number = next_number(plan)
        snapshot = PlanSnapshot.objects.create(
            plan=plan, number=number, created_by=by, **frozen_version(plan)
        )
        change.record(
            PlanEvent.Action.SUBMITTED,
            _("Version %(number)s skickad till styrelsen") % {"number": number},
            {"snapshot": number},
        )
        if notify:
            notifications.notify_submitted(plan=plan, snapshot=snapshot, by=by)
    return snapshot


def plan_withdraw(*, plan: Plan, by, reason: str) -> None:
    """The chief takes the plan back from review to draft, saying why; the board is told."""
    transition_check(plan=plan, user=by, action="withdraw")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Skriv varför planen tas tillbaka."), field="reason")
    with plan_change(plan, by=by, lifecycle="withdraw") as change:
        _advance(change, action="withdraw")
        change.record(
            PlanEvent.Action.WITHDRAWN,
            _("Tillbaka till utkast: %(reason)s") % {"reason": reason},
            {"reason": reason},
        )
        notifications.notify_withdrawn(plan=plan, by=by, reason=reason)


def approval_reached(snapshot: PlanSnapshot) -> bool:
    """The approval rule (see plans.transitions): among the latest stance of each board member on this
    snapshot, at least one approves and none asks for changes."""
    latest: dict[int | None, str] = {}
    for user_id, stance in snapshot.stances.order_by("created_at", "id").values_list("user_id", "stance"):
        latest[user_id] = stance
    return Stance.Kind.APPROVE in latest.values() and Stance.Kind.CHANGES_REQUESTED not in latest.values()


def plan_stance_record(*, plan: Plan, by, stance: str, comment: str = "", notify: bool = True) -> Stance:
    """A board member approves the version under review or asks for changes (with a comment).

    Side effects: one Stance; state → changes_requested, or → approved when the approval rule holds;
    a "stance" event; e-mail to the chief (unless `notify` is false: the demo loader mails no one)."""
    action = {Stance.Kind.APPROVE: "approve", Stance.Kind.CHANGES_REQUESTED: "request_changes"}.get(stance)
    if action is None:
        raise ReviewError(_("Välj tillstyrk eller begär ändringar."), field="stance")
    transition_check(plan=plan, user=by, action=action)
    comment = (comment or "").strip()
    if stance == Stance.Kind.CHANGES_REQUESTED and not comment:
        raise ReviewError(_("Skriv vilka ändringar du vill se."), field="comment")
    with plan_change(plan, by=by, lifecycle="stance") as change:
        snapshot = latest_snapshot(plan)
        if snapshot is None:  # in review without a snapshot cannot happen through these services
            raise StateConflict(_("Planen har ingen inskickad version att ta ställning till."))
        record = Stance.objects.create(plan=plan, snapshot=snapshot, user=by, stance=stance, comment=comment)
        if stance == Stance.Kind.CHANGES_REQUESTED:
            _advance(change, action="request_changes")
        elif approval_reached(snapshot):
            _advance(change, action="approve")
        change.record(
            PlanEvent.Action.STANCE,
            f"{record.get_stance_display()} (version {snapshot.number})"
            + (f": {comment}" if comment else ""),
            {"snapshot": snapshot.number, "stance": stance},
        )
        if notify:
            notifications.notify_stance(stance=record)
    return record


def plan_adopt(
    *, plan: Plan, by, adopted_on: datetime.date | None, minutes_reference: str, notify: bool = True
) -> None:
    """The chief or the chair records the board's decision: the meeting's date and the § of its minutes.

    The adopted plan is locked for good. If it is a revision, the version it revises becomes superseded.
    Side effects: state → adopted (and the older version → superseded), events, e-mail to everyone in
    the association (unless `notify` is false), and the archival PDF queued (plans.pdf)."""
    transition_check(plan=plan, user=by, action="adopt")
    minutes_reference = (minutes_reference or "").strip()
    if adopted_on is None:
        raise ReviewError(_("Ange datum för styrelsens beslut."), field="adopted_on")
    if adopted_on > timezone.localdate():
        raise ReviewError(_("Beslutsdatumet kan inte ligga i framtiden."), field="adopted_on")
    if not minutes_reference:
        raise ReviewError(_("Ange paragrafen i protokollet, till exempel §39."), field="minutes_reference")
    if len(minutes_reference) > MINUTES_REFERENCE_MAX:
        raise ReviewError(
            _("Högst %(max)s tecken.") % {"max": MINUTES_REFERENCE_MAX}, field="minutes_reference"
        )
    with plan_change(plan, by=by, lifecycle="adopt") as change:
        snapshot = latest_snapshot(plan)
        # The board adopts what it reviewed. Interventions and their grants belong to the association and
        # can be edited while the plan is in review; if that changed the document, it must be sent again.
        if snapshot is None or not same_document(snapshot.content, snapshot_content(plan)):
            if plan.is_report:  # it shows the follow-up, which went on after the report was sent
                raise ReviewError(
                    _(
                        "Uppföljningen har ändrats sedan version %(number)s skickades till styrelsen. "
                        "Skicka rapporten till styrelsen igen, så att styrelsen fastställer det den har sett."
                    )
                    % {"number": snapshot.number if snapshot else 0}
                )
            raise ReviewError(
                _(
                    "Planen har ändrats sedan version %(number)s skickades till styrelsen "
                    "(till exempel en insats eller ett beviljat belopp). Skicka den till styrelsen igen."
                )
                % {"number": snapshot.number if snapshot else 0}
            )
        _advance(change, action="adopt", adopted_on=adopted_on, minutes_reference=minutes_reference)
        change.record(
            PlanEvent.Action.ADOPTED,
            _("Fastställd av styrelsen %(date)s %(reference)s (version %(number)s)")
            % {"date": adopted_on.isoformat(), "reference": minutes_reference, "number": snapshot.number},
            {
                "adopted_on": adopted_on.isoformat(),
                "minutes_reference": minutes_reference,
                "snapshot": snapshot.number,
            },
        )
        older = plan.revision_of
        if older is not None:
            with plan_change(older, by=by, lifecycle="supersede") as superseding:
                if superseding.advance(state=State.SUPERSEDED, from_states={State.ADOPTED}):
                    superseding.record(
                        PlanEvent.Action.REVISED,
                        _("Ersatt av version %(revision)s, fastställd %(date)s %(reference)s")
                        % {
                            "revision": snapshot.number,
                            "date": adopted_on.isoformat(),
                            "reference": minutes_reference,
                        },
                        {"superseded_by": plan.pk},
                    )
        if notify:
            notifications.notify_adopted(plan=plan, by=by)
        # The archival PDF/A is queued in this transaction: the task only runs if the adoption commits.
        plan_pdf_archive(plan=plan, by=by)


def plan_record_ensure(*, plan: Plan, by=None) -> PlanSnapshot | None:
    """A plan loaded or imported as already adopted (or superseded) gets its version of record at once:
    the plan as loaded, frozen as version 1, and its archival PDF/A queued. Nothing for a plan that has
    a frozen version already, or that is not adopted. Returns the version of record."""
    if not plan.is_locked:
        return None
    with plan_change(plan, by=by, lifecycle="record") as change:
        snapshot = latest_snapshot(plan)
        if snapshot is None:
            snapshot = PlanSnapshot.objects.create(plan=plan, number=1, created_by=by, **frozen_version(plan))
            change.record(
                PlanEvent.Action.RECORDED,
                _("Den fastställda planen sparad som version 1"),
                {"snapshot": 1},
            )
        plan_pdf_archive(plan=plan, by=by)
    return snapshot


def plan_revise(*, plan: Plan, by, budget_only: bool = False) -> Plan:
    """A new draft revision of an adopted plan: a full copy with revision + 1 and `revision_of` set.
    `budget_only`: a revised budget during the year (omdisponering, tilläggsbudget), whose text parts and
    settings stay as adopted (`plans.gateway`); the chief or the chair starts it.

    The adopted plan is left exactly as it is; adopting the revision later supersedes it.
    Side effects: a new plan with copies of every part of the old one, a "revised" event on both."""
    transition_check(plan=plan, user=by, action="revise_budget" if budget_only else "revise")
    with plan_change(plan, by=by, lifecycle="revise") as change:
        newer = (
            Plan.objects.filter(
                association=plan.association,
                first_year=plan.first_year,
                revision__gt=plan.revision,
                kind=Plan.Kind.PLAN,
            )
            .order_by("-revision")
            .first()
        )
        if newer is not None:
            raise ReviewError(
                _("Det finns redan en nyare version av planen (%(version)s).")
                % {"version": version_label(newer)}
            )
        revision = plan_copy(
            plan, rollover=False, revision=plan.revision + 1, revision_of=plan, budget_only=budget_only
        )
        label = version_label(revision)
        if budget_only:
            about_new = _("Reviderad budget för den fastställda planen, %(version)s") % {"version": label}
            about_old = _("Reviderad budget påbörjad, %(version)s") % {"version": label}
        else:
            about_new = _("Ny version av den fastställda planen, %(version)s") % {"version": label}
            about_old = _("Ny version skapad, %(version)s") % {"version": label}
        details = {"budget_only": True} if budget_only else {}
        change.record(PlanEvent.Action.REVISED, about_new, {"revision_of": plan.pk, **details}, plan=revision)
        change.record(PlanEvent.Action.REVISED, about_old, {"revision": revision.pk, **details})
    return revision


def plan_publish(*, plan: Plan, by, public: bool) -> None:
    """The chief or the chair publishes an adopted (or superseded) plan at its open link, or withdraws it.

    Side effects: the plan's `public` choice, one history event. Raises ReviewError for anyone else or a
    plan that is not adopted."""
    if user_role(by, plan.association) not in (Role.CHIEF, Role.CHAIR):
        raise PermissionDenied(_("Bara förbundschefen eller ordföranden kan publicera planen."))
    if not plan.is_locked:
        raise ReviewError(_("Bara en fastställd plan kan publiceras."))
    with plan_change(plan, by=by, lifecycle="publish") as change:
        change.advance(state=plan.state, from_states=Plan.LOCKED_STATES, public=public)
        change.record(
            PlanEvent.Action.PUBLISHED,
            _("Publicerade planen på den öppna länken")
            if public
            else _("Drog tillbaka planen från den öppna länken"),
            {"public": public},
        )


# --- comments ----------------------------------------------------------------------------------------


def comment_allowed(*, plan: Plan, role: str | None) -> bool:
    """The chief and the board comment on any plan they see; readers only on adopted plans, and only
    if the association lets them."""
    if role in (Role.CHIEF, Role.CHAIR, Role.BOARD):
        return True
    return role == Role.READER and plan.association.readers_can_comment and plan.is_locked


def comment_targets(content: dict) -> dict[tuple[str, str], str]:
    """What can be commented on in a version of the plan (its frozen `content`): (target kind, key) →
    label, in document order. The plan, and what each part offers (`PartKind.comment_targets`: its
    chapters and goals, the interventions, the budget's rows)."""
    targets = {(Comment.Target.PLAN, "plan"): content["plan"]["title"]}
    for kind in parts_of(content.get("report", {}).get("kind", Plan.Kind.PLAN)):
        if kind.comment_targets is not None:
            targets |= kind.comment_targets(content)
    return targets


def budget_targets(content: dict) -> list[tuple[str, str]]:
    """(key, label) of every row of the plan's budget table that can be commented on, in table order."""
    return [
        (key, label)
        for (kind, key), label in comment_targets(content).items()
        if kind == Comment.Target.BUDGET_LINE
    ]


def _check_comment_allowed(plan: Plan, by) -> None:
    if not comment_allowed(plan=plan, role=user_role(by, plan.association)):
        raise PermissionDenied(_("Du kan inte kommentera den här planen."))


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ReviewError(_("Skriv en kommentar."), field="body")
    if len(body) > Comment._meta.get_field("body").max_length:
        raise ReviewError(_("Kommentaren är för lång (högst 5 000 tecken)."), field="body")
    return body


def comment_add(
    *, plan: Plan, by, target_kind: str, target_key: str, body: str, notify: bool = True
) -> Comment:
    """Start a comment thread on a part of the plan (tied to the latest submitted version)."""
    _check_comment_allowed(plan, by)
    body = _clean_body(body)
    label = comment_targets(record_content(plan)).get((target_kind, target_key))
    if label is None:
        raise ReviewError(_("Den delen finns inte i planen."), field="target")
    with plan_change(plan, by=by, lifecycle="comment") as change:
        comment = Comment.objects.create(
            plan=plan,
            snapshot=latest_snapshot(plan),
            target_kind=target_kind,
            target_key=target_key,
            target_label=label[:300],
            author=by,
            body=body,
        )
        change.record(
            PlanEvent.Action.COMMENTED,
            f"{label}: {body}",
            {"comment": comment.pk, "target": f"{target_kind}:{target_key}"},
        )
        if notify:
            notifications.notify_comment(comment=comment)
    return comment


def comment_reply(*, comment: Comment, by, body: str) -> Comment:
    """Answer a thread (a reply to a reply joins the same thread)."""
    root = comment.parent or comment
    plan = root.plan
    _check_comment_allowed(plan, by)
    body = _clean_body(body)
    with plan_change(plan, by=by, lifecycle="comment") as change:
        reply = Comment.objects.create(
            plan=plan,
            snapshot=latest_snapshot(plan),
            target_kind=root.target_kind,
            target_key=root.target_key,
            target_label=root.target_label,
            parent=root,
            author=by,
            body=body,
        )
        change.record(
            PlanEvent.Action.COMMENTED,
            _("Svar om %(label)s: %(body)s") % {"label": root.target_label, "body": body},
            {"comment": reply.pk, "parent": root.pk},
        )
        notifications.notify_comment(comment=reply)
    return reply


def comment_resolve(*, comment: Comment, by) -> Comment:
    """The chief marks a thread resolved (it stays readable)."""
    root = comment.parent or comment
    plan = root.plan
    if user_role(by, plan.association) != Role.CHIEF:
        raise PermissionDenied(_("Bara förbundschefen kan markera en kommentar som löst."))
    with plan_change(plan, by=by, lifecycle="comment") as change:
        now = timezone.now()
        if not Comment.objects.filter(pk=root.pk, resolved_at__isnull=True).update(
            resolved_at=now, resolved_by=by
        ):
            return root  # already resolved: nothing to do
        root.resolved_at, root.resolved_by = now, by
        change.record(
            PlanEvent.Action.COMMENTED,
            _("Markerade kommentaren om %(label)s som löst") % {"label": root.target_label},
            {"comment": root.pk, "resolved": True},
        )
    return root
