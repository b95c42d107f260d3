"""Interventions (insatser, projekt, processer) that the association funds.

An intervention belongs to the association, not to a plan: the same insats appears in the 2020, 2021 and
2022 plans, with a granted amount per year. A plan lists the interventions it covers (`PlanIntervention`),
and its budget's "interventions decided" group is computed from their grants.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from djmoney.models.validators import MinMoneyValidator

from finsam.editing import Versioned
from finsam.models import Association, Invitation, Organisation
from finsam.money import money_field, to_decimal
from finsam.validators import YEAR_VALIDATORS
from plans.models import Plan


class Intervention(Versioned):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individstödjande")
        STRUCTURAL = "structural", _("Strukturstödjande")

    class Status(models.TextChoices):
        GRANTED = "granted", _("Beviljad")
        UNDECIDED = "undecided", _("Ej beslutad")
        ENDED = "ended", _("Avslutad")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="interventions")
    name = models.CharField(_("namn"), max_length=300)
    short_name = models.CharField(
        _("kort namn i budgeten"), max_length=120, blank=True, help_text=_("Tomt: namnet används.")
    )
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.GRANTED)
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_interventions",
        verbose_name=_("ägare / rekvirerande organisation"),
    )
    # An intervention owned by several organisations together: the first is `owner`, the others these.
    co_owners = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="co_owned_interventions",
        verbose_name=_("fler ägare"),
        help_text=_("När flera organisationer äger insatsen tillsammans."),
    )
    partners = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="interventions",
        verbose_name=_("samverkande organisationer"),
    )
    # The association's insats owners (role insatsansvarig) who report this insats's follow-up.
    reporters = models.ManyToManyField(
        "auth.User", blank=True, related_name="reported_interventions", verbose_name=_("insatsansvariga")
    )
    start_date = models.DateField(_("startdatum"), null=True, blank=True)
    end_date = models.DateField(
        _("slutdatum"), null=True, blank=True, help_text=_("Tomt betyder t.o.m. löpande.")
    )
    group = models.CharField(
        _("grupp"), max_length=100, blank=True, help_text=_("För delsummor, till exempel Mysam.")
    )
    municipality = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_interventions",
        verbose_name=_("kommun"),
        limit_choices_to={"kind": Organisation.Kind.MUNICIPALITY},
    )
    capacity = models.CharField(
        _("omfattning"), max_length=200, blank=True, help_text=_("Deltagare, platser eller andel av heltid.")
    )
    purpose = models.TextField(_("syfte och beskrivning"), blank=True)
    target_group = models.TextField(_("målgrupp"), blank=True)
    goals_short = models.TextField(_("mål på kort sikt"), blank=True)
    goals_long = models.TextField(_("mål på lång sikt"), blank=True)
    actions = models.TextField(_("åtgärder"), blank=True)
    follow_up = models.TextField(_("uppföljning och utvärdering"), blank=True)
    steering = models.TextField(_("ledning och styrning"), blank=True)
    implementation = models.TextField(_("implementering"), blank=True)

    class Meta:
        verbose_name = _("insats")
        verbose_name_plural = _("insatser")
        ordering = ["association", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="intervention_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def budget_label(self) -> str:
        return self.short_name or self.name

    @cached_property
    def partner_organisations(self) -> list[Organisation]:
        """The partners, in the organisations' order. `budgets.calc.plan_interventions` sets it for all of a
        plan's interventions from one query; otherwise it is read from `partners`."""
        return list(self.partners.all())

    @cached_property
    def granted(self) -> dict[int, Decimal]:
        """The granted amount per year (whole kronor), in year order. `budgets.calc.plan_interventions`
        sets it for all of a plan's interventions from one query; otherwise it is read from the grants."""
        grants = sorted(self.grants.all(), key=lambda grant: grant.year)
        return {grant.year: to_decimal(grant.amount) for grant in grants}

    def covers_year(self, year: int) -> bool:
        starts_before_end = self.start_date is None or self.start_date.year <= year
        ends_after_start = self.end_date is None or self.end_date.year >= year
        return starts_before_end and ends_after_start

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("Slutdatum kan inte ligga före startdatum.")})
        for field in ("owner", "municipality"):
            organisation = getattr(self, field)
            if organisation and self.association_id and organisation.association_id != self.association_id:
                raise ValidationError({field: _("Organisationen hör till ett annat förbund.")})


class Grant(Versioned):
    """The amount granted (beviljat) to an intervention for one year."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="grants")
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    amount = money_field(_("beviljat belopp"), validators=[MinMoneyValidator(0)])

    class Meta:
        verbose_name = _("beviljat belopp")
        verbose_name_plural = _("beviljade belopp")
        ordering = ["intervention", "year"]
        constraints = [
            models.UniqueConstraint(fields=["intervention", "year"], name="grant_one_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="grant_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.intervention} {self.year}: {self.amount}"


class PlanIntervention(models.Model):
    """An intervention as it appears in one plan, in the plan's order."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_interventions")
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="plan_links")
    position = models.PositiveIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("insats i plan")
        verbose_name_plural = _("insatser i plan")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "intervention"], name="plan_intervention_once")
        ]

    def __str__(self) -> str:
        return f"{self.intervention} i {self.plan}"


class InterventionYear(Versioned):
    """An insats's follow-up of one year it ran under an adopted plan: the participants planned and
    reached (women, men, not stated, as the national follow-up asks) and its own yearly report."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="followed_years")
    year = models.PositiveSmallIntegerField(_("år"), validators=YEAR_VALIDATORS)
    planned_women = models.PositiveIntegerField(_("planerade deltagare, kvinnor"), null=True, blank=True)
    planned_men = models.PositiveIntegerField(_("planerade deltagare, män"), null=True, blank=True)
    planned_unstated = models.PositiveIntegerField(
        _("planerade deltagare, kön ej angivet"), null=True, blank=True
    )
    actual_women = models.PositiveIntegerField(_("deltagare, kvinnor"), null=True, blank=True)
    actual_men = models.PositiveIntegerField(_("deltagare, män"), null=True, blank=True)
    actual_unstated = models.PositiveIntegerField(_("deltagare, kön ej angivet"), null=True, blank=True)
    report = models.TextField(_("årsrapport"), max_length=20000, blank=True)
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)
    updated_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    PLANNED = ("planned_women", "planned_men", "planned_unstated")
    ACTUAL = ("actual_women", "actual_men", "actual_unstated")

    class Meta:
        verbose_name = _("insatsens år")
        verbose_name_plural = _("insatsernas år")
        ordering = ["intervention", "year"]
        constraints = [
            models.UniqueConstraint(fields=["intervention", "year"], name="intervention_year_once"),
        ]

    def __str__(self) -> str:
        return f"{self.intervention} {self.year}"

    def _total(self, fields) -> int | None:
        values = [getattr(self, name) for name in fields if getattr(self, name) is not None]
        return sum(values) if values else None

    @property
    def planned_total(self) -> int | None:
        return self._total(self.PLANNED)

    @property
    def actual_total(self) -> int | None:
        return self._total(self.ACTUAL)


class InterventionInvitation(models.Model):
    """An insats an invitation with the role insatsansvarig is for: whoever accepts it reports the insats
    (`interventions.owner_invitations`). Kept after the acceptance; withdrawn with the invitation."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="intervention_links")
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="owner_invitations")

    class Meta:
        verbose_name = _("inbjudan till insatsansvarig")
        verbose_name_plural = _("inbjudningar till insatsansvariga")
        ordering = ["intervention", "invitation__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "intervention"], name="intervention_invitation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitation.email} – {self.intervention}"
