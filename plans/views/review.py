"""The board's review of a plan: the review page, its actions, comments, "what changed" and history.

Views parse, call a service in plans.review and render; every state change and permission is decided
there (and in plans.transitions), so a forged POST meets the same rules as a button.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from finsam.access import association_view
from finsam.models import Membership
from plans import review
from plans.access import get_plan, visible_plans
from plans.checks import plan_findings
from plans.diff import snapshot_diff
from plans.document import document_html, shown_document
from plans.models import Comment, Plan, PlanSnapshot, Stance
from plans.queries import plan_document
from plans.snapshots import snapshot_content, upgrade
from plans.transitions import TRANSITIONS, available_transitions, transition_check
from plans.versions import next_number, version_label

Role = Membership.Role

# --- forms ---------------------------------------------------------------------------------------------


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Skäl till att planen tas tillbaka"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=400,
        error_messages={"required": gettext_lazy("Skriv varför planen tas tillbaka.")},
    )


class StanceForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("Kommentar till ditt ställningstagande"),
        help_text=gettext_lazy("Krävs när du begär ändringar."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )


class AdoptForm(forms.Form):
    adopted_on = forms.DateField(
        label=gettext_lazy("Styrelsens beslut, datum"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Ange datum för styrelsens beslut."),
            "invalid": gettext_lazy("Skriv datumet som ÅÅÅÅ-MM-DD."),
        },
    )
    minutes_reference = forms.CharField(
        label=gettext_lazy("Paragraf i protokollet"),
        help_text=gettext_lazy("Till exempel §39."),
        max_length=40,
        error_messages={"required": gettext_lazy("Ange paragrafen i protokollet, till exempel §39.")},
    )

    def clean_adopted_on(self):
        adopted_on = self.cleaned_data["adopted_on"]
        if adopted_on > timezone.localdate():
            raise forms.ValidationError(_("Beslutsdatumet kan inte ligga i framtiden."))
        return adopted_on


class CommentForm(forms.Form):
    target = forms.CharField(widget=forms.HiddenInput, required=False)
    body = forms.CharField(
        label=gettext_lazy("Kommentar"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": gettext_lazy("Skriv en kommentar.")},
    )


class ChangesForm(forms.Form):
    since = forms.ChoiceField(label=gettext_lazy("Från version"))
    until = forms.ChoiceField(label=gettext_lazy("Till version"))

    def __init__(self, *args, versions: list[Version], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(version.key, version.label) for version in versions]
        self.fields["since"].choices = choices
        self.fields["until"].choices = choices


# --- the review page -----------------------------------------------------------------------------------


@dataclass
class ReviewState:
    """What the review page needs beside the document (passed to the template as `review`)."""

    plan: Plan
    role: str
    can_comment: bool
    can_resolve: bool
    snapshot: PlanSnapshot | None
    stances: list[Stance]
    transitions: list[Any]
    plan_threads: SimpleNamespace
    budget_items: list[SimpleNamespace]
    forms: dict[str, forms.Form]
    comment_error: dict | None = None
    checks: list = field(default_factory=list)
    # The budget row whose comment form is open (started from the row's own "Kommentera").
    comment_open: str = ""

    @property
    def next_number(self) -> int:
        return next_number(self.plan)

    @property
    def actions(self) -> set[str]:
        return {transition.action for transition in self.transitions}

    @cached_property
    def comment_url(self) -> str:
        """Where every comment form on the page posts (reversed once: the page has a form per part)."""
        return reverse("comment_create", args=[self.plan.association.slug, self.plan.pk])

    @cached_property
    def review_url(self) -> str:
        return reverse("plan_review", args=[self.plan.association.slug, self.plan.pk])

    def start_comment_url(self, item: SimpleNamespace) -> str:
        """The review page with the comment form open for `item` (a budget row): what its "Kommentera"
        loads (htmx), or opens as a page (without JavaScript)."""
        return f"{self.review_url}?{urlencode({'kommentera': f'{item.review_kind}:{item.review_key}'})}"


def _threads_by_target(plan: Plan) -> dict[tuple[str, str], list[Comment]]:
    """The plan's comment threads by what they are about, each root with its `thread_replies` in order.

    One query for every comment of the plan, roots and replies alike (a prefetch of the replies was a
    second query, and only when there were comments)."""
    comments = list(
        Comment.objects.filter(plan=plan)
        .select_related("author", "resolved_by", "snapshot")
        .order_by("created_at", "id")
    )
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    threads: dict[tuple[str, str], list[Comment]] = {}
    for comment in comments:
        if comment.parent_id is None:
            comment.thread_replies = replies.get(comment.pk, [])
            threads.setdefault((comment.target_kind, comment.target_key), []).append(comment)
    return threads


def _item(kind: str, key: str, label: str, threads: dict) -> SimpleNamespace:
    return SimpleNamespace(
        review_kind=kind, review_key=key, review_label=label, review_threads=threads.get((kind, key), [])
    )


def _review_context(
    request,
    plan: Plan,
    *,
    bound: dict[str, forms.Form] | None = None,
    comment_error: dict | None = None,
    comment_open: str = "",
) -> dict:
    # A draft's document and checks read its rows; a version sent to the board is what was frozen (its
    # document and the checks as they were when it was sent).
    loaded = plan_document(plan) if plan.is_editable else None
    doc = shown_document(plan, loaded)
    role = request.access.role
    threads = _threads_by_target(plan)
    # Each item's threads go beside it in the document (its <!--threads:key--> marker, `review_document`).
    items = {key: _item(kind, key, label, threads) for kind, key, label in doc.items()}
    budget_items = [
        _item(Comment.Target.BUDGET_LINE, key, label, threads)
        for key, label in review.budget_targets(doc.content)
    ]
    snapshot = review.latest_snapshot(plan)
    forms_ = {
        "withdraw": WithdrawForm(),
        "stance": StanceForm(),
        "adopt": AdoptForm(),
        "comment": CommentForm(),
    }
    forms_.update(bound or {})
    state = ReviewState(
        plan=plan,
        role=role,
        can_comment=review.comment_allowed(plan=plan, role=role),
        can_resolve=role == Role.CHIEF,
        snapshot=snapshot,
        stances=list(snapshot.stances.select_related("user").order_by("-created_at", "-id"))
        if snapshot
        else [],
        transitions=available_transitions(plan=plan, role=role),
        plan_threads=_item(Comment.Target.PLAN, "plan", plan.title, threads),
        budget_items=budget_items,
        forms=forms_,
        comment_error=comment_error,
        comment_open=comment_open if any(i.review_key == comment_open for i in budget_items) else "",
        checks=plan_findings(plan, loaded)
        if loaded is not None
        else doc.snapshot.findings
        if doc.snapshot
        else [],
    )
    return {"plan": plan, "doc": doc, "items": items, "review": state}


# An item without comments gets the same threads block as any other but for its kind, key and label: it
# is rendered once per page with these placeholders, then filled in per item (a page has dozens).
BLANK_ITEM = SimpleNamespace(
    review_kind="@@kind@@", review_key="@@key@@", review_label="@@label@@", review_threads=[]
)


def review_document(request, doc, items: dict, state: ReviewState) -> SafeString:
    """The document (cached when frozen) with each item's comment threads and forms put in beside it,
    and in each budget row its own "Kommentera" (and how many threads it has)."""
    failed_key = (state.comment_error or {}).get("key")
    plan = state.plan
    blank = render_to_string(
        "plans/review.html#threads", {"item": BLANK_ITEM, "review": state, "plan": plan}, request
    )
    blank_row = render_to_string(
        "plans/review.html#row-comment",
        {"item": BLANK_ITEM, "review": state, "plan": plan, "start_url": "@@url@@", "index": "@@index@@"},
        request,
    )

    def row(index: int) -> str:
        if index >= len(state.budget_items):
            return ""
        item = state.budget_items[index]
        start_url = state.start_comment_url(item)
        if item.review_threads:
            return render_to_string(
                "plans/review.html#row-comment",
                {"item": item, "review": state, "plan": plan, "start_url": start_url, "index": index},
                request,
            )
        return (
            blank_row.replace("@@url@@", escape(start_url))
            .replace("@@index@@", str(index))
            .replace("@@label@@", escape(item.review_label))
        )

    def threads(key: str) -> str:
        if key == "budget":
            return render_to_string(
                "plans/review.html#budget-threads", {"review": state, "plan": plan}, request
            )
        item = items.get(key)
        if item is None:
            return ""
        if item.review_threads or key == failed_key:
            return render_to_string(
                "plans/review.html#threads", {"item": item, "review": state, "plan": plan}, request
            )
        return (
            blank.replace("@@kind@@", escape(item.review_kind))
            .replace("@@key@@", escape(key))
            .replace("@@label@@", escape(item.review_label))
        )

    return document_html(doc, threads, row)


def render_review(request, context: dict, *, status: int = 200):
    context["document"] = review_document(request, context["doc"], context["items"], context["review"])
    return render(request, "plans/review.html", context, status=status)


@require_GET
@vary_on_headers("HX-Request")
@association_view
def plan_review(request, pk: int):
    """The plan as a document with comment threads beside its parts, the plan checks and the actions.

    `?kommentera=budget_line:<key>` opens the comment form for that budget row: the row's "Kommentera"
    asks for it with htmx and gets the budget's comment block alone, or without JavaScript the page."""
    plan = get_plan(request, pk)
    kind, key = _parse_target(request.GET.get("kommentera", ""))
    context = _review_context(request, plan, comment_open=key if kind == Comment.Target.BUDGET_LINE else "")
    if request.htmx and context["review"].comment_open:
        return render(request, "plans/review.html#budget-threads", context)
    return render_review(request, context)


@require_POST
@association_view
def plan_action(request, pk: int):
    """Submit, withdraw, approve, request changes, adopt, revise (all or the budget), by the button pressed."""
    plan = get_plan(request, pk)
    action = request.POST.get("action", "")
    if action not in TRANSITIONS:
        raise PermissionDenied(_("Okänd åtgärd."))
    form_name, form = {
        "withdraw": ("withdraw", WithdrawForm(request.POST)),
        "approve": ("stance", StanceForm(request.POST)),
        "request_changes": ("stance", StanceForm(request.POST)),
        "adopt": ("adopt", AdoptForm(request.POST)),
    }.get(action, (None, None))
    try:
        if form is not None and not form.is_valid():
            # The services check permission before input, so check it here too before showing errors.
            transition_check(plan=plan, user=request.user, action=action)
            raise review.ReviewError("")
        data = form.cleaned_data if form is not None else {}
        if action == "submit":
            snapshot = review.plan_submit(plan=plan, by=request.user)
            messages.success(
                request, _("Version %(number)s är skickad till styrelsen.") % {"number": snapshot.number}
            )
        elif action == "withdraw":
            review.plan_withdraw(plan=plan, by=request.user, reason=data["reason"])
            messages.success(request, _("Planen är tillbaka som utkast. Styrelsen har fått besked."))
        elif action in ("approve", "request_changes"):
            stance = Stance.Kind.APPROVE if action == "approve" else Stance.Kind.CHANGES_REQUESTED
            review.plan_stance_record(plan=plan, by=request.user, stance=stance, comment=data["comment"])
            messages.success(request, _("Ditt ställningstagande är registrerat."))
        elif action == "adopt":
            review.plan_adopt(
                plan=plan,
                by=request.user,
                adopted_on=data["adopted_on"],
                minutes_reference=data["minutes_reference"],
            )
            messages.success(request, _("Styrelsens beslut är registrerat. Planen är fastställd och låst."))
        elif action in ("revise", "revise_budget"):
            budget_only = action == "revise_budget"
            revision = review.plan_revise(plan=plan, by=request.user, budget_only=budget_only)
            message = (
                _("En reviderad budget är påbörjad som %(version)s. Bara budgeten kan ändras i den.")
                if budget_only
                else _("En ny version är skapad som %(version)s.")
            )
            messages.success(request, message % {"version": version_label(revision)})
            if budget_only and request.access.is_chief:  # straight to what can change
                return redirect("plan_budget_grid", association=plan.association.slug, pk=revision.pk)
            return redirect(revision)
    except review.StateConflict as conflict:
        messages.error(request, conflict.message)
        plan.refresh_from_db()
        return render_review(request, _review_context(request, plan), status=409)
    except review.ReviewError as error:
        if form is not None and error.message:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        elif error.message:
            messages.error(request, error.message)
        bound = {form_name: form} if form is not None else {}
        return render_review(request, _review_context(request, plan, bound=bound), status=422)
    return redirect("plan_review", association=plan.association.slug, pk=plan.pk)


# --- comments ------------------------------------------------------------------------------------------


def _thread_response(
    request, plan: Plan, kind: str, key: str, *, status: int = 200, error: dict | None = None
):
    """After a comment: the HTMX swap of that part's threads, or back to the review page."""
    if not request.htmx:
        anchor = "budget" if kind == Comment.Target.BUDGET_LINE else key
        return redirect(
            reverse("plan_review", kwargs={"association": plan.association.slug, "pk": plan.pk})
            + f"#kommentarer-{anchor}"
        )
    context = _review_context(request, plan, comment_error=error)
    doc, state = context["doc"], context["review"]
    if kind == Comment.Target.BUDGET_LINE:
        context["row_oob"] = _printed_row(doc.content, state, key)
        return render(request, "plans/review.html#budget-threads", context, status=status)
    label = review.comment_targets(doc.content).get((kind, key), "")
    context["item"] = _item(kind, key, label, _threads_by_target(plan))
    context["review"] = state
    return render(request, "plans/review.html#threads", context, status=status)


def _printed_row(content: dict, state: ReviewState, key: str) -> SimpleNamespace | None:
    """The budget row `key` as its own "Kommentera" shows it in the table (its thread count follows a
    new comment out of band), or None where the table prints no such row (a line of a collapsed group)."""
    index = next((i for i, item in enumerate(state.budget_items) if item.review_key == key), None)
    collapsed = {row["key"]: row.get("collapsed", False) for row in content.get("budget", {}).get("rows", [])}
    if index is None or collapsed.get(key, True):
        return None
    item = state.budget_items[index]
    return SimpleNamespace(index=index, item=item, url=state.start_comment_url(item))


def _parse_target(value: str) -> tuple[str, str]:
    kind, _sep, key = (value or "").partition(":")
    return kind, key


@require_POST
@association_view
def comment_create(request, pk: int):
    """A new thread on a part of the plan (`target` is "kind:key"), or a reply (`parent`)."""
    plan = get_plan(request, pk)
    form = CommentForm(request.POST)
    parent = None
    if request.POST.get("parent"):
        parent = get_object_or_404(Comment, plan=plan, pk=_int_or_404(request.POST["parent"]))
        kind, key = parent.target_kind, parent.target_key
    else:
        kind, key = _parse_target(request.POST.get("target", ""))
    if not review.comment_allowed(plan=plan, role=request.access.role):
        raise PermissionDenied(_("Du kan inte kommentera den här planen."))
    try:
        if not form.is_valid():
            raise review.ReviewError(
                form.errors["body"][0] if "body" in form.errors else _("Skriv en kommentar.")
            )
        if parent is not None:
            review.comment_reply(comment=parent, by=request.user, body=form.cleaned_data["body"])
        else:
            review.comment_add(
                plan=plan, by=request.user, target_kind=kind, target_key=key, body=form.cleaned_data["body"]
            )
    except review.ReviewError as error:
        if error.field == "target":  # no part of the page to show it beside
            messages.error(request, error.message)
        comment_error = {
            "kind": kind,
            "key": key,
            "parent": parent.pk if parent else None,
            "message": error.message,
            "body": request.POST.get("body", ""),
        }
        if request.htmx:
            return _thread_response(request, plan, kind, key, status=422, error=comment_error)
        return render_review(request, _review_context(request, plan, comment_error=comment_error), status=422)
    messages.success(request, _("Kommentaren är sparad."))
    return _thread_response(request, plan, kind, key)


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@require_POST
@association_view
def comment_resolve(request, pk: int, comment_pk: int):
    """The chief marks a thread resolved."""
    plan = get_plan(request, pk)
    comment = get_object_or_404(Comment, plan=plan, pk=comment_pk, parent=None)
    review.comment_resolve(comment=comment, by=request.user)
    messages.success(request, _("Kommentaren är markerad som löst."))
    return _thread_response(request, plan, comment.target_kind, comment.target_key)


# --- what changed --------------------------------------------------------------------------------------


@dataclass
class Version:
    key: str
    label: str
    plan: Plan
    snapshot: PlanSnapshot | None = None  # None: the plan as it is now

    def content(self) -> dict:
        return upgrade(self.snapshot.content) if self.snapshot is not None else snapshot_content(self.plan)


def plan_versions(plan: Plan) -> list[Version]:
    """The versions of a plan to compare, oldest first: the adopted plan it was made from (its last
    submitted version, or the plan itself when it was adopted without one), each version sent to the
    board, and the plan as it is now when it has changed since (or was never sent)."""
    versions: list[Version] = []
    base = plan.revision_of or plan.rolled_over_from
    if base is not None:
        base_snapshot = base.snapshots.order_by("-number").first()
        versions.append(
            Version(
                "tidigare",
                _("%(title)s, %(version)s (%(state)s)")
                % {
                    "title": base.title,
                    "version": version_label(base),
                    "state": base.get_state_display().lower(),
                },
                base,
                base_snapshot if base_snapshot is not None and base.is_locked else None,
            )
        )
    snapshots = list(plan.snapshots.order_by("number"))
    for snapshot in snapshots:
        versions.append(
            Version(
                f"v{snapshot.number}",
                _("Version %(number)s, skickad %(date)s")
                % {
                    "number": snapshot.number,
                    "date": timezone.localtime(snapshot.created_at).strftime("%Y-%m-%d %H:%M"),
                },
                plan,
                snapshot,
            )
        )
    if plan.is_editable or not snapshots:
        versions.append(Version("nu", _("Som planen ser ut nu"), plan))
    return versions


def default_comparison(plan: Plan, versions: list[Version], user) -> tuple[Version | None, Version | None]:
    """Compare the newest version with the one this user last reviewed (the latest earlier version
    they took a stance on or commented on); failing that, with the adopted plan it came from; failing
    that, with the version before."""
    if len(versions) < 2:
        return None, versions[-1] if versions else None
    until = versions[-1]
    earlier = versions[:-1]
    reviewed = set(Stance.objects.filter(plan=plan, user=user).values_list("snapshot_id", flat=True))
    reviewed |= set(Comment.objects.filter(plan=plan, author=user).values_list("snapshot_id", flat=True))
    for version in reversed(earlier):
        if version.plan == plan and version.snapshot is not None and version.snapshot.pk in reviewed:
            return version, until
    if earlier[0].key == "tidigare":
        return earlier[0], until
    return earlier[-1], until


@require_GET
@association_view
def plan_changes(request, pk: int):
    """What changed between two versions; by default since the version this user last reviewed."""
    plan = get_plan(request, pk)
    versions = plan_versions(plan)
    by_key = {version.key: version for version in versions}
    since, until = default_comparison(plan, versions, request.user)
    form = ChangesForm(
        versions=versions, initial={"since": since and since.key, "until": until and until.key}
    )
    status = 200
    if "since" in request.GET or "until" in request.GET:
        form = ChangesForm(request.GET, versions=versions)
        if form.is_valid():
            since, until = by_key[form.cleaned_data["since"]], by_key[form.cleaned_data["until"]]
        else:
            since = until = None
            status = 422
    diff = snapshot_diff(since.content(), until.content()) if since and until else None
    return render(
        request,
        "plans/changes.html",
        {"plan": plan, "form": form, "since": since, "until": until, "diff": diff, "versions": versions},
        status=status,
    )


# --- history -------------------------------------------------------------------------------------------


@require_GET
@association_view
def plan_history(request, pk: int):
    """Who did what and when, newest first; read-only (PlanEvent refuses to change)."""
    plan = get_plan(request, pk)
    events = plan.events.select_related("user").order_by("-created_at", "-id")
    visible = visible_plans(request.access)
    related = list(visible.filter(pk__in=[plan.revision_of_id, plan.rolled_over_from_id]))
    newer = list(visible.filter(revision_of=plan))
    return render(
        request,
        "plans/history.html",
        {"plan": plan, "events": events, "related": related, "newer": newer},
    )
