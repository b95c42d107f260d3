"""The access matrix: every URL of the project × method × role × with and without HTMX.

Every URL name must be in REGISTRY with its category; a URL added without an entry fails
`test_every_url_is_in_the_registry`. The path arguments are filled with real objects of association A
(see `object_for_kwarg`), once with the objects of A's draft plan and, for plan-scoped URLs, once with
those of its adopted plan. Then:

- anonymous users are sent to the login page (public URLs answer);
- users of association B get 404, both under A's address and with A's ids under B's own address,
  never 200 or 403, which would reveal that the object exists;
- A's users get what their role allows (2xx/3xx or a validation answer) or 403;
- nothing answers 500;
- no response to anyone but B's users contains B's marker, and no response to B's users contains A's
  (HTML, JSON, xlsx unpacked, PDF text extracted).

Every request runs inside a transaction that is rolled back, so a POST that changes something (submit,
delete...) does not change what the next request sees.
"""

from __future__ import annotations

import io
import os
import re
import sys
import time
import traceback
import zipfile
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import pytest
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from finsam.security import SlidingSessionMiddleware
from tests.security.dataset import MARKERS, World, seed_world

# --- The registry ------------------------------------------------------------------------------------

PUBLIC = "public"  # anyone, logged in or not
LOGIN = "login"  # any logged-in user; not tied to an association
INSTALL = "install"  # the installation administrator (permission finsam.add_association): no test role
ASSOCIATION = "association"  # any member of the association (readers included)
ASSOCIATION_EDIT = "association-edit"  # the association's chief only (interventions, organisations...)
PLAN_READ = "plan-read"  # a plan: chief and board see drafts, readers only adopted plans
PLAN_EDIT = "plan-edit"  # changing a plan: the chief, and only while the plan is editable
REVIEW = "review"  # the board's review of a plan (chair and board members)
WORKFLOW = "workflow"  # a plan's state change chosen by the button (submit, approve, adopt...): state decides
COMMENT = "comment"  # commenting a plan: the chief and the board (readers where the association allows)
RESOLVE = "resolve"  # marking a comment thread resolved: the chief
ADOPTION = "adoption"  # registering the adoption, revising: the chief or the chair
DOWNLOAD = "download"  # a file of a plan (xlsx, PDF): who may read the plan
PUBLISHED = "published"  # the open link to an adopted plan (PDF, page): anyone, only for adopted plans
OPEN_LIST = "open-list"  # the open list of an association's published plans: anyone (404 when none)
FOLLOW_UP = "follow-up"  # the year's follow-up of an adopted plan: the chief, only on the adopted plan
REPORT = "report"  # an insats's follow-up of a year: the chief and the insats's own insats owners
MINE = "mine"  # the insatser a person reports: every member (the insats owner's home)

REGISTRY: dict[str, str | dict[str, str]] = {
    # finsam/urls.py and django.contrib.auth.urls
    "dashboard": LOGIN,
    "login": PUBLIC,
    "logout": PUBLIC,
    "password_change": LOGIN,
    "password_change_done": LOGIN,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,
    "password_reset_complete": PUBLIC,
    "accessibility": PUBLIC,
    "association": ASSOCIATION,
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    # the association's calendar (årshjul): every member reads it, the chief changes it
    "association_calendar": {"GET": ASSOCIATION, "*": ASSOCIATION_EDIT},
    "association_calendar_edit": ASSOCIATION_EDIT,
    "association_calendar_delete": ASSOCIATION_EDIT,
    # setting up associations: the installation administrator creates them and invites their chiefs
    "association_admin_list": INSTALL,
    "association_create": INSTALL,
    "association_invite_chief": INSTALL,
    # the chief keeps the association's facts, organisations, board, staff and who has access
    "association_settings": ASSOCIATION_EDIT,
    "setup_item_add": ASSOCIATION_EDIT,
    "setup_item_edit": ASSOCIATION_EDIT,
    "setup_item_delete": ASSOCIATION_EDIT,
    "association_access": ASSOCIATION_EDIT,
    "membership_remove": ASSOCIATION_EDIT,
    "membership_role": ASSOCIATION_EDIT,
    "invitation_revoke": ASSOCIATION_EDIT,
    # an invitation's link: anyone (the token is the key; an unknown token says so)
    "invitation_accept": PUBLIC,
    # plans/urls.py: the plan, its editor
    "plan_detail": PLAN_READ,
    "plan_delete": PLAN_EDIT,
    "plan_new": ASSOCIATION_EDIT,
    "goal_categories": ASSOCIATION_EDIT,
    "plan_edit": PLAN_EDIT,
    "plan_editor_checks": PLAN_EDIT,
    "plan_markdown_preview": PLAN_EDIT,
    "plan_settings": PLAN_EDIT,
    "plan_settings_edit": PLAN_EDIT,
    "plan_part_list": PLAN_EDIT,
    "plan_part_add": PLAN_EDIT,
    "plan_part_row": PLAN_EDIT,
    "plan_part_edit": PLAN_EDIT,
    "plan_part_delete": PLAN_EDIT,
    "plan_part_move": PLAN_EDIT,
    "plan_indicator_list": PLAN_EDIT,
    "plan_indicator_add": PLAN_EDIT,
    # review and adoption
    "plan_review": PLAN_READ,
    "plan_action": WORKFLOW,
    "comment_create": COMMENT,
    "comment_resolve": RESOLVE,
    "plan_changes": PLAN_READ,
    "plan_history": PLAN_READ,
    # PDF
    "plan_pdf": DOWNLOAD,
    "plan_pdf_status": DOWNLOAD,
    "plan_pdf_file": DOWNLOAD,
    "plan_pdf_public": PUBLISHED,
    "public_plan": PUBLISHED,
    "public_association": OPEN_LIST,
    "plan_publish": ADOPTION,
    # the year's follow-up of an adopted plan's goals
    "plan_goal_followup": PLAN_READ,
    "indicator_outcome_edit": FOLLOW_UP,
    # reports on an adopted plan: the chief starts one, only from the adopted plan
    "report_new": FOLLOW_UP,
    # the members' auditors' reports and discharge on an adopted annual report: the matrix's plans are
    # plans, not annual reports, so 404 for everyone here (tests/test_reports.py covers the roles)
    "report_discharge": "not-found",
    # budgets/urls.py: the budget grid
    "plan_budget_grid": PLAN_EDIT,
    "budget_cell": PLAN_EDIT,
    "budget_cells_paste": PLAN_EDIT,
    "budget_undo": PLAN_EDIT,
    "budget_contributions": PLAN_EDIT,
    "budget_intervention_cell": PLAN_EDIT,
    "budget_column_kind": PLAN_EDIT,
    "budget_column_add": PLAN_EDIT,
    "budget_column_remove": PLAN_EDIT,
    "budget_line_add": PLAN_EDIT,
    "budget_line_edit": PLAN_EDIT,
    "budget_line_move": PLAN_EDIT,
    "budget_line_remove": PLAN_EDIT,
    "budget_group_add": PLAN_EDIT,
    "budget_group_edit": PLAN_EDIT,
    "budget_group_move": PLAN_EDIT,
    "budget_group_remove": PLAN_EDIT,
    # the stated figures: what a document printed, the chief corrects, removes or dismisses them
    "plan_stated_figures": PLAN_EDIT,
    "stated_figure": PLAN_EDIT,
    # budget import/export
    "budget_import": PLAN_EDIT,
    "budget_export": DOWNLOAD,
    # member contributions and their key: everyone who sees the plan reads, the chief changes
    "plan_contributions": {"GET": PLAN_READ, "*": PLAN_EDIT},
    # the follow-up of the adopted budget: everyone who sees the plan reads, the chief writes outcome and forecast
    "plan_followup": PLAN_READ,
    "followup_settings": ASSOCIATION_EDIT,
    "followup_outcome": {"GET": PLAN_READ, "*": FOLLOW_UP},
    "followup_forecast": {"GET": PLAN_READ, "*": FOLLOW_UP},
    "followup_comment": {"GET": PLAN_READ, "*": FOLLOW_UP},
    # the export for Uppföljning Finsam: who may read the plan (a plan not adopted answers 409, saying why)
    "national_followup_xlsx": DOWNLOAD,
    "national_followup_interventions_csv": DOWNLOAD,
    "national_followup_association_csv": DOWNLOAD,
    "followup_import": FOLLOW_UP,
    # interventions/urls.py
    "intervention_list": ASSOCIATION,
    "intervention_create": ASSOCIATION_EDIT,
    "intervention_detail": {"GET": ASSOCIATION, "*": ASSOCIATION_EDIT},
    "intervention_end": ASSOCIATION_EDIT,
    "intervention_plan_add": ASSOCIATION_EDIT,
    "plan_interventions": PLAN_EDIT,
    "plan_intervention_add": PLAN_EDIT,
    "plan_intervention_remove": PLAN_EDIT,
    "plan_intervention_move": PLAN_EDIT,
    "plan_interventions_followup": PLAN_READ,
    "intervention_year_edit": REPORT,
    "intervention_reporters_edit": ASSOCIATION_EDIT,
    "intervention_owner_invite": ASSOCIATION_EDIT,
    "intervention_owner_invitation_revoke": ASSOCIATION_EDIT,
    "my_interventions": MINE,
}


NOT_FOUND = "not-found"  # a combination of path words that does not exist: refused for everyone

# A word of an enumerated argument that a URL does not serve (name, word) -> category.
VARIANT_CATEGORIES = {
    # Indicators are listed and added through their goal (plan_indicator_list/_add), not on their own.
    ("plan_part_list", "indikatorer"): NOT_FOUND,
    ("plan_part_add", "indikatorer"): NOT_FOUND,
}


def category_of(name: str, method: str, fixed: dict | None = None) -> str:
    """A URL's category for a method: REGISTRY holds one category, or one per method ("*" for the rest)."""
    for value in (fixed or {}).values():
        if (name, value) in VARIANT_CATEGORIES:
            return VARIANT_CATEGORIES[(name, value)]
    entry = REGISTRY[name]
    if isinstance(entry, dict):
        return entry.get(method, entry["*"])
    return entry


# URLs whose answer is expensive (PDF rendering): called once per role, GET without HTMX.
SLOW: set[str] = {"plan_pdf"}

# --- Path arguments ----------------------------------------------------------------------------------

# Keyword argument (without a trailing _pk/_id) -> model_name of the object of A to use.
# A name equal to a model name (`goal`, `intervention`, `budgetline`...) needs no entry.
KWARG_MODELS = {
    "plan": "plan",
    "chapter": "chapter",
    "goal": "goal",
    "indicator": "indicator",
    "target_group": "targetgroup",
    "control_item": "controlitem",
    "communication_item": "communicationitem",
    "activity_item": "activityitem",
    "activity": "activityitem",
    "event": "planevent",
    "line": "budgetline",
    "column": "budgetcolumn",
    "group": "budgetgroup",
    "amount": "budgetamount",
    "factor": "contributionkeyfactor",
    "override": "contributionoverride",
    "figure": "statedfigure",
    "stated": "statedfigure",
    "intervention": "intervention",
    "grant": "grant",
    "plan_intervention": "planintervention",
    "organisation": "organisation",
    "seat": "boardseat",
    "board_seat": "boardseat",
    "staff": "staffmember",
    "member": "membership",
    "pdf": "planpdf",
    "comment": "comment",
    "snapshot": "plansnapshot",
    "membership": "membership",
    "owner_invitation": "interventioninvitation",
}
# For `<int:pk>`: the path segment before it names the kind of object.
SEGMENT_MODELS = {
    "planer": "plan",
    "plan": "plan",
    "kapitel": "chapter",
    "mal": "goal",
    "indikatorer": "indicator",
    "malgrupper": "targetgroup",
    "internkontroll": "controlitem",
    "kommunikation": "communicationitem",
    "aktiviteter": "activityitem",
    "historik": "planevent",
    "rader": "budgetline",
    "kolumner": "budgetcolumn",
    "grupper": "budgetgroup",
    "insatser": "intervention",
    "beviljat": "grant",
    "organisationer": "organisation",
    "styrelse": "boardseat",
    "kansli": "staffmember",
    "arshjul": "associationdate",
}


def _special_value(name: str, world: World, objects: dict):
    plan = objects["plan"]
    values = {
        "association": world.association.slug,
        "uidb64": "MQ",
        "token": "set-password",
        "year": plan.first_year,
        "first_year": plan.first_year,
        "period": 1,
    }
    if name == "row":  # a follow-up row's key (budgets.followup.row_key): the plan's budget line
        return f"line-{objects['budgetline'].lineage.hex}"
    return values.get(name)


# Path arguments whose object kind is named by another argument's value (`<plan_part:kind>/<int:item>`).
KIND_ARGUMENTS = {"item": "kind"}


def object_for_kwarg(name: str, route: str, objects: dict, kwargs: dict):
    """The object of A that a path argument names, or None if the name is unknown."""
    base = re.sub(r"_(pk|id)$", "", name)
    if name in KIND_ARGUMENTS:
        model_name = SEGMENT_MODELS.get(str(kwargs.get(KIND_ARGUMENTS[name])))
    elif name == "pk":
        segments = [s for s in route.split("/") if s]
        index = next(i for i, s in enumerate(segments) if re.fullmatch(r"<(\w+:)?pk>", s))
        base = segments[index - 1] if index else ""
        model_name = SEGMENT_MODELS.get(base)
    else:
        model_name = KWARG_MODELS.get(base, base)
    return objects.get(model_name) if model_name else None


ARGUMENT_RE = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")


def build_kwargs(
    entry: UrlEntry, world: World, objects: dict, fixed: dict | None = None
) -> tuple[dict, bool]:
    """The path arguments for A's objects, and whether any argument is an object (not just the slug).
    `fixed` holds the values of enumerated arguments (a converter that matches a list of words)."""
    kwargs = dict(fixed or {})
    uses_objects = False
    for match in ARGUMENT_RE.finditer(entry.route):
        name = match.group("name")
        if name in kwargs:
            continue
        special = _special_value(name, world, objects)
        if special is not None:
            kwargs[name] = special
            continue
        obj = object_for_kwarg(name, entry.route, objects, kwargs)
        if obj is None:
            pytest.fail(
                f"URL {entry.name!r} ({entry.route}): no object of the test association for the path argument "
                f"{name!r}. Add it to KWARG_MODELS (or SEGMENT_MODELS for 'pk', or _special_value) in "
                "tests/security/test_url_matrix.py."
            )
        kwargs[name] = obj.pk
        uses_objects = True
    return kwargs, uses_objects


# --- Enumerating the URLs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UrlEntry:
    name: str
    route: str
    # Arguments whose converter matches only a list of words (`<plan_part:kind>`): every word is tried.
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def variants(self) -> list[dict[str, str]]:
        combos: list[dict[str, str]] = [{}]
        for name, values in self.choices:
            combos = [{**combo, name: value} for combo in combos for value in values]
        return combos


WORDS_RE = re.compile(r"^[\w-]+(\|[\w-]+)*$")


def _enumerated(converters: dict) -> tuple[tuple[str, tuple[str, ...]], ...]:
    found = []
    for name, converter in converters.items():
        regex = getattr(converter, "regex", "")
        if "|" in regex and WORDS_RE.match(regex):
            found.append((name, tuple(sorted(regex.split("|")))))
    return tuple(found)


SKIPPED_URLCONFS = {"django.conf.urls.i18n"}


def _skipped(resolver: URLResolver) -> bool:
    module = resolver.urlconf_name if isinstance(resolver.urlconf_name, str) else None
    module = module or getattr(resolver.urlconf_module, "__name__", None)
    return resolver.app_name == "admin" or module in SKIPPED_URLCONFS


def project_urls() -> list[UrlEntry]:
    """Every URL pattern of the project, recursively, except the admin and Django's own i18n/static."""
    found: dict[str, UrlEntry] = {}
    unnamed: list[str] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str, converters: dict) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if _skipped(pattern):
                    continue
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                inner = {**converters, **getattr(pattern.pattern, "converters", {})}
                walk(pattern, prefix + str(pattern.pattern), ns, inner)
            elif isinstance(pattern, URLPattern):
                callback = pattern.callback
                if getattr(callback, "__module__", "") == "django.views.static":
                    continue
                route = prefix + str(pattern.pattern)
                if not pattern.name:
                    unnamed.append(route)
                    continue
                name = namespace + pattern.name
                # The same name under two routes: the first one is what reverse() gives.
                all_converters = {**converters, **getattr(pattern.pattern, "converters", {})}
                found.setdefault(name, UrlEntry(name, route, _enumerated(all_converters)))

    walk(get_resolver(), "", "", {})
    assert not unnamed, f"URL patterns without a name cannot be put in the matrix: {unnamed}"
    return sorted(found.values(), key=lambda entry: entry.name)


def test_every_url_is_in_the_registry():
    names = {entry.name for entry in project_urls()}
    missing = sorted(names - set(REGISTRY))
    assert not missing, (
        f"URL names not in the access matrix: {missing}. Add each to REGISTRY in "
        "tests/security/test_url_matrix.py with its category (who may use it)."
    )
    stale = sorted(set(REGISTRY) - names)
    assert not stale, f"REGISTRY names URLs that no longer exist: {stale}"
    categories = set(VARIANT_CATEGORIES.values())
    for value in REGISTRY.values():
        categories |= set(value.values()) if isinstance(value, dict) else {value}
    assert categories <= set(EXPECTED), (
        f"REGISTRY categories without expectations: {categories - set(EXPECTED)}"
    )


# --- Expectations ------------------------------------------------------------------------------------

A_ROLES = ("chief", "chair", "board", "reader", "intervention_owner")
B_ROLES = ("b_chief", "b_board")
ROLES = ("anonymous", *A_ROLES, *B_ROLES)
METHODS = ("GET", "POST", "DELETE")

OK = frozenset({"ok"})
DENIED = frozenset({"403"})
HIDDEN = frozenset({"404"})
OK_OR_DENIED = frozenset({"ok", "403"})


def _a(chief, chair, board, reader, owner=DENIED):
    """Outcomes by role; an insats owner is refused everything of the association by default."""
    return {"chief": chief, "chair": chair, "board": board, "reader": reader, "intervention_owner": owner}


# EXPECTED[category][plan] -> A role -> allowed outcomes; `plan` is "draft" or "adopted" (the plan whose
# objects fill the path). Anonymous users and B's users are the same for every association URL.
EXPECTED = {
    PUBLIC: {p: _a(OK, OK, OK, OK, OK) for p in ("draft", "adopted")},
    LOGIN: {p: _a(OK, OK, OK, OK, OK) for p in ("draft", "adopted")},
    REPORT: {p: _a(OK, DENIED, DENIED, DENIED, OK) for p in ("draft", "adopted")},
    MINE: {p: _a(OK, OK, OK, OK, OK) for p in ("draft", "adopted")},
    INSTALL: {p: _a(DENIED, DENIED, DENIED, DENIED) for p in ("draft", "adopted")},
    ASSOCIATION: {p: _a(OK, OK, OK, OK) for p in ("draft", "adopted")},
    ASSOCIATION_EDIT: {p: _a(OK, DENIED, DENIED, DENIED) for p in ("draft", "adopted")},
    PLAN_READ: {"draft": _a(OK, OK, OK, HIDDEN), "adopted": _a(OK, OK, OK, OK)},
    DOWNLOAD: {"draft": _a(OK, OK, OK, HIDDEN), "adopted": _a(OK, OK, OK, OK)},
    PLAN_EDIT: {"draft": _a(OK, DENIED, DENIED, HIDDEN), "adopted": _a(DENIED, DENIED, DENIED, DENIED)},
    REVIEW: {
        "draft": _a(DENIED, OK_OR_DENIED, OK_OR_DENIED, HIDDEN),
        "adopted": _a(DENIED, DENIED, DENIED, DENIED),
    },
    # The test associations do not let readers comment (readers_can_comment is off).
    COMMENT: {"draft": _a(OK, OK, OK, HIDDEN), "adopted": _a(OK, OK, OK, DENIED)},
    RESOLVE: {"draft": _a(OK, DENIED, DENIED, HIDDEN), "adopted": _a(OK, DENIED, DENIED, DENIED)},
    FOLLOW_UP: {"draft": _a(DENIED, DENIED, DENIED, HIDDEN), "adopted": _a(OK, DENIED, DENIED, DENIED)},
    PUBLISHED: {p: _a(OK, OK, OK, OK, OK) for p in ("draft", "adopted")},  # see expected_outcomes
    OPEN_LIST: {p: _a(OK, OK, OK, OK, OK) for p in ("draft", "adopted")},  # see expected_outcomes
    NOT_FOUND: {p: _a(*[frozenset({"404", "403"})] * 5) for p in ("draft", "adopted")},
    WORKFLOW: {
        "draft": _a(OK_OR_DENIED, OK_OR_DENIED, OK_OR_DENIED, HIDDEN),
        "adopted": _a(OK_OR_DENIED, OK_OR_DENIED, OK_OR_DENIED, OK_OR_DENIED),
    },
    ADOPTION: {
        "draft": _a(OK_OR_DENIED, OK_OR_DENIED, DENIED, HIDDEN),
        "adopted": _a(OK_OR_DENIED, OK_OR_DENIED, DENIED, DENIED),
    },
}
UNSCOPED = {PUBLIC, LOGIN, PUBLISHED, OPEN_LIST}


def expected_outcomes(category: str, plan: str, role: str, swapped: bool = False) -> frozenset:
    """`swapped`: B's user asks for A's object ids under B's own address."""
    if category == PUBLISHED:
        allowed = {"ok"} if plan == "adopted" and not swapped else {"404"}
    elif category == OPEN_LIST:
        allowed = {"ok", "404"}
    elif role == "anonymous":
        allowed = {"ok", "login"} if category == PUBLIC else {"login"}
    elif role in B_ROLES and category == INSTALL:
        allowed = {"403"}
    elif role in B_ROLES:
        allowed = {"ok", "login"} if category in UNSCOPED else {"404"}
    else:
        allowed = set(EXPECTED[category][plan][role])
        if category == PUBLIC:
            allowed.add("login")  # logout sends to the login page
    # 405 (method not allowed) refuses without revealing anything: acceptable for anyone. Whether the
    # view accepts the method is counted from the chief's answer.
    allowed.add("405")
    return frozenset(allowed)


# --- Responses ---------------------------------------------------------------------------------------


def classify(response) -> str:
    status = response.status_code
    if status >= 500:
        return "500"
    login_path = reverse(settings.LOGIN_URL)
    location = response.headers.get("Location", "") or response.headers.get("HX-Redirect", "")
    location = location or response.headers.get("HX-Location", "")
    if location.split("?")[0].endswith(login_path) and (
        300 <= status < 400 or "HX-Redirect" in response.headers
    ):
        return "login"
    if status in (403, 404, 405):
        return str(status)
    if status < 400 or status in (400, 409, 422):
        return "ok"
    return str(status)


def response_text(response, content: bytes) -> str:
    """Everything a person could read in the response: HTML/JSON as is, xlsx unpacked, PDF text."""
    if content.startswith(b"%PDF"):
        return pdf_text(content)
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return content.decode("utf-8", "replace")


@lru_cache(maxsize=64)
def pdf_text(content: bytes) -> str:
    """A PDF's text, metadata and bytes. Every role and variant that may download a PDF gets the same
    bytes: each distinct file is read once (text extraction takes a second of the sweep's time each)."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages).replace("\x00", "")
    # PDF text breaks lines anywhere: the text without whitespace finds a marker split over lines.
    return "\n".join([text, re.sub(r"\s+", "", text), str(reader.metadata or ""), content.decode("latin-1")])


def contains_marker(text: str, marker: str) -> bool:
    return marker in text


# --- The matrix --------------------------------------------------------------------------------------


@dataclass
class Request:
    entry: UrlEntry
    plan: str
    role: str
    method: str
    htmx: bool
    url: str
    fixed: dict


class Matrix:
    def __init__(self, alfa: World, beta: World):
        self.alfa = alfa
        self.beta = beta
        self.clients: dict[str, tuple[Client, str | None]] = {}
        for role in ROLES:
            client = Client(raise_request_exception=False)
            if role == "anonymous":
                self.clients[role] = (client, None)
                continue
            user = beta.users[role[2:]] if role in B_ROLES else alfa.users[role]
            client.force_login(user)
            # Every request is rolled back after it, the session's sliding refresh too, which would then
            # be written again by every request: the sessions count as refreshed while the sweep runs.
            session = client.session
            session[SlidingSessionMiddleware.KEY] = int(time.time()) + 3600
            session.save()
            self.clients[role] = (client, client.cookies[settings.SESSION_COOKIE_NAME].value)
        self.failures: list[str] = []
        self.counts: Counter = Counter()
        self.urls_checked: set[str] = set()
        self.slow_seconds: dict[str, float] = {}
        self.seconds: Counter = Counter()
        self._exception: str | None = None
        got_request_exception.connect(self._on_exception)

    def close(self):
        got_request_exception.disconnect(self._on_exception)

    def _on_exception(self, sender, request=None, **kwargs):
        self._exception = "".join(traceback.format_exception(*sys.exc_info()))

    def call(self, role: str, method: str, url: str, htmx: bool):
        client, session_key = self.clients[role]
        client.cookies.clear()
        if session_key:
            client.cookies[settings.SESSION_COOKIE_NAME] = session_key
        headers = {"HX-Request": "true"} if htmx else {}
        self._exception = None
        started = time.perf_counter()
        with transaction.atomic():
            response = client.generic(method, url, headers=headers)
            content = b"".join(response.streaming_content) if response.streaming else response.content
            transaction.set_rollback(True)
        return response, content, time.perf_counter() - started

    def check(self, request: Request, response, content: bytes) -> str:
        entry = request.entry
        outcome = classify(response)
        category = category_of(entry.name, request.method, request.fixed)
        alfa = self.alfa.association.slug
        swapped = not request.url.startswith((f"/f/{alfa}/", f"/oppen/{alfa}/"))
        allowed = expected_outcomes(category, request.plan, request.role, swapped and request.role in B_ROLES)
        self.counts["requests"] += 1
        where = (
            f"{request.method} {request.url} ({entry.name}, {category}, {request.plan} plan) as {request.role}"
            f"{' with HX-Request' if request.htmx else ''}"
        )
        if outcome == "500":
            self.counts["server_errors"] += 1
            self.failures.append(f"500: {where}\n{self._exception or ''}")
        elif outcome not in allowed:
            self.failures.append(
                f"got {outcome} (status {response.status_code}), expected {sorted(allowed)}: {where}"
            )
        text = response_text(response, content)
        foreign = MARKERS["alfa"] if request.role in B_ROLES else MARKERS["beta"]
        # A's published plan is public: B's users may read it at A's address (not with A's ids at B's).
        slug = self.alfa.association.slug
        published = category in (PUBLISHED, OPEN_LIST) and request.url.startswith(
            (f"/f/{slug}/", f"/oppen/{slug}/")
        )
        if contains_marker(text, foreign) and not (published and request.role in B_ROLES):
            self.counts["leaks"] += 1
            self.failures.append(f"LEAK of {foreign}: {where}")
        self.counts["marker_checks"] += 1
        return outcome

    def run_entry(self, entry: UrlEntry) -> None:
        for index, fixed in enumerate(entry.variants()):
            self.run_variant(entry, fixed, primary=index == 0)

    def run_variant(self, entry: UrlEntry, fixed: dict, *, primary: bool) -> None:
        """The full matrix for the URL with the draft plan's objects (and the first word of an enumerated
        argument); with the adopted plan's objects and with the other words, every role but the anonymous
        one (refused before anything is looked up) and B's board member (B's chief stands for B)."""
        variants = [("draft", self.alfa.objects)]
        kwargs, uses_objects = build_kwargs(entry, self.alfa, self.alfa.objects, fixed)
        if uses_objects and primary:
            adopted_kwargs, _ = build_kwargs(entry, self.alfa, self.alfa.adopted_objects, fixed)
            if adopted_kwargs != kwargs:
                variants.append(("adopted", self.alfa.adopted_objects))
        for plan, objects in variants:
            roles = ROLES if primary and plan == "draft" else (*A_ROLES, "b_chief")
            kwargs, _ = build_kwargs(entry, self.alfa, objects, fixed)
            url = reverse(entry.name, kwargs=kwargs)
            urls = {role: url for role in ROLES}
            # B's users also try A's ids under B's own address: still 404.
            swapped = None
            if uses_objects and "association" in kwargs:
                swapped = reverse(entry.name, kwargs={**kwargs, "association": self.beta.association.slug})
            # Methods beyond GET and POST are tried only where the chief's probe shows the view takes them
            # (probed once per URL: the view's decorators do not depend on the objects).
            if primary and plan == "draft":
                self.accepted = {"GET": True, "POST": True}
                for method in METHODS[2:]:
                    response, content, seconds = self.call("chief", method, url, False)
                    self.accepted[method] = classify(response) != "405"
            accepted = self.accepted
            slow = entry.name in SLOW
            for role in roles:
                for method in METHODS:
                    # GET and POST are tried by everyone; other methods only where the view accepts them.
                    if method not in ("GET", "POST") and not accepted[method]:
                        continue
                    for htmx in (False, True):
                        if slow and role in A_ROLES and (htmx or method != "GET"):
                            continue
                        targets = [urls[role]]
                        if role in B_ROLES and swapped:
                            targets.append(swapped)
                        for target in targets:
                            response, content, seconds = self.call(role, method, target, htmx)
                            self.seconds[(entry.name, "A" if role in A_ROLES else role)] += seconds
                            if seconds > 1.0:
                                self.slow_seconds[f"{method} {entry.name}"] = round(seconds, 2)
                            request = Request(entry, plan, role, method, htmx, target, fixed)
                            self.check(request, response, content)
                            self.counts[("method", method)] += 1
            self.counts["url_variants"] += 1
            self.urls_checked.add(entry.name)


@pytest.fixture
def worlds(db):
    return seed_world("alfa", with_pdfs=True), seed_world("beta")


@pytest.mark.slow
def test_url_matrix(worlds, capsys, quiet_refusals, uninstrumented_templates):
    alfa, beta = worlds
    failures = alfa.generic_failures + beta.generic_failures
    assert not failures, (
        "seed_world could not build a row of these models from their field types; add explicit rows for them "
        f"in tests/security/dataset.py: {failures}"
    )
    # FINSAM_MATRIX_ONLY=name,name runs part of the matrix while working on those views.
    only = {name for name in os.environ.get("FINSAM_MATRIX_ONLY", "").split(",") if name}
    started = time.perf_counter()
    matrix = Matrix(alfa, beta)
    try:
        for entry in project_urls():
            if entry.name not in REGISTRY:
                continue  # reported by test_every_url_is_in_the_registry
            if only and entry.name not in only:
                continue
            matrix.run_entry(entry)
    finally:
        matrix.close()
    elapsed = time.perf_counter() - started
    counts = matrix.counts
    summary = (
        f"URL matrix: {len(matrix.urls_checked)} URLs in {counts['url_variants']} path variants (draft and adopted "
        f"plan, every word of an enumerated argument) × GET/POST (DELETE where a view takes it: "
        f"{counts[('method', 'DELETE')]} requests) × {len(ROLES)} roles (+ B's users with A's ids at B's address) "
        f"× with/without HX-Request = {counts['requests']} requests checked in {elapsed:.1f} s; "
        f"{counts['leaks']} leaks, {counts['server_errors']} server errors, {len(matrix.failures)} failures."
    )
    with capsys.disabled():
        print("\n" + summary)
        if os.environ.get("FINSAM_MATRIX_PROFILE"):
            for key, seconds in matrix.seconds.most_common(25):
                print(f"  {seconds:6.2f} s  {key}")
        if matrix.slow_seconds:
            print(f"URL matrix: slow answers (> 1 s): {matrix.slow_seconds}")
    assert not matrix.failures, summary + "\n" + "\n".join(matrix.failures[:40])


# --- The adopted plan and the history are read-only -------------------------------------------------


@pytest.fixture
def alfa(db):
    return seed_world("alfa")


def test_the_history_cannot_be_edited_through_the_app(alfa):
    from django.contrib import admin
    from django.test import RequestFactory

    from plans.models import PlanEvent

    event = PlanEvent.objects.filter(plan=alfa.draft).first()
    event.summary = "ändrad"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()

    request = RequestFactory().get("/admin/")
    request.user = alfa.users["chief"]
    request.user.is_superuser = request.user.is_staff = True
    read_only = [model for model in admin.site._registry if model._meta.label in {
        "plans.PlanEvent", "plans.PlanSnapshot", "plans.Stance", "plans.PlanPdf"}]  # fmt: skip
    assert any(model is PlanEvent for model in read_only)
    for model in read_only:
        model_admin = admin.site._registry[model]
        obj = model._default_manager.first()
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request, obj), model
        assert not model_admin.has_delete_permission(request, obj), model


def post_to_every_plan_edit_route(world: World, data: dict) -> tuple[list[tuple[str, dict, int]], bool]:
    """POST `data` as the chief to every plan-editing route with the adopted plan's objects: each answer as
    (URL name, fixed words, status), and whether the database is exactly as it was."""
    from tests.security.test_atomicity import dump_everything

    chief = Client(raise_request_exception=False)
    chief.force_login(world.users["chief"])
    before = dump_everything()
    answers = []
    for entry in project_urls():
        if REGISTRY.get(entry.name) != PLAN_EDIT:
            continue
        for fixed in entry.variants():
            kwargs, uses_objects = build_kwargs(entry, world, world.adopted_objects, fixed)
            if uses_objects:
                response = chief.post(
                    reverse(entry.name, kwargs=kwargs), data, headers={"HX-Request": "true"}
                )
                answers.append((entry.name, fixed, response.status_code))
    after = dump_everything()
    for dump in (before, after):
        del dump["sessions.Session"]
    return answers, after == before


def test_no_editing_url_changes_an_adopted_plan(alfa, capsys):
    answers, unchanged = post_to_every_plan_edit_route(alfa, {})
    refused = [answer for answer in answers if answer[2] not in (403, 404, 405)]
    with capsys.disabled():
        print(
            f"\nAdopted plan: {len(answers)} editing URLs posted by the chief, all refused, nothing changed"
        )
    assert len(answers) > 20 and refused == [] and unchanged
