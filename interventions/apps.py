from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from finsam.signals import invitation_accepted


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = _("Insatser")

    def ready(self):
        from interventions.owner_invitations import reporters_from_invitation  # in ready(): models loaded
        from interventions.parts import register_part  # in ready(): the models must be loaded first
        from interventions.report_parts import register_report_part  # in ready(), as above

        register_part()
        register_report_part()
        # The core announces an accepted invitation; the insatser an insats owner was invited for are ours.
        invitation_accepted.connect(reporters_from_invitation, dispatch_uid="interventions.reporters")
