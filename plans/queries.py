"""Reads of a whole plan, shared by the review page and the PDF so that the two never disagree."""

from dataclasses import dataclass
from functools import cached_property

from budgets.calc import BudgetResult, GrantSummary, grant_summary, plan_budget
from finsam.models import BoardSeat, StaffMember
from interventions.models import Intervention
from plans.models import Chapter, Goal, Plan


@dataclass
class ChapterEntry:
    chapter: Chapter
    number: str


@dataclass
class PlanDocument:
    plan: Plan
    chapters: list[ChapterEntry]
    goals: list[Goal]
    target_groups: list
    control_items: list
    communication_items: list
    activity_items: list
    board_seats: list[BoardSeat]
    staff: list[StaffMember]
    interventions: list[Intervention]
    budget: BudgetResult

    @cached_property
    def grant_summary(self) -> GrantSummary:
        return grant_summary(self.interventions, self.budget.years or list(self.plan.year_range))

    @property
    def shows_interventions(self) -> bool:
        """Whether the document has the interventions' own sections (so budget rows can link to them)."""
        return any(entry.chapter.kind == Chapter.Kind.INTERVENTIONS for entry in self.chapters)

    @cached_property
    def interventions_by_kind(self) -> list[tuple[str, list[Intervention]]]:
        groups = []
        for kind, label in Intervention.Kind.choices:
            members = [i for i in self.interventions if i.kind == kind]
            if members:
                groups.append((label, members))
        return groups


def number_chapters(chapters: list[Chapter]) -> list[ChapterEntry]:
    """1, 1.1, 1.2, 2 ... from the chapters' levels, in order."""
    entries = []
    major = minor = 0
    for chapter in chapters:
        if chapter.level == 1 or major == 0:
            major += 1
            minor = 0
            number = str(major)
        else:
            minor += 1
            number = f"{major}.{minor}"
        entries.append(ChapterEntry(chapter, number))
    return entries


def plan_document(plan: Plan) -> PlanDocument:
    """Everything the document shows, with a number of queries independent of the plan's size."""
    association = plan.association
    budget = plan_budget(plan)
    return PlanDocument(
        plan=plan,
        chapters=number_chapters(list(plan.chapters.all())),
        goals=list(plan.goals.prefetch_related("indicators")),
        target_groups=list(plan.target_groups.all()),
        control_items=list(plan.control_items.all()),
        communication_items=list(plan.communication_items.all()),
        activity_items=list(plan.activity_items.select_related("goal")),
        board_seats=list(association.board_seats.select_related("appointed_by")),
        staff=list(association.staff.all()),
        interventions=budget.interventions,
        budget=budget,
    )
