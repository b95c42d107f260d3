"""A plan's life: its history, rendered PDFs, frozen versions, the board's comments and stances."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models.document import Plan


class PlanEvent(models.Model):
    """The plan's history: who did what and when. Written once, never changed (`save` refuses updates)."""

    class Action(models.TextChoices):
        CREATED = "created", _("Skapade planen")
        EDITED = "edited", _("Ändrade")
        ADDED = "added", _("Lade till")
        DELETED = "deleted", _("Tog bort")
        MOVED = "moved", _("Flyttade")
        IMPORTED = "imported", _("Importerade budget")
        SUBMITTED = "submitted", _("Skickade till styrelsen")
        WITHDRAWN = "withdrawn", _("Tog tillbaka från granskning")
        STANCE = "stance", _("Tog ställning")
        COMMENTED = "commented", _("Kommenterade")
        ADOPTED = "adopted", _("Registrerade fastställande")
        REVISED = "revised", _("Skapade ny version")
        ROLLED_OVER = "rolled_over", _("Skapade nästa års plan")
        RENDERED = "rendered", _("Skapade PDF")
        RECORDED = "recorded", _("Sparade den fastställda versionen")
        PUBLISHED = "published", _("Ändrade publiceringen")
        FOLLOWED_UP = "followed_up", _("Följde upp")
        REPORTED = "reported", _("Skapade rapport")
        AUDITED = "audited", _("Registrerade revision eller ansvarsfrihet")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_events"
    )
    action = models.CharField(_("händelse"), max_length=20, choices=Action.choices)
    summary = models.CharField(_("sammanfattning"), max_length=500)
    details = models.JSONField(_("detaljer"), default=dict, blank=True)
    created_at = models.DateTimeField(_("tidpunkt"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("händelse")
        verbose_name_plural = _("historik")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}: {self.summary}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Plan history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Plan history is append-only.")


def plan_pdf_upload_to(instance: "PlanPdf", filename: str) -> str:
    # One folder per plan; the content hash in the name keeps every stored version apart.
    return f"plans/pdf/{instance.plan.association.slug}/{instance.plan_id}/{instance.content_hash[:16]}-{filename}"


class PlanPdf(models.Model):
    """A rendered PDF of a plan, stored once per content (`content_hash`) and served from storage.

    A draft gets a new row whenever its content changes; an adopted plan gets one archival row
    (PDF/A) that never changes once done. `source_html` is the exact rendering input, frozen when
    the PDF was requested, so that the worker renders what was asked for even if the plan changes.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kö")
        RENDERING = "rendering", _("Skapas")
        DONE = "done", _("Klar")
        FAILED = "failed", _("Misslyckades")

    PENDING = {Status.QUEUED, Status.RENDERING}

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="pdfs")
    content_hash = models.CharField(_("innehållets SHA-256"), max_length=64)
    is_archival = models.BooleanField(_("arkivexemplar (PDF/A)"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    source_html = models.TextField(_("underlag"), blank=True)
    file = models.FileField(_("fil"), upload_to=plan_pdf_upload_to, max_length=300, blank=True)
    sha256 = models.CharField(_("filens SHA-256"), max_length=64, blank=True)
    pages = models.PositiveIntegerField(_("sidor"), null=True, blank=True)
    size = models.PositiveIntegerField(_("storlek (byte)"), null=True, blank=True)
    render_seconds = models.FloatField(_("renderingstid (s)"), null=True, blank=True)
    error = models.TextField(_("fel"), blank=True)
    requested_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("beställd"), auto_now_add=True)
    started_at = models.DateTimeField(_("påbörjad"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)

    class Meta:
        verbose_name = _("PDF av plan")
        verbose_name_plural = _("PDF:er av planer")
        ordering = ["-created_at", "-id"]
        constraints = [
            # An unchanged draft is never rendered twice ...
            models.UniqueConstraint(
                fields=["plan", "content_hash", "is_archival"], name="plan_pdf_once_per_content"
            ),
            # ... and an adopted plan has exactly one archived PDF.
            models.UniqueConstraint(
                fields=["plan"], condition=Q(is_archival=True), name="plan_pdf_one_archive_per_plan"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(file="") & ~Q(sha256="")),
                name="plan_pdf_done_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} – PDF {self.content_hash[:12]} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE


# --- review: frozen versions, comments and stances (plans/review.py) ----------------------------------


class PlanSnapshot(models.Model):
    """A version of the plan as it was sent to the board: number N, frozen as canonical JSON.

    `content` is `plans.snapshots.snapshot_content(plan)` at submission; it never changes afterwards."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="snapshots")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("innehåll"))
    # The plan checks as they were when the version was sent (severity and message each): what the board
    # saw with it. A plan's checks read its live rows; a version is judged as it was sent.
    findings = models.JSONField(_("kontroller"), default=list, blank=True)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("skickad"), auto_now_add=True)

    class Meta:
        verbose_name = _("granskningsversion")
        verbose_name_plural = _("granskningsversioner")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="snapshot_unique_number")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A snapshot is frozen.")
        super().save(*args, **kwargs)


class Comment(models.Model):
    """A board member's (or the chief's) comment on a part of the plan; replies point to their thread."""

    class Target(models.TextChoices):
        PLAN = "plan", _("Planen")
        CHAPTER = "chapter", _("Kapitel")
        GOAL = "goal", _("Mål")
        INTERVENTION = "intervention", _("Insats")
        BUDGET_LINE = "budget_line", _("Budgetrad")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    snapshot = models.ForeignKey(
        PlanSnapshot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("version"),
    )
    target_kind = models.CharField(_("gäller"), max_length=20, choices=Target.choices)
    target_key = models.CharField(
        _("del"), max_length=120, help_text=_("Nyckeln i planens ögonblicksbild, till exempel goal-12.")
    )
    target_label = models.CharField(_("rubrik"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("kommentar"), max_length=5000)
    created_at = models.DateTimeField(_("skriven"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("löst"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("kommentar")
        verbose_name_plural = _("kommentarer")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["plan", "target_kind", "target_key"])]

    def __str__(self) -> str:
        return self.body[:80]

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class Stance(models.Model):
    """A board member's stance on one submitted version. Append-only: the latest per user counts."""

    class Kind(models.TextChoices):
        APPROVE = "approve", _("Tillstyrker")
        CHANGES_REQUESTED = "changes_requested", _("Begär ändringar")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stances")
    snapshot = models.ForeignKey(PlanSnapshot, on_delete=models.CASCADE, related_name="stances")
    user = models.ForeignKey("auth.User", on_delete=models.SET_NULL, null=True, related_name="+")
    stance = models.CharField(_("ställningstagande"), max_length=20, choices=Kind.choices)
    comment = models.TextField(_("kommentar"), blank=True, max_length=5000)
    created_at = models.DateTimeField(_("tidpunkt"), auto_now_add=True)

    class Meta:
        verbose_name = _("ställningstagande")
        verbose_name_plural = _("ställningstaganden")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_stance_display()}"
