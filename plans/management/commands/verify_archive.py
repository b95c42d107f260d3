"""`manage.py verify_archive`: re-hash every stored archival PDF/A and report any that differ.

An adopted plan's archive is rendered once, at adoption (or at load for a plan loaded as adopted), and
its SHA-256 stored beside it; the file must never change afterwards. This reads every archive back from
the file store (the local disk or the S3-compatible store, through Django's storage API) and compares. It also reports adopted plans whose archive or frozen version is missing or not
made yet. Exits with status 1 when anything is wrong, so it can run from cron or a monitoring check.
"""

from __future__ import annotations

import hashlib

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan, PlanPdf


def file_sha256(pdf: PlanPdf) -> str:
    digest = hashlib.sha256()
    with pdf.file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Re-hash every archived PDF/A of an adopted plan and report any mismatch or missing archive."

    def handle(self, *args, **options):
        problems: list[str] = []
        checked = 0
        plans = Plan.objects.filter(state__in=Plan.LOCKED_STATES).select_related("association")
        archives = {pdf.plan_id: pdf for pdf in PlanPdf.objects.filter(is_archival=True, plan__in=plans)}
        with_record = set(plans.filter(snapshots__isnull=False).values_list("pk", flat=True))
        for plan in plans.order_by("association__slug", "first_year", "revision"):
            name = f"{plan.association.slug} {plan.first_year} v{plan.revision} (plan {plan.pk})"
            if plan.pk not in with_record:
                problems.append(f"{name}: no frozen version of record")
            pdf = archives.get(plan.pk)
            if pdf is None:
                problems.append(f"{name}: no archive")
                continue
            if pdf.status != PlanPdf.Status.DONE:
                problems.append(f"{name}: archive not made yet ({pdf.status})")
                continue
            try:
                actual = file_sha256(pdf)
            except Exception as error:  # any storage's error: OSError on disk, botocore's from an S3 store
                problems.append(f"{name}: archive file unreadable: {type(error).__name__}: {error}")
                continue
            checked += 1
            if actual != pdf.sha256:
                problems.append(f"{name}: SHA-256 mismatch: stored {pdf.sha256}, file {actual}")
        for problem in problems:
            self.stderr.write(problem)
        self.stdout.write(f"{checked} archive(s) verified, {len(problems)} problem(s).")
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the archive.", returncode=1)
