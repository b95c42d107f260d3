from django.contrib import admin

from budgets.models import (
    BudgetAmount,
    BudgetColumn,
    BudgetGroup,
    BudgetLine,
    ContributionKeyFactor,
    ContributionKeyValue,
    ContributionOverride,
    InterventionBudgetAmount,
    StatedFigure,
)
from plans.admin_locks import LockedPlanAdminMixin


class BudgetLineInline(LockedPlanAdminMixin, admin.TabularInline):
    model = BudgetLine
    extra = 0
    show_change_link = True


class BudgetAmountInline(LockedPlanAdminMixin, admin.TabularInline):
    model = BudgetAmount
    extra = 0


class ContributionOverrideInline(LockedPlanAdminMixin, admin.TabularInline):
    model = ContributionOverride
    extra = 0


class InterventionBudgetAmountInline(LockedPlanAdminMixin, admin.TabularInline):
    model = InterventionBudgetAmount
    extra = 0
    raw_id_fields = ["intervention"]


@admin.register(BudgetColumn)
class BudgetColumnAdmin(LockedPlanAdminMixin, admin.ModelAdmin):
    list_display = ["plan", "year", "kind", "contributions_total"]
    list_filter = ["kind", "plan__association"]
    inlines = [ContributionOverrideInline, InterventionBudgetAmountInline]


@admin.register(BudgetGroup)
class BudgetGroupAdmin(LockedPlanAdminMixin, admin.ModelAdmin):
    list_display = ["name", "section", "kind", "plan", "position"]
    list_filter = ["section", "kind", "plan__association"]
    search_fields = ["name"]
    inlines = [BudgetLineInline]


@admin.register(BudgetLine)
class BudgetLineAdmin(LockedPlanAdminMixin, admin.ModelAdmin):
    list_display = ["name", "group", "undecided", "position"]
    list_filter = ["undecided", "group__plan__association"]
    search_fields = ["name"]
    inlines = [BudgetAmountInline]


class ContributionKeyValueInline(LockedPlanAdminMixin, admin.TabularInline):
    model = ContributionKeyValue
    extra = 0


@admin.register(ContributionKeyFactor)
class ContributionKeyFactorAdmin(LockedPlanAdminMixin, admin.ModelAdmin):
    list_display = ["name", "weight_percent", "plan"]
    inlines = [ContributionKeyValueInline]


@admin.register(StatedFigure)
class StatedFigureAdmin(LockedPlanAdminMixin, admin.ModelAdmin):
    list_display = ["label", "target", "column", "amount", "plan"]
    list_filter = ["target", "plan__association"]
    search_fields = ["label", "reference"]
