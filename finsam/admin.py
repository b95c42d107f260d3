"""The association's own admin pages.

A delete here can take rows of the floors above with it (an organisation its contribution key values in
a plan, an association its plans). The apps above register in `DELETE_GUARDS` what must not go that way
(`plans.admin`: anything of a plan that cannot change), and every admin and inline here asks them first.
"""

from collections.abc import Callable

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from finsam.models import Association, AssociationDate, BoardSeat, Membership, Organisation, StaffMember

# Each: the objects to be deleted → what their delete would wrongly take with it (empty: nothing).
DELETE_GUARDS: list[Callable[[list], set[str]]] = []


def delete_refused(objs) -> set[str]:
    objs = list(objs)
    return set().union(*(guard(objs) for guard in DELETE_GUARDS)) if objs else set()


class GuardedDeleteMixin:
    """The delete page and the changelist's bulk delete refuse what `DELETE_GUARDS` refuse (the page
    lists it, its POST is answered 403)."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, refused, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, refused | delete_refused(objs), protected


class GuardedInlineFormSet(BaseInlineFormSet):
    """A row removed in an inline is refused when `DELETE_GUARDS` refuse its delete."""

    def clean(self):
        super().clean()
        removed = [
            form.instance for form in self.forms if form.instance.pk and self._should_delete_form(form)
        ]
        refused = delete_refused(removed)
        if refused:
            raise ValidationError(sorted(refused))


class OrganisationInline(admin.TabularInline):
    model = Organisation
    formset = GuardedInlineFormSet
    extra = 0
    fields = ["name", "short_name", "kind", "is_member", "position"]


class BoardSeatInline(admin.TabularInline):
    model = BoardSeat
    formset = GuardedInlineFormSet
    extra = 0
    fields = ["person_name", "role", "appointed_by", "term_start", "term_end", "position"]


class StaffMemberInline(admin.TabularInline):
    model = StaffMember
    formset = GuardedInlineFormSet
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = GuardedInlineFormSet
    extra = 0
    autocomplete_fields = ["user"]


class AssociationDateInline(admin.TabularInline):
    """The calendar (årshjul); the chief keeps it on its own page (`finsam.views.association_calendar`)."""

    model = AssociationDate
    extra = 0
    fields = ["date", "kind", "title"]


@admin.register(Association)
class AssociationAdmin(GuardedDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "org_number", "area", "publish_adopted_plans"]
    search_fields = ["name", "org_number", "area"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [
        OrganisationInline,
        BoardSeatInline,
        StaffMemberInline,
        MembershipInline,
        AssociationDateInline,
    ]


@admin.register(Organisation)
class OrganisationAdmin(GuardedDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "association", "kind", "is_member"]
    list_filter = ["kind", "is_member", "association"]
    search_fields = ["name", "short_name"]


@admin.register(BoardSeat)
class BoardSeatAdmin(GuardedDeleteMixin, admin.ModelAdmin):
    list_display = ["person_name", "role", "appointed_by", "association", "term_start", "term_end"]
    list_filter = ["role", "association"]
    search_fields = ["person_name"]


@admin.register(Membership)
class MembershipAdmin(GuardedDeleteMixin, admin.ModelAdmin):
    list_display = ["user", "association", "role"]
    list_filter = ["role", "association"]
    search_fields = ["user__username", "user__email", "association__name"]
    autocomplete_fields = ["user"]
