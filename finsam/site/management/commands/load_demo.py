"""`manage.py load_demo [--reset]`: load the demo associations and print the demo logins."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError

from finsam.models import Association
from finsam.site.demo.followup import load_followup_demo
from finsam.site.demo.loader import EXISTS, demo_logins, load_demo, logins_table
from finsam.site.demo.reading import DemoDataError
from finsam.site.demo.reports import load_report_demo
from finsam.site.demo.review import load_review_demo


class Command(BaseCommand):
    help = (
        "Läser in demoförbunden från finsam/site/demo/data/*.json med planer, budgetar och demoanvändare. "
        "Ett förbund som redan finns lämnas orört."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Radera demoförbunden och deras demoanvändare och läs in dem på nytt.",
        )

    def handle(self, *args, reset: bool = False, **options):
        try:
            result = load_demo(reset=reset)
        except DemoDataError as error:
            raise CommandError(f"Demodata kunde inte läsas in: {error}") from error
        except ProtectedError as error:
            raise CommandError(
                "Demoförbunden kunde inte raderas: andra uppgifter hänvisar till dem "
                f"({len(error.protected_objects)} skyddade objekt). Inget har ändrats."
            ) from error

        for report in result.reports:
            self.stdout.write(f"  {report.message()}")
            if report.status != EXISTS:
                # The adopted plan's year: a revised budget and the follow-up, with invented outcome (the
                # data file says so). First, so that next year's plan starts from the revised budget.
                with transaction.atomic():
                    followed = load_followup_demo(Association.objects.get(slug=report.slug))
                if followed is not None:
                    if followed.budget_only:
                        self.stdout.write(
                            f"    {followed.title}: reviderad budget fastställd {followed.adopted_on} "
                            f"{followed.minutes_reference}."
                        )
                    self.stdout.write(f"    {followed.title}: uppföljning med påhittat utfall per tertial.")
                # Next year's plan, changed and sent to the board, so that a board member has a review.
                with transaction.atomic():
                    reviewed = load_review_demo(Association.objects.get(slug=report.slug))
                if reviewed is not None:
                    self.stdout.write(f"    {reviewed.title}: skickad till styrelsen för granskning.")
                # The followed year's annual report, adopted, with the members' decisions on discharge.
                with transaction.atomic():
                    reported = load_report_demo(Association.objects.get(slug=report.slug))
                if reported is not None:
                    self.stdout.write(f"    {reported.title}: fastställd, med revision och ansvarsfrihet.")
        if result.admin_created:
            self.stdout.write("  Superanvändaren admin skapad.")
        else:
            self.stdout.write("  Superanvändaren admin finns redan (orörd).")
        created = sum(1 for report in result.reports if report.status != "finns redan")
        self.stdout.write(
            self.style.SUCCESS(
                f"Klart: {created} av {len(result.reports)} demoförbund inlästa"
                + (" på nytt." if reset else ".")
            )
        )
        self.stdout.write("")
        self.stdout.write("Demoinloggningar:")
        self.stdout.write(logins_table(demo_logins()))
