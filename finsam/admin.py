from django.contrib import admin

from finsam.models import Association, BoardSeat, Membership, Organisation, StaffMember


class OrganisationInline(admin.TabularInline):
    model = Organisation
    extra = 0
    fields = ["name", "short_name", "kind", "is_member", "position"]


class BoardSeatInline(admin.TabularInline):
    model = BoardSeat
    extra = 0
    fields = ["person_name", "role", "appointed_by", "term_start", "term_end", "position"]


class StaffMemberInline(admin.TabularInline):
    model = StaffMember
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    list_display = ["name", "org_number", "area", "publish_adopted_plans"]
    search_fields = ["name", "org_number", "area"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OrganisationInline, BoardSeatInline, StaffMemberInline, MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "association", "kind", "is_member"]
    list_filter = ["kind", "is_member", "association"]
    search_fields = ["name", "short_name"]


@admin.register(BoardSeat)
class BoardSeatAdmin(admin.ModelAdmin):
    list_display = ["person_name", "role", "appointed_by", "association", "term_start", "term_end"]
    list_filter = ["role", "association"]
    search_fields = ["person_name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "association", "role"]
    list_filter = ["role", "association"]
    search_fields = ["user__username", "user__email", "association__name"]
    autocomplete_fields = ["user"]
