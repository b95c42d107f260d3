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
from plans.admin_locks import LockedPlanAdminMixin, locked_inline

BudgetLineInline = locked_inline(BudgetLine, show_change_link=True)
BudgetAmountInline = locked_inline(BudgetAmount)
ContributionOverrideInline = locked_inline(ContributionOverride)
InterventionBudgetAmountInline = locked_inline(InterventionBudgetAmount, raw_id_fields=["intervention"])


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


ContributionKeyValueInline = locked_inline(ContributionKeyValue)


@admin.register(ContributionKeyFactor)
class ContributionKeyFactorAdmin(LockedPlanAdminMixin, admin.ModelAdmin):
    list_display = ["name", "weight_percent", "plan"]
    inlines = [ContributionKeyValueInline]


@admin.register(StatedFigure)
class StatedFigureAdmin(LockedPlanAdminMixin, admin.ModelAdmin):
    list_display = ["label", "target", "column", "amount", "plan"]
    list_filter = ["target", "plan__association"]
    search_fields = ["label", "reference"]
