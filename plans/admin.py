from django.contrib import admin

from finsam.admin import DELETE_GUARDS
from plans.admin_locks import LockedPlanAdminMixin, deletion_refused, locked_inline
from plans.models import (
    ActivityItem,
    Chapter,
    Comment,
    CommunicationItem,
    ControlItem,
    Goal,
    Indicator,
    Plan,
    PlanEvent,
    PlanPdf,
    PlanSnapshot,
    Stance,
    TargetGroup,
)

# The association's own admins (an organisation, the association) must not delete a locked plan's rows by
# cascade either.
DELETE_GUARDS.append(deletion_refused)


class ChapterInline(LockedPlanAdminMixin, admin.StackedInline):
    model = Chapter
    extra = 0
    fields = ["position", "heading", "level", "kind", "body"]


class GoalInline(LockedPlanAdminMixin, admin.TabularInline):
    model = Goal
    extra = 0
    fields = ["position", "category", "title"]
    show_change_link = True


TargetGroupInline = locked_inline(TargetGroup)
ControlItemInline = locked_inline(ControlItem)
CommunicationItemInline = locked_inline(CommunicationItem)
ActivityItemInline = locked_inline(ActivityItem)


@admin.register(Plan)
class PlanAdmin(LockedPlanAdminMixin, admin.ModelAdmin):
    list_display = ["title", "association", "first_year", "years", "state", "revision", "adopted_on"]
    list_filter = ["state", "association", "first_year"]
    search_fields = ["title", "association__name"]

    def get_readonly_fields(self, request, obj=None):
        # A plan's state moves only through its lifecycle steps, and a plan never changes association.
        fixed = ["state", "adopted_on", "minutes_reference", "revision", "revision_of", "rolled_over_from"]
        return [*super().get_readonly_fields(request, obj), *fixed, *(["association"] if obj else [])]

    inlines = [
        ChapterInline,
        GoalInline,
        TargetGroupInline,
        ControlItemInline,
        CommunicationItemInline,
        ActivityItemInline,
    ]


IndicatorInline = locked_inline(Indicator)


@admin.register(Goal)
class GoalAdmin(LockedPlanAdminMixin, admin.ModelAdmin):
    list_display = ["title", "category", "plan"]
    list_filter = ["plan__association"]
    search_fields = ["title", "description"]
    inlines = [IndicatorInline]


@admin.register(Chapter)
class ChapterAdmin(LockedPlanAdminMixin, admin.ModelAdmin):
    list_display = ["heading", "kind", "level", "plan", "position"]
    list_filter = ["kind", "plan__association"]
    search_fields = ["heading", "body"]


@admin.register(PlanEvent)
class PlanEventAdmin(admin.ModelAdmin):
    """Read-only: the history cannot be edited, not even by a superuser."""

    list_display = ["created_at", "plan", "user", "action", "summary"]
    list_filter = ["action", "plan__association"]
    search_fields = ["summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened (versions sent to the board, stances, archived PDFs): shown, never edited."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanSnapshot)
class PlanSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["plan", "number", "created_by", "created_at"]
    list_filter = ["plan__association"]
    exclude = ["content"]


@admin.register(Stance)
class StanceAdmin(ReadOnlyAdmin):
    list_display = ["plan", "snapshot", "user", "stance", "created_at"]
    list_filter = ["stance", "plan__association"]


@admin.register(Comment)
class CommentAdmin(LockedPlanAdminMixin, admin.ModelAdmin):
    list_display = ["plan", "target_kind", "target_label", "author", "created_at", "resolved_at"]
    list_filter = ["target_kind", "plan__association"]
    search_fields = ["body", "target_label"]
    readonly_fields = [
        "plan",
        "snapshot",
        "target_kind",
        "target_key",
        "target_label",
        "parent",
        "author",
        "created_at",
    ]


@admin.register(PlanPdf)
class PlanPdfAdmin(ReadOnlyAdmin):
    list_display = ["plan", "is_archival", "status", "pages", "sha256", "created_at"]
    list_filter = ["status", "is_archival", "plan__association"]
    exclude = ["source_html"]
