"""The multi-year budget of a plan.

Columns are years with a kind (outcome, forecast, budget, plan). Lines sit in ordered groups within
revenue and costs, and hold an amount per column. Two kinds of group compute their rows instead of
storing them, so that no number is entered twice:
- a `contributions` group: the statutory split of the members' total contribution of each column;
- an `interventions_decided` group: the plan's granted interventions, from their grants per year
  (it may also hold typed lines). Where the chief sets an intervention's budgeted amount for a year
  (`InterventionBudgetAmount`: a frame of 600 000 kr for a grant of 598 085 kr), the row shows that instead.
Costs are stored as positive amounts; the plan decides whether they print as negative numbers.
`StatedFigure` keeps totals as printed in an imported document, to be compared with computed ones.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.validators import MaxMoneyValidator, MinMoneyValidator

from finsam.editing import Versioned
from finsam.models import Association, FollowUpPeriod, Organisation
from finsam.money import MAX_AMOUNT, money_field
from finsam.validators import YEAR_VALIDATORS
from plans.models import Plan


class BudgetColumn(Versioned):
    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("Utfall")
        FORECAST = "forecast", _("Prognos")
        BUDGET = "budget", _("Budget")
        PLAN = "plan", _("Plan")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="budget_columns")
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    contributions_total = money_field(
        _("medlemsavgifter totalt"),
        null=True,
        blank=True,
        validators=[MinMoneyValidator(0)],
        help_text=_("Medlemmarnas sammanlagda insats detta år, i kronor."),
    )

    class Meta:
        verbose_name = _("budgetkolumn")
        verbose_name_plural = _("budgetkolumner")
        ordering = ["plan", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="budget_column_unique_year"),
            models.CheckConstraint(
                condition=Q(contributions_total__isnull=True) | Q(contributions_total__gte=0),
                name="budget_column_contributions_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"


class BudgetGroup(Versioned):
    class Section(models.TextChoices):
        REVENUE = "revenue", _("Intäkter")
        COSTS = "costs", _("Kostnader")

    class Kind(models.TextChoices):
        CONTRIBUTIONS = "contributions", _("Medlemsavgifter")
        FINANCIAL = "financial", _("Finansiella intäkter")
        FINANCIAL_COSTS = "financial_costs", _("Finansiella kostnader")
        ADMINISTRATION = "administration", _("Administration")
        INTERVENTIONS_DECIDED = "interventions_decided", _("Beslutade insatser")
        INTERVENTIONS_UNDECIDED = "interventions_undecided", _("Ej beslutade insatser")
        PROJECT_COSTS = "project_costs", _("Projektrelaterade kostnader")
        OTHER = "other", _("Övrigt")

    REVENUE_KINDS = {Kind.CONTRIBUTIONS, Kind.FINANCIAL, Kind.OTHER}
    FINANCIAL_KINDS = {Kind.FINANCIAL, Kind.FINANCIAL_COSTS}
    COMPUTED_KINDS = {Kind.CONTRIBUTIONS, Kind.INTERVENTIONS_DECIDED}

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="budget_groups")
    section = models.CharField(_("del"), max_length=10, choices=Section.choices)
    kind = models.CharField(_("typ"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(_("rubrik"), max_length=200)
    collapsed = models.BooleanField(
        _("visa som en rad"), default=False, help_text=_("Gruppen skrivs ut som en rad med sin summa.")
    )
    # One level of subtotal over groups: consecutive groups of a section with the same name here print one
    # more row after the last of them, "Summa <name>" (e.g. decided and undecided interventions).
    summed_under = models.CharField(
        _("delsumma över grupper"),
        max_length=200,
        blank=True,
        help_text=_("Samma namn på grupper som står i följd ger en gemensam delsumma efter dem."),
    )
    position = models.PositiveIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("budgetgrupp")
        verbose_name_plural = _("budgetgrupper")
        ordering = ["plan", "section", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind"],
                condition=Q(kind__in=["contributions", "interventions_decided"]),
                name="budget_group_computed_once",
            ),
            models.CheckConstraint(
                condition=Q(section="revenue", kind__in=["contributions", "financial", "other"])
                | Q(section="costs") & ~Q(kind__in=["contributions", "financial"]),
                name="budget_group_kind_fits_section",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        return self.kind in self.COMPUTED_KINDS

    def clean(self):
        if self.section == self.Section.REVENUE and self.kind not in self.REVENUE_KINDS:
            raise ValidationError({"kind": _("Den typen av grupp hör till kostnaderna.")})
        if self.section == self.Section.COSTS and self.kind in (
            self.Kind.CONTRIBUTIONS,
            self.Kind.FINANCIAL,
        ):
            raise ValidationError({"kind": _("Den typen av grupp hör till intäkterna.")})


class BudgetLine(Versioned):
    group = models.ForeignKey(BudgetGroup, on_delete=models.CASCADE, related_name="lines")
    name = models.CharField(_("benämning"), max_length=300)
    undecided = models.BooleanField(
        _("ej beslutade medel"), default=False, help_text=_("Medel som ännu inte är beviljade någon insats.")
    )
    position = models.PositiveIntegerField(_("ordning"), default=0)
    # The line's identity across copies: a revision (and next year's plan) copies it with the line, so the
    # year's follow-up (`FollowUpOutcome.row`) still finds the line when a revised plan supersedes this one.
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("budgetrad")
        verbose_name_plural = _("budgetrader")
        ordering = ["group", "position", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.group_id and self.group.kind == BudgetGroup.Kind.CONTRIBUTIONS:
            raise ValidationError(
                _("Medlemsavgifternas rader räknas fram ur totalen och kan inte skrivas in.")
            )


class BudgetAmount(Versioned):
    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="amounts")
    column = models.ForeignKey(BudgetColumn, on_delete=models.CASCADE, related_name="amounts")
    amount = money_field(
        _("belopp"), validators=[MinMoneyValidator(-MAX_AMOUNT), MaxMoneyValidator(MAX_AMOUNT)]
    )

    class Meta:
        verbose_name = _("belopp")
        verbose_name_plural = _("belopp")
        constraints = [
            models.UniqueConstraint(fields=["line", "column"], name="budget_amount_one_per_cell"),
            models.CheckConstraint(
                condition=Q(amount__gte=-MAX_AMOUNT, amount__lte=MAX_AMOUNT),
                name="budget_amount_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.column.year}: {self.amount}"

    def clean(self):
        if self.line_id and self.column_id and self.line.group.plan_id != self.column.plan_id:
            raise ValidationError(_("Raden och kolumnen hör till olika planer."))


class InterventionBudgetAmount(Versioned):
    """What the plan budgets for one of its interventions in one column, where that differs from the grant.

    The budgeted amount and the granted amount are two figures: the budget often holds a rounded frame
    (600 000 kr) for a grant of 598 085 kr. Without a row here the budget follows the grant; a row belongs to
    the plan (it is copied with the plan's columns) and stays when the grant changes later."""

    column = models.ForeignKey(BudgetColumn, on_delete=models.CASCADE, related_name="intervention_amounts")
    intervention = models.ForeignKey(
        "interventions.Intervention", on_delete=models.CASCADE, related_name="budget_amounts"
    )
    amount = money_field(
        _("budgeterat belopp"), validators=[MinMoneyValidator(0), MaxMoneyValidator(MAX_AMOUNT)]
    )

    class Meta:
        verbose_name = _("budgeterat belopp för insats")
        verbose_name_plural = _("budgeterade belopp för insatser")
        constraints = [
            models.UniqueConstraint(
                fields=["column", "intervention"], name="intervention_budget_amount_one_per_cell"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount__lte=MAX_AMOUNT),
                name="intervention_budget_amount_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.intervention} {self.column.year}: {self.amount}"

    def clean(self):
        if (
            self.column_id
            and self.intervention_id
            and self.intervention.association_id != (self.column.plan.association_id)
        ):
            raise ValidationError(_("Insatsen hör till ett annat förbund än planen."))


class ImportReading(models.Model):
    """A reading a user confirmed when importing a budget table, kept per association and offered as the
    first guess the next time a table has the same row label or column header (normalised)."""

    class Kind(models.TextChoices):
        ROW = "row", _("rad")
        COLUMN = "column", _("kolumn")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="import_readings")
    kind = models.CharField(_("avser"), max_length=10, choices=Kind.choices)
    key = models.CharField(_("rad eller kolumnrubrik"), max_length=300)
    # A row's reading ("opening_equity"), or a column's "ignore" or "<year offset>:<kind>" (the year counted
    # from the table's first year, so that next year's table gets next year's year).
    value = models.CharField(_("läses som"), max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sparad läsning")
        verbose_name_plural = _("sparade läsningar")
        constraints = [
            models.UniqueConstraint(fields=["association", "kind", "key"], name="import_reading_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"


class ContributionKeyFactor(models.Model):
    """One factor of the key that splits the municipalities' 25 % (e.g. 25 % by population 16–64)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="contribution_factors")
    name = models.CharField(_("fördelningsgrund"), max_length=200)
    weight_percent = models.DecimalField(
        _("vikt (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    position = models.PositiveIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("fördelningsgrund")
        verbose_name_plural = _("fördelningsnyckel")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_percent__gte=0, weight_percent__lte=100),
                name="contribution_factor_weight_0_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight_percent} %)"


class ContributionKeyValue(models.Model):
    """A municipality's value for a factor (its population aged 16–64, or a fixed share)."""

    factor = models.ForeignKey(ContributionKeyFactor, on_delete=models.CASCADE, related_name="values")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="contribution_key_values"
    )
    value = models.DecimalField(
        _("värde"), max_digits=14, decimal_places=4, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("värde i fördelningsnyckel")
        verbose_name_plural = _("värden i fördelningsnyckel")
        constraints = [
            models.UniqueConstraint(fields=["factor", "organisation"], name="contribution_value_once"),
            models.CheckConstraint(condition=Q(value__gte=0), name="contribution_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.value}"


class ContributionOverride(Versioned):
    """The chief's override of one computed contribution part for one column; always shown as such."""

    class Part(models.TextChoices):
        STATE = "state", _("Staten (Försäkringskassan/Arbetsförmedlingen)")
        REGION = "region", _("Regionen")
        MUNICIPALITIES = "municipalities", _("Kommunerna")
        MUNICIPALITY = "municipality", _("En kommun")

    column = models.ForeignKey(BudgetColumn, on_delete=models.CASCADE, related_name="contribution_overrides")
    part = models.CharField(_("del"), max_length=20, choices=Part.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    amount = money_field(_("belopp"), validators=[MinMoneyValidator(0)])
    reason = models.CharField(_("skäl"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("justerad medlemsavgift")
        verbose_name_plural = _("justerade medlemsavgifter")
        constraints = [
            models.UniqueConstraint(
                fields=["column", "part", "organisation"], name="contribution_override_once"
            ),
            models.UniqueConstraint(
                fields=["column", "part"],
                condition=Q(organisation__isnull=True),
                name="contribution_override_once_without_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_part_display()} {self.column.year}: {self.amount}"


class StatedFigure(models.Model):
    """A figure as printed in an imported or transcribed document, kept to compare with the computed one."""

    class Target(models.TextChoices):
        GROUP = "group", _("Gruppsumma")
        REVENUE = "revenue", _("Summa intäkter")
        COSTS = "costs", _("Summa kostnader")
        RESULT = "result", _("Resultat")
        # Printed where the table has financial items: the totals and result without them, and their net.
        REVENUE_BEFORE_FINANCIAL = "revenue_before_financial", _("Summa intäkter före finansiella poster")
        COSTS_BEFORE_FINANCIAL = "costs_before_financial", _("Summa kostnader före finansiella poster")
        RESULT_BEFORE_FINANCIAL = "result_before_financial", _("Resultat före finansiella poster")
        FINANCIAL_NET = "financial_net", _("Finansiella poster netto")
        CONTRIBUTION = "contribution", _("Medlemsavgift")
        INTERVENTION = "intervention", _("Insats")
        INTERVENTION_GROUP = "intervention_group", _("Delsumma insatser")
        INTERVENTIONS_TOTAL = "interventions_total", _("Summa insatser")
        LINE = "line", _("Budgetrad")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stated_figures")
    column = models.ForeignKey(BudgetColumn, on_delete=models.CASCADE, related_name="stated_figures")
    label = models.CharField(_("rad i dokumentet"), max_length=300)
    target = models.CharField(_("avser"), max_length=30, choices=Target.choices)
    reference = models.CharField(
        _("referens"),
        max_length=300,
        blank=True,
        help_text=_("Gruppens namn, insatsgruppen, eller state/region/municipalities för medlemsavgifter."),
    )
    group = models.ForeignKey(BudgetGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    intervention = models.ForeignKey(
        "interventions.Intervention", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    amount = money_field(_("angivet belopp"))
    position = models.PositiveIntegerField(default=0)
    # The chief's judgement that a deviation is the document's own error (blank: not judged so). A
    # dismissed deviation is information, not a warning; `print_note` prints it under the budget table.
    dismissed_reason = models.TextField(_("dokumentets eget fel, motivering"), blank=True, max_length=1000)
    print_note = models.BooleanField(_("skrivs ut som not under budgettabellen"), default=False)

    class Meta:
        verbose_name = _("angiven summa")
        verbose_name_plural = _("angivna summor")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(print_note=False) | ~models.Q(dismissed_reason=""),
                name="stated_note_only_when_dismissed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.column.year}: {self.amount}"

    @property
    def is_dismissed(self) -> bool:
        return bool(self.dismissed_reason)


# --- Follow-up of the adopted budget through its year (budgets.followup) ----------------------------------


class FollowUp(models.Model):
    """The follow-up of an association's budget year: outcome per period and a whole-year forecast per row.

    Its own record beside the adopted plan, which stays frozen: keyed by the association and the year, not by
    a plan, so that it carries on when a revised budget (a new adopted version) supersedes the plan. Rows are
    named by `followup.row_key`, which stays the same across versions of the plan."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="followups")
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    # Chosen from the association's setting when the year's follow-up starts, and kept: a later change of
    # the setting does not reinterpret the periods already entered.
    period = models.CharField(_("period"), max_length=10, choices=FollowUpPeriod.choices)

    class Meta:
        verbose_name = _("uppföljning")
        verbose_name_plural = _("uppföljningar")
        constraints = [models.UniqueConstraint(fields=["association", "year"], name="followup_one_per_year")]

    def __str__(self) -> str:
        return f"{self.association} {self.year}"

    @property
    def period_count(self) -> int:
        return FollowUpPeriod.count(self.period)


class FollowUpOutcome(Versioned):
    """The outcome (utfall) of one budget row in one period (a month 1–12 or a tertial 1–3)."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="outcomes")
    row = models.CharField(_("budgetrad"), max_length=80)
    period = models.PositiveSmallIntegerField(
        _("period"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    amount = money_field(
        _("utfall"), validators=[MinMoneyValidator(-MAX_AMOUNT), MaxMoneyValidator(MAX_AMOUNT)]
    )

    class Meta:
        verbose_name = _("utfall")
        verbose_name_plural = _("utfall")
        constraints = [
            models.UniqueConstraint(fields=["followup", "row", "period"], name="followup_outcome_once"),
            models.CheckConstraint(
                condition=Q(period__gte=1, period__lte=12), name="followup_outcome_period"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=-MAX_AMOUNT, amount__lte=MAX_AMOUNT), name="followup_outcome_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.row} {self.period}: {self.amount}"


class FollowUpForecast(Versioned):
    """The chief's forecast of one budget row for the whole year, with a comment."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="forecasts")
    row = models.CharField(_("budgetrad"), max_length=80)
    amount = money_field(
        _("prognos"),
        null=True,
        blank=True,
        validators=[MinMoneyValidator(-MAX_AMOUNT), MaxMoneyValidator(MAX_AMOUNT)],
    )
    comment = models.CharField(_("kommentar"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("prognos")
        verbose_name_plural = _("prognoser")
        constraints = [
            models.UniqueConstraint(fields=["followup", "row"], name="followup_forecast_once"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=-MAX_AMOUNT, amount__lte=MAX_AMOUNT),
                name="followup_forecast_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.row}: {self.amount}"


class OutcomeMapping(models.Model):
    """Where an account of the association's accounting goes in the follow-up (budgets.outcome_import):
    set once by the chief and kept for every later import. `account` is an account number or the start of
    one ("50" takes every 50xx account without a longer rule); with a `dimension` (1 cost centre, 6
    project, as SIE numbers them) and `object_code`, the rule takes only that object's part of the account."""

    class Dimension(models.TextChoices):
        NONE = "", _("hela kontot")
        COST_CENTRE = "1", _("kostnadsställe")
        PROJECT = "6", _("projekt")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="outcome_mappings")
    account = models.CharField(_("konto"), max_length=10)
    dimension = models.CharField(_("dimension"), max_length=1, choices=Dimension.choices, blank=True)
    object_code = models.CharField(_("objekt"), max_length=40, blank=True)
    row = models.CharField(_("budgetrad"), max_length=80)  # a budgets.followup.row_key

    class Meta:
        verbose_name = _("kontokoppling")
        verbose_name_plural = _("kontokopplingar")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "account", "dimension", "object_code"], name="outcome_mapping_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.dimension}{self.object_code} → {self.row}"
