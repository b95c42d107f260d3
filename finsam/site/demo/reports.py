"""Demo data for the annual report: the adopted plan of the follow-up's year carried through to its
adopted annual report (verksamhetsberättelse och årsredovisning), and the members' decisions on it.

After the follow-up is loaded (`finsam.site.demo.followup`), the chief starts the annual report on the
adopted plan, writes its text chapters, sends it to the board; a board member approves it and the chair
records the board's decision. The adoption queues the archival PDF/A, as any adoption does. Each member
then has its auditors' report and its decision on discharge recorded. Everything goes through the
services, as the people would do it. The texts, dates and § are invented for the demo and say so.
Runs inside the caller's transaction.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from finsam.models import Association, Organisation
from plans.discharge import auditors_report_save, discharge_decision_save
from plans.models import Chapter, Plan, Stance
from plans.reports import report_create
from plans.review import plan_adopt, plan_stance_record, plan_submit
from plans.services import plan_part_update

INVENTED = "(Påhittad text i demon.)"
TEXTS = {
    "Inledning": "Året präglades av pandemin: flera insatser ställde om till digitala träffar, och "
    "samverkan mellan parterna fördjupades. " + INVENTED,
    "Väsentliga händelser under året": "- Insatserna ställde om till distansstöd under våren.\n"
    "- Styrelsen beslutade om en reviderad kommunikationsplan.\n\n" + INVENTED,
    "Förväntad utveckling": "Förbundet räknar med fler deltagare när verksamheten åter kan mötas "
    "fysiskt, och med oförändrade medlemsbidrag. " + INVENTED,
}


def load_report_demo(association: Association) -> Plan | None:
    """The adopted annual report on the association's adopted plan whose year was followed up (see the
    module's doc). Returns the report, or None when there is no followed plan or it has a report already.
    Side effects: the report with its chapters and snapshot, a stance, the adoption, the PDF queued, one
    auditors' report and one discharge decision per member, and their history events."""
    users = get_user_model().objects
    plan = followed_plan(association)
    if plan is None or plan.reports.filter(kind=Plan.Kind.ANNUAL_REPORT).exists():
        return None
    chief = users.get(username=f"chef.{association.slug}")
    board = users.get(username=f"ledamot.{association.slug}")
    chair = users.get(username=f"ordforande.{association.slug}")
    year = plan.first_year

    report = report_create(plan=plan, kind=Plan.Kind.ANNUAL_REPORT, by=chief)
    for chapter in report.chapters.filter(kind=Chapter.Kind.TEXT):
        if chapter.heading in TEXTS:
            plan_part_update(
                plan=report, item=chapter, expected_version=chapter.version,
                changes={"body": TEXTS[chapter.heading]}, by=chief,
            )  # fmt: skip
    plan_submit(plan=report, by=chief, notify=False)
    plan_stance_record(plan=report, by=board, stance=Stance.Kind.APPROVE)
    report.refresh_from_db()
    plan_adopt(plan=report, by=chair, adopted_on=datetime.date(year + 1, 3, 18), minutes_reference="§14")
    report.refresh_from_db()

    for place, member in enumerate(Organisation.objects.filter(association=association, is_member=True)):
        auditors_report_save(
            report=report,
            values={
                "organisation": member,
                "reported_on": datetime.date(year + 1, 4, 6),
                "recommends_discharge": True,
                "statement": "Räkenskaperna är rättvisande och verksamheten har skötts ändamålsenligt. "
                + INVENTED,
            },
            by=chief,
        )
        discharge_decision_save(
            report=report,
            values={
                "organisation": member,
                "decided_on": datetime.date(year + 1, 5, 20 + place % 8),
                "decided_by": fullmaktige(member),
                "minutes_reference": f"§{60 + place}",
                "granted": True,
                "comment": "",
            },
            by=chief,
        )
    return report


def followed_plan(association: Association) -> Plan | None:
    """The association's latest adopted plan whose year has a follow-up (the demo's follow-up year)."""
    years = association.followups.values_list("year", flat=True)
    return (
        association.plans.filter(kind=Plan.Kind.PLAN, state=Plan.State.ADOPTED, first_year__in=years)
        .order_by("-first_year")
        .first()
    )


def fullmaktige(member: Organisation) -> str:
    """Who decides on discharge for the member: its council, or the authority's board."""
    return {
        Organisation.Kind.MUNICIPALITY: "Kommunfullmäktige",
        Organisation.Kind.REGION: "Regionfullmäktige",
    }.get(member.kind, "Myndighetens ledning")
