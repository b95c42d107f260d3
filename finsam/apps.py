from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _

from finsam.links import check_base_url


class FinsamConfig(AppConfig):
    name = "finsam"
    verbose_name = _("Samordningsförbund")

    def ready(self):
        checks.register(check_base_url, checks.Tags.security, deploy=True)
