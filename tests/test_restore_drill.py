"""The restore drill of the README ("Backup and restore"), run for real on PostgreSQL.

A database with an adopted plan and its archived PDF/A is dumped with `pg_dump`, restored with
`pg_restore` into a fresh, empty database, and the file store is copied beside it; the restored
installation (a separate process, on the new database and the copied files only) then finds every
archived PDF with its stored SHA-256 (`verify_archive` exits 0), and a corrupted copy is found (exit 1).

Needs PostgreSQL and its client programs; skipped without them, except in CI (CI=true) or with
FINSAM_REQUIRE_POSTGRES=1, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from plans.models import Plan, PlanPdf
from plans.review import plan_record_ensure
from tests.postgres import database_url, needs_postgresql, required

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]

TOOLS = ("pg_dump", "pg_restore", "createdb", "dropdb")


def pg(*command: str) -> subprocess.CompletedProcess:
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": db["HOST"] or "127.0.0.1", "PGPORT": str(db["PORT"] or 5432)}
    env["PGUSER"] = db["USER"]
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True)


def restored_installation(database: str, media_root, *command: str) -> subprocess.CompletedProcess:
    """`manage.py <command>` of an installation on `database` and the file store `media_root` only."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FINSAM_", "DJANGO_"))}
    env.update(
        FINSAM_DEBUG="1",
        DATABASE_URL=database_url(database),
        FINSAM_MEDIA_ROOT=str(media_root),
    )
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_a_dump_and_the_file_store_restore_into_a_fresh_installation_with_every_archive_intact(
    small_plan, tmp_path, renders_pdfs
):
    needs_postgresql()
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        reason = (
            f"needs PostgreSQL's client programs: {', '.join(missing)} (apt-get install postgresql-client)"
        )
        if required("FINSAM_REQUIRE_POSTGRES"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)

    # The installation to back up: an adopted plan whose archive the task renders once it commits.
    Plan.objects.filter(pk=small_plan.pk).update(state=Plan.State.ADOPTED, adopted_on="2026-11-30")
    small_plan.refresh_from_db()
    plan_record_ensure(plan=small_plan)
    archive = PlanPdf.objects.get(plan=small_plan, is_archival=True)
    assert archive.status == PlanPdf.Status.DONE, archive.error
    assert archive.file.read(5) == b"%PDF-"
    archive.file.close()

    migrated = bool(MigrationRecorder(connection).applied_migrations())

    # Back up: the database first, then the files (a file newer than the dump does no harm).
    dump = tmp_path / "finsam.dump"
    pg("pg_dump", "--format=custom", "--file", str(dump), connection.settings_dict["NAME"])
    backup_files = tmp_path / "backup-media"
    shutil.copytree(settings.MEDIA_ROOT, backup_files)
    # The old installation is gone: its files, and its record of the archive.
    shutil.rmtree(settings.MEDIA_ROOT)
    PlanPdf.objects.all().delete()

    restored = f"{connection.settings_dict['NAME']}_restored"[:63]
    pg("dropdb", "--if-exists", restored)
    try:
        # Restore into a fresh installation: an empty database and an empty file store.
        pg("createdb", restored)
        pg("pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored, str(dump))
        media = tmp_path / "restored-media"
        shutil.copytree(backup_files, media)

        if migrated:  # (a test database made with --no-migrations records none)
            result = restored_installation(restored, media, "migrate", "--check")
            assert result.returncode == 0, result.stdout + result.stderr  # nothing left to migrate
        result = restored_installation(restored, media, "verify_archive")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "1 archive(s) verified, 0 problem(s)." in result.stdout

        # One corrupted file in the store is found.
        (stored,) = [path for path in media.rglob("*.pdf")]
        stored.write_bytes(stored.read_bytes()[:-10] + b"corrupted!")
        result = restored_installation(restored, media, "verify_archive")
        assert result.returncode == 1
        assert "SHA-256 mismatch" in result.stderr and "1 problem(s)" in result.stdout
    finally:
        pg("dropdb", "--if-exists", restored)
