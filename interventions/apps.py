from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = _("Insatser")

    def ready(self):
        from interventions.parts import register_part  # in ready(): the models must be loaded first

        register_part()
