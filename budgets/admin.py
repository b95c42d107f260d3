from django.contrib import admin

from budgets.models import (
    BudgetAmount,
    BudgetColumn,
    BudgetGroup,
    BudgetLine,
    ContributionKeyFactor,
    ContributionKeyValue,
    ContributionOverride,
    StatedFigure,
)


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    show_change_link = True


class BudgetAmountInline(admin.TabularInline):
    model = BudgetAmount
    extra = 0


class ContributionOverrideInline(admin.TabularInline):
    model = ContributionOverride
    extra = 0


@admin.register(BudgetColumn)
class BudgetColumnAdmin(admin.ModelAdmin):
    list_display = ["plan", "year", "kind", "contributions_total"]
    list_filter = ["kind", "plan__association"]
    inlines = [ContributionOverrideInline]


@admin.register(BudgetGroup)
class BudgetGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "section", "kind", "plan", "position"]
    list_filter = ["section", "kind", "plan__association"]
    search_fields = ["name"]
    inlines = [BudgetLineInline]


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["name", "group", "undecided", "position"]
    list_filter = ["undecided", "group__plan__association"]
    search_fields = ["name"]
    inlines = [BudgetAmountInline]


class ContributionKeyValueInline(admin.TabularInline):
    model = ContributionKeyValue
    extra = 0


@admin.register(ContributionKeyFactor)
class ContributionKeyFactorAdmin(admin.ModelAdmin):
    list_display = ["name", "weight_percent", "plan"]
    inlines = [ContributionKeyValueInline]


@admin.register(StatedFigure)
class StatedFigureAdmin(admin.ModelAdmin):
    list_display = ["label", "target", "column", "amount", "plan"]
    list_filter = ["target", "plan__association"]
    search_fields = ["label", "reference"]
