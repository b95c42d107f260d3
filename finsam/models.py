"""The association core: associations, their member and partner organisations, people and user roles.

Every other object in finsam belongs to exactly one association, directly or through a plan.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from finsam.validators import normalise_org_number, validate_org_number


class FollowUpPeriod(models.TextChoices):
    """The periods in which an association enters the outcome of its budget year."""

    MONTH = "month", _("Månad")
    TERTIAL = "tertial", _("Tertial")

    @classmethod
    def count(cls, period: str) -> int:
        return 12 if period == cls.MONTH else 3


class Association(models.Model):
    """A samordningsförbund (lag 2003:1210)."""

    name = models.CharField(_("namn"), max_length=200)
    slug = models.SlugField(_("kortnamn i adresser"), max_length=60, unique=True)
    org_number = models.CharField(
        _("organisationsnummer"),
        max_length=11,
        blank=True,
        validators=[validate_org_number],
        help_text=_("NNNNNN-NNNN"),
    )
    area = models.CharField(_("område"), max_length=200, blank=True)
    formed_on = models.DateField(_("bildat"), null=True, blank=True)
    website = models.URLField(_("webbplats"), blank=True)
    logo = models.ImageField(_("logotyp"), upload_to="logos/", blank=True)
    publish_adopted_plans = models.BooleanField(
        _("publicera fastställda planer"),
        default=False,
        help_text=_("Fastställda planer kan då laddas ned via en öppen länk utan inloggning."),
    )
    readers_can_comment = models.BooleanField(_("läsare får kommentera"), default=False)
    # How the chief follows the adopted budget through its year (budgets.followup): outcome per month or per
    # tertial, and how large a deviation of the forecast from the budget must be to be flagged (both limits).
    followup_period = models.CharField(
        _("uppföljningsperiod"), max_length=10, choices=FollowUpPeriod.choices, default=FollowUpPeriod.TERTIAL
    )
    deviation_percent = models.PositiveSmallIntegerField(
        _("avvikelsegräns (%)"),
        default=10,
        validators=[MaxValueValidator(1000)],
        help_text=_(
            "En avvikelse från budgeten flaggas när den är större än både procentgränsen och beloppsgränsen."
        ),
    )
    deviation_amount = models.PositiveIntegerField(
        _("avvikelsegräns (kr)"),
        default=50_000,
        validators=[MaxValueValidator(1_000_000_000)],
        help_text=_(
            "En avvikelse från budgeten flaggas när den är större än både procentgränsen och beloppsgränsen."
        ),
    )

    class Meta:
        verbose_name = _("samordningsförbund")
        verbose_name_plural = _("samordningsförbund")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.org_number = normalise_org_number(self.org_number)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("association", kwargs={"association": self.slug})


class Organisation(models.Model):
    """A member (medlem, part, huvudman) of the association, or a partner that is not a member."""

    class Kind(models.TextChoices):
        STATE = "state", _("Statlig myndighet")
        REGION = "region", _("Region")
        MUNICIPALITY = "municipality", _("Kommun")
        OTHER = "other", _("Annan organisation")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="organisations")
    name = models.CharField(_("namn"), max_length=200)
    short_name = models.CharField(_("kortnamn"), max_length=40, blank=True)
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices)
    is_member = models.BooleanField(_("medlem i förbundet"), default=True)
    position = models.PositiveIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["association", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "name"], name="organisation_unique_name_per_association"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.kind == self.Kind.OTHER and self.is_member:
            raise ValidationError(
                {"is_member": _("Bara stat, region och kommuner kan vara medlemmar i ett förbund.")}
            )


class BoardSeat(models.Model):
    """A seat on the board (styrelsen), appointed by a member organisation."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Ordförande")
        VICE_CHAIR = "vice_chair", _("Vice ordförande")
        MEMBER = "member", _("Ledamot")
        SUBSTITUTE = "substitute", _("Ersättare")

    ordered_within = "association"  # the seats are the association's, ordered among themselves

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="board_seats")
    person_name = models.CharField(_("namn"), max_length=200)
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    appointed_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="board_seats",
        verbose_name=_("utsedd av"),
    )
    term_start = models.DateField(_("mandat från"), null=True, blank=True)
    term_end = models.DateField(_("mandat till"), null=True, blank=True)
    position = models.PositiveIntegerField(_("ordning"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("styrelseplats")
        verbose_name_plural = _("styrelseplatser")
        ordering = ["association", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="boardseat_term_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_name} ({self.get_role_display()})"

    def clean(self):
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": _("Mandatet kan inte sluta före det börjar.")})
        if (
            self.appointed_by_id
            and self.association_id
            and (self.appointed_by.association_id != self.association_id or not self.appointed_by.is_member)
        ):
            raise ValidationError({"appointed_by": _("Ledamoten ska vara utsedd av en medlem i förbundet.")})


class StaffMember(models.Model):
    """Someone working in the association's office (kansli)."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("namn"), max_length=200, blank=True)
    title = models.CharField(_("befattning"), max_length=200)
    fte_percent = models.PositiveSmallIntegerField(_("tjänstgöringsgrad (%)"), null=True, blank=True)
    position = models.PositiveIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("kanslipersonal")
        verbose_name_plural = _("kanslipersonal")
        ordering = ["association", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fte_percent__isnull=True) | Q(fte_percent__lte=100),
                name="staff_fte_at_most_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}: {self.name}" if self.name else self.title


class Membership(models.Model):
    """A user's role in one association. One user can belong to several associations."""

    class Role(models.TextChoices):
        CHIEF = "chief", _("Förbundschef")
        CHAIR = "chair", _("Ordförande")
        BOARD = "board", _("Styrelseledamot")
        READER = "reader", _("Läsare")
        # Reports the follow-up of the insatser the chief names (`Intervention.reporters`), and sees nothing else.
        INTERVENTION_OWNER = "intervention_owner", _("Insatsansvarig")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("behörighet")
        verbose_name_plural = _("behörigheter")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "association"], name="membership_one_role_per_association"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.association} ({self.get_role_display()})"

    @property
    def can_edit(self) -> bool:
        return self.role == self.Role.CHIEF

    @property
    def is_board(self) -> bool:
        return self.role in (self.Role.CHAIR, self.Role.BOARD)


class AssociationDate(models.Model):
    """A date of the association's yearly budget process: a medlemssamråd, a board meeting, the adoption.

    Each association's statutes set its own process, so the chief keeps these; `finsam.calendar` adds the
    law's default (the budget adopted by 30 November) for a year where no adoption date is set."""

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Medlemssamråd")
        BOARD_MEETING = "board_meeting", _("Styrelsemöte")
        ADOPTION = "adoption", _("Fastställande av budget")
        OTHER = "other", _("Annat")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="dates")
    date = models.DateField(_("datum"))
    kind = models.CharField(_("typ"), max_length=20, choices=Kind.choices, default=Kind.BOARD_MEETING)
    title = models.CharField(_("beskrivning"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("datum i förbundets årshjul")
        verbose_name_plural = _("förbundets årshjul")
        ordering = ["association", "date", "id"]
        indexes = [models.Index(fields=["association", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.label}"

    @property
    def label(self) -> str:
        """What the date is: its own description, or its kind's name."""
        return self.title or str(self.get_kind_display())


class Invitation(models.Model):
    """An invitation by e-mail to a role in an association: a link that sets a password (or, for someone who
    already has an account, adds the role), used once, valid for `FINSAM_INVITATION_DAYS`.

    Only the SHA-256 of the link's token is stored: the database alone cannot be used to accept it.
    `finsam.invitations` creates, sends, accepts and revokes them."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-postadress"))
    role = models.CharField(_("roll"), max_length=20, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("skickad"), auto_now_add=True)
    expires_at = models.DateTimeField(_("gäller till"))
    accepted_at = models.DateTimeField(_("mottagen"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("inbjudan")
        verbose_name_plural = _("inbjudningar")
        ordering = ["association", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.email} – {self.association} ({self.get_role_display()})"
