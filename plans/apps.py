from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Verksamhetsplaner")

    def ready(self):
        from plans.discharge import register_discharge  # in ready(): the models must be loaded first
        from plans.goal_outcomes import register_goal_outcomes  # in ready(): the models must be loaded first
        from plans.reports import register_goal_report  # in ready(): the models must be loaded first
        from plans.text_parts import register_text_parts  # in ready(): the models must be loaded first

        register_text_parts()
        register_goal_outcomes()  # after the text parts: it copies onto their indicators
        register_goal_report()
        register_discharge()
