"""`manage.py import_association file.json`: create an exported association in this installation."""

import json

from django.core.management.base import BaseCommand, CommandError

from finsam.site.backup import BackupError, association_import


class Command(BaseCommand):
    help = (
        "Läser in ett samordningsförbund från en fil som export_association skrivit. Förbundet får inte finnas "
        "här; användare kopplas via användarnamn eller skapas inaktiva utan lösenord. Allt eller inget sparas."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON-filen från export_association.")

    def handle(self, *args, file: str, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"Filen kunde inte läsas: {error}") from error
        try:
            association = association_import(data=data)
        except BackupError as error:
            raise CommandError(f"{error} Inget har sparats.") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{association.name} ({association.slug}) inläst: {len(data['objects'])} objekt."
            )
        )
