from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = _("Insatser")

    def ready(self):
        from interventions.parts import register_part  # in ready(): the models must be loaded first
        from interventions.report_parts import register_report_part  # in ready(), as above

        register_part()
        register_report_part()
