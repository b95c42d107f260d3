"""The file store is chosen by settings: the local disk by default, an S3-compatible store with
FINSAM_S3_BUCKET. Everything that reads or writes stored files goes through Django's storage API, so
the archive, its download and `verify_archive` work the same on both (moto's in-process S3 mock here;
tests/test_multi_server.py runs against moto's S3 server with two app servers).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys

import boto3
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from moto import mock_aws

from plans.models import Plan, PlanPdf
from plans.review import plan_record_ensure

BUCKET = "finsam-unit"
S3_ENV = {"FINSAM_S3_BUCKET": BUCKET, "FINSAM_S3_REGION": "us-east-1", "FINSAM_S3_PREFIX": "test"}


def default_storage_setting(**env) -> dict:
    """STORAGES["default"] as finsam/settings.py makes it from this environment (a fresh interpreter)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("FINSAM_S3_")}
    code = "import json; from finsam import settings; print(json.dumps(settings.STORAGES['default']))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "FINSAM_DEBUG": "1", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_local_disk_by_default_and_an_s3_store_when_a_bucket_is_named():
    assert default_storage_setting() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    s3 = default_storage_setting(**S3_ENV, FINSAM_S3_ENDPOINT_URL="https://s3.example.se")
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3["OPTIONS"]
    assert options["bucket_name"] == BUCKET and options["endpoint_url"] == "https://s3.example.se"
    assert options["location"] == "test" and options["region_name"] == "us-east-1"
    assert options["file_overwrite"] is False  # an archived PDF is never replaced by another file
    assert options["access_key"] is None  # boto3's own credentials chain


@pytest.fixture
def s3(settings):
    """The S3 store as the settings make it from S3_ENV, on moto's in-process mock of S3."""
    storage = default_storage_setting(**S3_ENV)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {**settings.STORAGES, "default": storage}
        yield client


@pytest.fixture
def archived(small_plan):
    """`small_plan` adopted, with its version of record and an archive stored (bytes made up here: the
    rendering is not what is tested)."""
    Plan.objects.filter(pk=small_plan.pk).update(state=Plan.State.ADOPTED, adopted_on="2026-11-30")
    small_plan.refresh_from_db()
    plan_record_ensure(plan=small_plan)
    pdf = PlanPdf.objects.get(plan=small_plan, is_archival=True)
    content = b"%PDF-1.7 the adopted plan"
    pdf.file.save("verksamhetsplan.pdf", ContentFile(content), save=False)
    pdf.sha256 = hashlib.sha256(content).hexdigest()
    pdf.status = PlanPdf.Status.DONE
    pdf.save()
    return pdf, content


def verify_archive() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_archive", stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue() + err.getvalue()
    return 0, out.getvalue()


def test_the_archive_is_stored_served_and_verified_in_the_s3_store(s3, archived, chief_client):
    pdf, content = archived
    key = f"test/{pdf.file.name}"
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == content
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*"))  # nothing on disk

    plan = pdf.plan
    url = reverse(
        "plan_pdf_file", kwargs={"association": plan.association.slug, "pk": plan.pk, "pdf": pdf.pk}
    )
    response = chief_client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == content
    assert response["Content-Length"] == str(len(content))

    assert verify_archive() == (0, "1 archive(s) verified, 0 problem(s).\n")
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"%PDF-1.7 changed afterwards")
    code, output = verify_archive()
    assert code == 1 and "SHA-256 mismatch" in output
    s3.delete_object(Bucket=BUCKET, Key=key)
    code, output = verify_archive()
    assert code == 1 and "archive file unreadable" in output


def test_a_name_that_is_taken_in_the_s3_store_gets_another_name(s3):
    first = default_storage.save("plans/pdf/a.pdf", ContentFile(b"first"))
    second = default_storage.save("plans/pdf/a.pdf", ContentFile(b"second"))
    assert first != second
    with default_storage.open(first, "rb") as handle:
        assert handle.read() == b"first"
