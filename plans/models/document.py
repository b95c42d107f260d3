"""A yearly plan (verksamhetsplan och budget) and its text parts.

A plan covers `years` consecutive years from `first_year`; the first year gets the precise budget.
Its content is an ordered list of chapters: free-text chapters and chapters that hold one of the
structured parts (goals, target groups, interventions, budget...) at the place the association chose.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from finsam.editing import Versioned
from finsam.models import Association
from finsam.money import money_field
from finsam.validators import YEAR_VALIDATORS


class Plan(Versioned):
    """A plan, or a report on an adopted plan (`kind`): an interim report or the annual report is a
    document of the same kind, reviewed, adopted, frozen and archived as a plan is (`plans.reports`)."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("Verksamhetsplan och budget")
        INTERIM_REPORT = "interim_report", _("Delårsrapport")
        ANNUAL_REPORT = "annual_report", _("Verksamhetsberättelse och årsredovisning")

    REPORT_KINDS = {Kind.INTERIM_REPORT, Kind.ANNUAL_REPORT}

    class State(models.TextChoices):
        DRAFT = "draft", _("Utkast")
        IN_REVIEW = "in_review", _("Under granskning")
        CHANGES_REQUESTED = "changes_requested", _("Ändringar begärda")
        APPROVED = "approved", _("Tillstyrkt")
        ADOPTED = "adopted", _("Fastställd")
        SUPERSEDED = "superseded", _("Ersatt")

    class Unit(models.TextChoices):
        KR = "kr", _("kronor")
        TKR = "tkr", _("tusental kronor (tkr)")

    LOCKED_STATES = {State.ADOPTED, State.SUPERSEDED}

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(_("dokument"), max_length=20, choices=Kind.choices, default=Kind.PLAN)
    # A report: the adopted plan version it reports on, and for an interim report the last day it covers.
    # Set for every report by `plans.reports.report_create` (no check constraint: a backup's import
    # inserts a row's links to its own table after the row).
    report_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("rapporterar om"),
    )
    period_end = models.DateField(_("perioden till och med"), null=True, blank=True)
    title = models.CharField(_("titel"), max_length=200)
    first_year = models.PositiveSmallIntegerField(_("första år"), validators=YEAR_VALIDATORS)
    years = models.PositiveSmallIntegerField(
        _("antal år"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text=_("Lagens normalfall är tre år: en budget och två planår."),
    )
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.DRAFT)
    revision = models.PositiveSmallIntegerField(
        _("version"), default=1, help_text=_("Ökar när en fastställd plan revideras.")
    )
    revision_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("reviderar"),
    )
    # A revised budget during the year (omdisponering, tilläggsbudget): a revision limited to the budget,
    # set once when the revision is made. Its text parts cannot change (`plans.gateway`).
    budget_only = models.BooleanField(
        _("reviderad budget"),
        default=False,
        help_text=_("En ny version som bara ändrar budgeten (omdisponering eller tilläggsbudget)."),
    )
    rolled_over_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rolled_over_to",
        verbose_name=_("skapad från"),
    )
    adopted_on = models.DateField(_("fastställd den"), null=True, blank=True)
    minutes_reference = models.CharField(
        _("protokollsparagraf"), max_length=40, blank=True, help_text=_("Till exempel §39.")
    )
    unit = models.CharField(_("enhet i tabeller"), max_length=3, choices=Unit.choices, default=Unit.TKR)
    decimals = models.PositiveSmallIntegerField(
        _("decimaler i tkr"), default=0, validators=[MaxValueValidator(1)]
    )
    costs_negative = models.BooleanField(_("visa kostnader som negativa tal"), default=False)
    opening_equity = money_field(
        _("ingående eget kapital"),
        null=True,
        blank=True,
        help_text=_("Eget kapital vid ingången av den första kolumnens år, i kronor."),
    )
    deficit_explanation = models.TextField(
        _("motivering till underskott"),
        blank=True,
        help_text=_("Synnerliga skäl enligt 21 § när kostnaderna överstiger intäkterna."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Published at the open link (HTML and the archived PDF): yes, no (withdrawn), or, when not set, as the
    # association publishes its adopted plans (`Association.publish_adopted_plans`).
    public = models.BooleanField(_("publicerad på den öppna länken"), null=True, blank=True, default=None)

    class Meta:
        verbose_name = _("verksamhetsplan")
        verbose_name_plural = _("verksamhetsplaner")
        ordering = ["association", "-first_year", "-revision"]
        constraints = [
            # The association's plan for a year: one row per revision. A report is one per what it reports.
            models.UniqueConstraint(
                fields=["association", "first_year", "revision"],
                condition=Q(kind="plan"),
                name="plan_unique_revision_per_year",
            ),
            models.UniqueConstraint(
                fields=["report_of", "revision"],
                condition=Q(kind="annual_report"),
                name="annual_report_once_per_plan",
            ),
            models.UniqueConstraint(
                fields=["report_of", "period_end", "revision"],
                condition=Q(kind="interim_report"),
                name="interim_report_once_per_period",
            ),
            models.CheckConstraint(condition=Q(years__gte=1, years__lte=6), name="plan_years_1_to_6"),
            models.CheckConstraint(
                condition=~Q(state="adopted") | Q(adopted_on__isnull=False),
                name="plan_adopted_has_date",
            ),
        ]
        indexes = [models.Index(fields=["association", "state"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.association})"

    def get_absolute_url(self) -> str:
        return reverse("plan_detail", kwargs={"association": self.association.slug, "pk": self.pk})

    @property
    def last_year(self) -> int:
        return self.first_year + self.years - 1

    @property
    def year_range(self) -> range:
        return range(self.first_year, self.first_year + self.years)

    @property
    def is_report(self) -> bool:
        return self.kind in self.REPORT_KINDS

    @property
    def is_locked(self) -> bool:
        return self.state in self.LOCKED_STATES

    @property
    def is_public(self) -> bool:
        """Whether anyone, logged in or not, may read the plan at its open link (adopted plans only)."""
        chosen = self.public if self.public is not None else self.association.publish_adopted_plans
        return self.is_locked and chosen

    @property
    def is_editable(self) -> bool:
        return self.state in (self.State.DRAFT, self.State.CHANGES_REQUESTED)

    def clean(self):
        if self.state == self.State.ADOPTED and not self.adopted_on:
            raise ValidationError({"adopted_on": _("En fastställd plan måste ha ett beslutsdatum.")})


class PlanPart(Versioned):
    """Base of the ordered items of a plan."""

    # What an item is ordered among (and hangs from): its plan's items, or an indicator its goal's.
    ordered_within = "plan"
    # The field that names an item (its str(), in the admin and the history).
    label_field = "pk"

    position = models.PositiveIntegerField(_("ordning"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return str(getattr(self, self.label_field))


class Chapter(PlanPart):
    label_field = "heading"

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        GOALS = "goals", _("Mål och indikatorer")
        TARGET_GROUPS = "target_groups", _("Prioriterade målgrupper")
        ORGANISATION = "organisation", _("Organisation och styrelse")
        INTERVENTIONS = "interventions", _("Insatser")
        CONTROL = "control", _("Internkontrollplan")
        COMMUNICATION = "communication", _("Kommunikationsplan")
        ACTIVITY = "activity", _("Aktivitetsplan")
        BUDGET = "budget", _("Budget")
        # A report's chapters that show the follow-up of the plan it reports on (`plans.reports`).
        GOAL_REPORT = "goal_report", _("Måluppfyllelse")
        INTERVENTION_REPORT = "intervention_report", _("Insatsernas uppföljning")
        BUDGET_OUTCOME = "budget_outcome", _("Budget och utfall")
        EQUITY = "equity", _("Eget kapital")
        INTERVENTION_OUTCOME = "intervention_outcome", _("Insatsernas utfall mot beviljat")

    # What each kind of document may hold (the editor offers only these).
    REPORT_KINDS = {
        Kind.TEXT, Kind.GOAL_REPORT, Kind.INTERVENTION_REPORT, Kind.BUDGET_OUTCOME, Kind.EQUITY,
        Kind.INTERVENTION_OUTCOME,
    }  # fmt: skip
    PLAN_KINDS = (set(Kind) - REPORT_KINDS) | {Kind.TEXT}

    @classmethod
    def kinds_for(cls, plan: Plan) -> list[tuple[str, str]]:
        """The (value, label) choices of a chapter's content in this document (plan or report)."""
        allowed = cls.REPORT_KINDS if plan.is_report else cls.PLAN_KINDS
        return [(value, label) for value, label in cls.Kind.choices if value in allowed]

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="chapters")
    heading = models.CharField(_("rubrik"), max_length=300)
    level = models.PositiveSmallIntegerField(
        _("nivå"), default=1, validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    kind = models.CharField(_("innehåll"), max_length=20, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField(_("text (Markdown)"), blank=True)
    years_intended = models.BooleanField(
        _("tidigare år är avsedda"),
        default=False,
        help_text=_("Till exempel ett kapitel om förbundets historia: tidigare årtal ger ingen varning."),
    )

    class Meta(PlanPart.Meta):
        verbose_name = _("kapitel")
        verbose_name_plural = _("kapitel")
        constraints = [
            # Each structured part appears once in a plan; text chapters as often as wanted.
            models.UniqueConstraint(
                fields=["plan", "kind"],
                condition=~Q(kind="text"),
                name="chapter_structured_part_once",
            ),
            models.CheckConstraint(condition=Q(level__in=[1, 2]), name="chapter_level_1_or_2"),
        ]


# The kinds of goal a new association starts with; each association renames and extends its own list.
DEFAULT_GOAL_CATEGORIES = [
    ("overall", _("Inriktningsmål / övergripande mål")),
    ("board", _("Styrelsens mål")),
    ("yearly", _("Årsvist mål")),
    ("quality", _("Kvalitetsmål")),
    ("financial", _("Finansiellt mål")),
    ("other", _("Övrigt mål")),
]


class GoalCategory(models.Model):
    """A kind of goal an association uses in its plans ("Inriktningsmål", "Styrelsens mål", …). Each
    association names its own (`plans.goal_categories`); a goal's category is printed before its title."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="goal_categories")
    name = models.CharField(_("målkategori"), max_length=200)
    position = models.PositiveIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("målkategori")
        verbose_name_plural = _("målkategorier")
        ordering = ["association", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["association", "name"], name="goal_category_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Goal(PlanPart):
    label_field = "title"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    category = models.ForeignKey(
        GoalCategory,
        on_delete=models.PROTECT,
        related_name="goals",
        null=True,
        blank=True,
        verbose_name=_("målkategori"),
    )
    title = models.CharField(_("mål"), max_length=500)
    description = models.TextField(_("beskrivning (Markdown)"), blank=True)
    years_intended = models.BooleanField(
        _("tidigare år är avsedda"),
        default=False,
        help_text=_("Till exempel ett mål mätt mot ett basår: tidigare årtal ger ingen varning."),
    )

    class Meta(PlanPart.Meta):
        verbose_name = _("mål")
        verbose_name_plural = _("mål")


class Indicator(PlanPart):
    ordered_within = "goal"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="indicators")
    text = models.TextField(_("indikator"))
    target = models.CharField(_("målvärde"), max_length=500, blank=True)
    method = models.TextField(_("uppföljningsmetod"), blank=True)

    class Meta(PlanPart.Meta):
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")

    def __str__(self) -> str:
        return self.text[:80]


class TargetGroup(PlanPart):
    label_field = "name"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="target_groups")
    name = models.CharField(_("målgrupp eller behovsområde"), max_length=500)
    description = models.TextField(_("beskrivning"), blank=True)

    class Meta(PlanPart.Meta):
        verbose_name = _("prioriterad målgrupp")
        verbose_name_plural = _("prioriterade målgrupper")


class ControlItem(PlanPart):
    """A row of the internal control plan (internkontrollplan)."""

    label_field = "routine"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="control_items")
    routine = models.CharField(_("rutin/system"), max_length=300)
    control_step = models.TextField(_("kontrollmoment"), blank=True)
    responsible = models.CharField(_("kontrollansvar"), max_length=300, blank=True)
    frequency = models.CharField(_("frekvens"), max_length=200, blank=True)
    method = models.CharField(_("metod"), max_length=300, blank=True)
    reported_to = models.CharField(_("rapportering till"), max_length=200, blank=True)
    risk = models.CharField(_("bedömning av risk"), max_length=200, blank=True)

    class Meta(PlanPart.Meta):
        verbose_name = _("internkontrollpunkt")
        verbose_name_plural = _("internkontrollplan")


class CommunicationItem(PlanPart):
    label_field = "audience"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="communication_items")
    audience = models.CharField(_("målgrupp"), max_length=500)
    channel = models.TextField(_("vad och kanal"), blank=True)
    frequency = models.CharField(_("frekvens"), max_length=300, blank=True)
    responsible = models.CharField(_("ansvarig"), max_length=500, blank=True)

    class Meta(PlanPart.Meta):
        verbose_name = _("kommunikationsinsats")
        verbose_name_plural = _("kommunikationsplan")


class ActivityItem(PlanPart):
    label_field = "activity"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activity_items")
    activity = models.CharField(_("aktivitet"), max_length=500)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    done_by = models.DateField(_("klart"), null=True, blank=True)
    goal = models.ForeignKey(
        Goal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("mål som aktiviteten stödjer"),
    )
    responsible = models.CharField(_("ansvarig"), max_length=300, blank=True)

    class Meta(PlanPart.Meta):
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktivitetsplan")
        constraints = [
            models.CheckConstraint(
                condition=Q(done_by__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(done_by__gte=models.F("starts_on")),
                name="activity_done_after_start",
            )
        ]

    def clean(self):
        if self.starts_on and self.done_by and self.done_by < self.starts_on:
            raise ValidationError({"done_by": _("Klart-datum kan inte ligga före start.")})
        if self.goal_id and self.plan_id and self.goal.plan_id != self.plan_id:
            raise ValidationError({"goal": _("Målet hör till en annan plan.")})
