"""`manage.py export_association <slug> [-o file.json]`: one association as one versioned JSON file."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from finsam.models import Association
from finsam.site.backup import BackupError, association_export


class Command(BaseCommand):
    help = (
        "Exporterar ett samordningsförbund med allt som hör till det (planer, versioner, insatser, budgetar, "
        "kommentarer, historik, användarnamn men inga lösenord) som en JSON-fil."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Förbundets kortnamn i adresser, till exempel ornskoldsvik.")
        parser.add_argument("-o", "--output", help="Fil att skriva till (annars standard ut).")

    def handle(self, *args, slug: str, output: str | None = None, **options):
        association = Association.objects.filter(slug=slug).first()
        if association is None:
            raise CommandError(f"Det finns inget förbund med kortnamnet {slug!r}.")
        try:
            data = association_export(association=association)
        except BackupError as error:
            raise CommandError(str(error)) from error
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text + "\n")
            self.stderr.write(
                f"{len(data['objects'])} objekt i {association.name} exporterade till {output}."
            )
        else:
            sys.stdout.write(text + "\n")
