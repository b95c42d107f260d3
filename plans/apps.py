from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Verksamhetsplaner")

    def ready(self):
        from plans.text_parts import register_text_parts  # in ready(): the models must be loaded first

        register_text_parts()
