"""`manage.py import_budget <association> <plan-id> <file.txt|file.xlsx> [--apply]`: the browser import's
report on the command line; a dry run unless --apply."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from budgets.imports.apply import budget_import_apply, budget_import_preview
from budgets.imports.files import read_upload, too_large_message
from budgets.imports.parse import parse_text
from budgets.imports.report import report_text
from budgets.imports.table import MAX_UPLOAD_BYTES, BudgetParseError
from finsam.editing import StaleVersion
from plans.gateway import PlanLocked
from plans.models import Plan


class Command(BaseCommand):
    help = (
        "Läser en budgettabell (inklistrad text som .txt eller en Excel-fil .xlsx) och visar vad en import "
        "till planen ger. Med --apply ersätts planens budget."
    )

    def add_arguments(self, parser):
        parser.add_argument("association", help="Förbundets kortnamn i adressen, till exempel ornskoldsvik.")
        parser.add_argument("plan_id", type=int, help="Planens id.")
        parser.add_argument("path", help="Tabellen: en textfil med tabbar eller en .xlsx-fil.")
        parser.add_argument(
            "--apply", action="store_true", help="Spara importen (annars bara en provkörning)."
        )
        parser.add_argument(
            "--unit", choices=["kr", "tkr"], help="Tabellens enhet, om den inte står i tabellen."
        )

    def handle(
        self, *args, association: str, plan_id: int, path: str, apply: bool, unit: str | None, **options
    ):
        plan = (
            Plan.objects.select_related("association")
            .filter(association__slug=association, pk=plan_id)
            .first()
        )
        if plan is None:
            raise CommandError(f"Ingen plan med id {plan_id} i förbundet {association}.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Filen {path} finns inte.")
        if file.stat().st_size > MAX_UPLOAD_BYTES:
            raise CommandError(too_large_message(file.stat().st_size))
        try:
            text, source = read_upload(file.name, file.read_bytes())
            parsed = parse_text(text, unit=unit)
        except BudgetParseError as error:
            raise CommandError("\n".join(error.messages)) from error
        try:
            if apply:
                report = budget_import_apply(plan=plan, parsed=parsed, by=None, source=source)
            else:
                report = budget_import_preview(plan=plan, parsed=parsed, by=None, source=source)
        except StaleVersion as error:
            raise CommandError("Planen ändrades under importen; försök igen.") from error
        except PlanLocked as error:
            raise CommandError(str(error)) from error
        self.stdout.write(report_text(report))
