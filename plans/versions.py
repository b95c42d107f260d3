"""The one version number people see: the number of the submission to the board.

Version 1 is the first version the chief sends to the board; every submission is the next number, and a
new version of an adopted plan (a revision) goes on from the number the adopted one had. A draft is
"utkast" before its first submission and "utkast till version N+1" after submission N. The plan's
`revision` (which copy of the year's plan this is) and other counters stay internal.
"""

from __future__ import annotations

from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from plans.models import Plan


def with_versions(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """`plans` with the numbers `version_label` needs, in the same query."""
    return plans.annotate(
        last_sent_number=Max("snapshots__number"), base_sent_number=Max("revision_of__snapshots__number")
    )


def sent_number(plan: Plan) -> int:
    """The number of the plan's last submission (0: never sent); a revision goes on from the plan it
    revises. Reads `with_versions`' numbers when the plan has them, else asks the database."""
    if hasattr(plan, "last_sent_number"):
        own, base = plan.last_sent_number, plan.base_sent_number
    else:
        own = plan.snapshots.aggregate(last=Max("number"))["last"] if plan.pk else None
        base = None
        if own is None and plan.revision_of_id:
            base = plan.revision_of.snapshots.aggregate(last=Max("number"))["last"]
    return own or base or 0


def next_number(plan: Plan) -> int:
    """The number the plan's next submission gets."""
    return sent_number(plan) + 1


def version_label(plan: Plan) -> str:
    """ "version 3" for a plan sent, approved or adopted; "utkast" or "utkast till version 4" for a draft;
    a revised budget says so: "version 3, reviderad budget"."""
    sent = sent_number(plan)
    if plan.is_editable:
        label = _("utkast till version %(number)s") % {"number": sent + 1} if sent else _("utkast")
    else:
        label = _("version %(number)s") % {"number": sent} if sent else _("utkast")
    if plan.budget_only:
        return _("%(version)s, reviderad budget") % {"version": label}
    return label


def adopted_version(plan: Plan) -> Plan:
    """The version of `plan`'s year in force: the latest adopted one when a revised budget adopted during the
    year superseded `plan`, else `plan` itself (also when none is adopted). The year's follow-up compares
    against it and its reports report on it."""
    if plan.state != Plan.State.SUPERSEDED:
        return plan
    latest = (
        Plan.objects.filter(
            association_id=plan.association_id,
            first_year=plan.first_year,
            state=Plan.State.ADOPTED,
            kind=Plan.Kind.PLAN,
        )
        .select_related("association")
        .order_by("-revision")
        .first()
    )
    return latest or plan
