"""Reports on an adopted plan: the interim report (delårsrapport) and the annual report (verksamhetsberättelse
och årsredovisning), written as documents of their own from the plan and its year's follow-up.

A report is a `Plan` row of its kind (`Plan.Kind`), reporting on the adopted plan version in `report_of`
(and, for an interim report, up to `period_end`). So it is written in the plan editor, sent to the board,
commented on, adopted with its date and §, frozen and archived as PDF/A exactly as a plan is: the review
(`plans.review`), the snapshots (`plans.snapshots`) and the PDF (`plans.pdf`) are the plan's own.

What it holds are its parts (`plans.parts.parts_of`): text chapters in the chief's own words, and chapters
that show the follow-up of the plan it reports on, each registered by the app that owns the data: goal
fulfilment per goal and indicator (here), the insatser with their participants and reports
(`interventions.parts`), budget against outcome, equity and each insats's outcome against its grant
(`budgets.report_parts`). Each part's `freeze` reads the follow-up into the snapshot: a draft report shows
the follow-up as it is now, a report sent to the board shows what was frozen, whatever is written later.

`report_create` starts a report from the plan's page; the members' auditors' reports and discharge
decisions on an adopted annual report are recorded in `plans.discharge`.
"""

from __future__ import annotations

import calendar
import datetime
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finsam.models import Membership
from plans.gateway import plan_change
from plans.goal_outcomes import goal_follow_up, judgement_totals
from plans.models import Chapter, Plan, PlanEvent
from plans.parts import PartKind, register
from plans.snapshots import key_id
from plans.transitions import user_role
from plans.versions import adopted_version

Kind = Plan.Kind
REPORT_DOCUMENTS = frozenset({Kind.INTERIM_REPORT, Kind.ANNUAL_REPORT})

# The months an interim report can run to (from January): after four, six or eight months.
INTERIM_MONTHS = (4, 6, 8)
MONTH_NAMES = {
    4: gettext_lazy("januari–april"),
    6: gettext_lazy("januari–juni"),
    8: gettext_lazy("januari–augusti"),
}

# The chapters a new report starts with: (content, heading, starter text), the chief rewrites the texts.
ANNUAL_CHAPTERS = (
    (Chapter.Kind.TEXT, gettext_lazy("Inledning"),
     gettext_lazy("Skriv här en kort sammanfattning av året: vad förbundet har gjort och vad det har lett till.")),
    (Chapter.Kind.TEXT, gettext_lazy("Väsentliga händelser under året"),
     gettext_lazy("Beskriv händelser under året som är viktiga för förbundets verksamhet och ekonomi.")),
    (Chapter.Kind.GOAL_REPORT, gettext_lazy("Måluppfyllelse"), ""),
    (Chapter.Kind.INTERVENTION_REPORT, gettext_lazy("Insatser"), ""),
    (Chapter.Kind.BUDGET_OUTCOME, gettext_lazy("Ekonomiskt utfall"),
     gettext_lazy("Kommentera resultatet och de större avvikelserna mot budgeten.")),
    (Chapter.Kind.INTERVENTION_OUTCOME, gettext_lazy("Insatsernas ekonomi"), ""),
    (Chapter.Kind.EQUITY, gettext_lazy("Eget kapital"), ""),
    (Chapter.Kind.TEXT, gettext_lazy("Förväntad utveckling"),
     gettext_lazy("Beskriv hur verksamheten och ekonomin väntas utvecklas de närmaste åren.")),
)  # fmt: skip
INTERIM_CHAPTERS = (
    (Chapter.Kind.TEXT, gettext_lazy("Inledning"),
     gettext_lazy("Skriv här en kort sammanfattning av perioden.")),
    (Chapter.Kind.TEXT, gettext_lazy("Väsentliga händelser under perioden"),
     gettext_lazy("Beskriv händelser under perioden som är viktiga för förbundets verksamhet och ekonomi.")),
    (Chapter.Kind.GOAL_REPORT, gettext_lazy("Måluppfyllelse hittills"), ""),
    (Chapter.Kind.INTERVENTION_REPORT, gettext_lazy("Insatser"), ""),
    (Chapter.Kind.BUDGET_OUTCOME, gettext_lazy("Utfall och prognos"),
     gettext_lazy("Kommentera utfallet hittills och prognosen för helåret.")),
    (Chapter.Kind.EQUITY, gettext_lazy("Eget kapital"), ""),
)  # fmt: skip


class ReportExists(ValidationError):
    """The plan already has this report; `report` is the one it has."""

    def __init__(self, message: str, report: Plan):
        super().__init__(message)
        self.report = report


def reported_plan(report: Plan) -> Plan:
    """The plan whose follow-up the report shows: the version of its year in force (a revised budget
    adopted after the report was started supersedes the plan it was started on)."""
    return adopted_version(report.report_of)


def interim_period_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def report_title(kind: str, year: int, period_end: datetime.date | None = None) -> str:
    if kind == Kind.ANNUAL_REPORT:
        return _("Verksamhetsberättelse och årsredovisning %(year)s") % {"year": year}
    return _("Delårsrapport %(months)s %(year)s") % {"months": MONTH_NAMES[period_end.month], "year": year}


def report_of_plan(plan: Plan, kind: str, period_end: datetime.date | None = None) -> Plan | None:
    """The report of this kind (and period) already started on the plan's year, if any: on this version or
    on one a revised budget superseded (a year has one annual report, whichever version it was started on)."""
    reports = Plan.objects.filter(
        association_id=plan.association_id, first_year=plan.first_year, kind=kind, report_of__isnull=False
    )
    if kind == Kind.INTERIM_REPORT:
        reports = reports.filter(period_end=period_end)
    return reports.order_by("-revision").first()


def report_create(*, plan: Plan, kind: str, by, months: int | None = None) -> Plan:
    """The chief starts a report on an adopted plan: a draft with the report's chapters (`ANNUAL_CHAPTERS`,
    `INTERIM_CHAPTERS`) and the plan's display settings. `months`: how far into the year an interim report
    runs (`INTERIM_MONTHS`).

    Refused: anyone but the chief (PermissionDenied); a plan that is not the adopted plan, an unknown kind
    or period, a second report of the same kind and period (`ReportExists`, naming it). Side effects: the
    report and its chapters, a "reported" event on both documents (the plan's row locked meanwhile)."""
    if user_role(by, plan.association) != Membership.Role.CHIEF:
        raise PermissionDenied(_("Bara förbundschefen kan skapa en rapport."))
    if kind not in REPORT_DOCUMENTS:
        raise ValidationError(_("Välj delårsrapport eller årsredovisning."))
    period_end = None
    if kind == Kind.INTERIM_REPORT:
        if months not in INTERIM_MONTHS:
            raise ValidationError(_("Välj vilken period delårsrapporten gäller."))
        period_end = interim_period_end(plan.first_year, months)
    with plan_change(plan, by=by, lifecycle=PlanEvent.Action.REPORTED) as change:
        if plan.kind != Kind.PLAN or plan.state != Plan.State.ADOPTED:
            raise ValidationError(_("En rapport skapas från den fastställda planen."))
        existing = report_of_plan(plan, kind, period_end)
        if existing is not None:
            raise ReportExists(
                _("Planen har redan en %(kind)s: ”%(title)s”.")
                % {"kind": Kind(kind).label.lower(), "title": existing.title},
                existing,
            )
        title = report_title(kind, plan.first_year, period_end)
        try:
            with transaction.atomic():
                report = Plan.objects.create(
                    association=plan.association,
                    kind=kind,
                    report_of=plan,
                    period_end=period_end,
                    title=title,
                    first_year=plan.first_year,
                    years=1,
                    unit=plan.unit,
                    decimals=plan.decimals,
                    costs_negative=plan.costs_negative,
                )
        except IntegrityError as error:  # another request started the same report first
            raise ValidationError(_("Rapporten finns redan. Ladda om sidan.")) from error
        chapters = ANNUAL_CHAPTERS if kind == Kind.ANNUAL_REPORT else INTERIM_CHAPTERS
        Chapter.objects.bulk_create(
            Chapter(plan=report, kind=part, heading=str(heading), body=str(body), position=position)
            for position, (part, heading, body) in enumerate(chapters, start=1)
        )
        change.record(
            PlanEvent.Action.REPORTED, _("Skapad från %(title)s") % {"title": plan.title}, {"plan": plan.pk},
            plan=report,
        )  # fmt: skip
        change.record(PlanEvent.Action.REPORTED, title, {"report": report.pk})
    return report


# --- Goal fulfilment: a part of a report ---------------------------------------------------------------


def load_goal_report(doc) -> None:
    doc.goal_report = goal_follow_up(reported_plan(doc.plan))


def freeze_goal_report(doc, content: dict) -> None:
    """Each goal of the plan reported on with its indicators' outcomes and judgements, and the totals."""
    content["goal_report"] = {
        "goals": [
            {
                "key": f"goal-{item.goal.pk}",
                "title": item.goal.title,
                "level": item.goal.category.name if item.goal.category else "",
                "indicators": [
                    {
                        "key": f"indicator-{indicator.pk}",
                        "text": indicator.text,
                        "target": indicator.target,
                        "value": indicator.followed.value if indicator.followed else "",
                        "judgement": indicator.followed.judgement if indicator.followed else "",
                        "judgement_label": (
                            indicator.followed.get_judgement_display() if indicator.followed else ""
                        )
                        or _("Ej bedömt"),
                        "comment": indicator.followed.comment if indicator.followed else "",
                    }
                    for indicator in item.indicators
                ],
            }
            for item in doc.goal_report
        ],
        "totals": [
            {"judgement": value, "label": str(label), "count": count}
            for value, label, count in judgement_totals(doc.goal_report)
        ],
    }


def thaw_goal_report(content: dict, view) -> None:
    frozen = content.get("goal_report", {"goals": [], "totals": []})
    view.goal_report = SimpleNamespace(
        goals=[SimpleNamespace(**goal, pk=key_id(goal["key"])) for goal in frozen["goals"]],
        totals=frozen["totals"],
    )


def goal_report_comment_targets(content: dict) -> dict[tuple[str, str], str]:
    """The board comments on each goal as the report reports on it."""
    return {("goal", goal["key"]): goal["title"] for goal in content.get("goal_report", {}).get("goals", [])}


GOAL_REPORT = PartKind(
    key="goal_report",
    models=(),
    copy=lambda job: None,  # a report is never copied
    load=load_goal_report,
    freeze=freeze_goal_report,
    thaw=thaw_goal_report,
    comment_targets=goal_report_comment_targets,
    documents=REPORT_DOCUMENTS,
)


def register_goal_report() -> None:
    register(GOAL_REPORT)
