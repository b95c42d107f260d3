from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinsamConfig(AppConfig):
    name = "finsam"
    verbose_name = _("Samordningsförbund")
