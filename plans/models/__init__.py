"""The plans app's models: the plan and its text parts (`document`), its life (`lifecycle`: history,
PDFs, frozen versions, comments, stances) the year's follow-up of its goals (`followup`), and what the members decide on an annual report
(`reports`)."""

from plans.models.document import (
    DEFAULT_GOAL_CATEGORIES,
    ActivityItem,
    Chapter,
    CommunicationItem,
    ControlItem,
    Goal,
    GoalCategory,
    Indicator,
    Plan,
    PlanPart,
    TargetGroup,
)
from plans.models.followup import IndicatorOutcome
from plans.models.lifecycle import (
    Comment,
    PlanEvent,
    PlanPdf,
    PlanSnapshot,
    Stance,
    plan_pdf_upload_to,
)
from plans.models.reports import AuditorsReport, DischargeDecision

__all__ = [
    "DEFAULT_GOAL_CATEGORIES",
    "ActivityItem",
    "AuditorsReport",
    "Chapter",
    "Comment",
    "CommunicationItem",
    "ControlItem",
    "DischargeDecision",
    "Goal",
    "GoalCategory",
    "Indicator",
    "IndicatorOutcome",
    "Plan",
    "PlanEvent",
    "PlanPart",
    "PlanPdf",
    "PlanSnapshot",
    "Stance",
    "TargetGroup",
    "plan_pdf_upload_to",
]
