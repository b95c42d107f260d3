from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetsConfig(AppConfig):
    name = "budgets"
    verbose_name = _("Budget")

    def ready(self):
        from budgets.parts import register_budget_part  # in ready(): the models must be loaded first
        from budgets.report_parts import register_report_parts  # in ready(), as above

        register_budget_part()
        register_report_parts()
