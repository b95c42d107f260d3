"""The plan as a PDF: rendering with WeasyPrint, storing once per content, serving from storage.

The PDF renders `templates/plans/plan_pdf.html`, which includes the same `plans/document.html` as the
review page, with `static/css/print.css`. A rendering is keyed by `content_hash`, the SHA-256 of its
complete input (the HTML, the print assets and `PDF_TEMPLATE_VERSION`): an unchanged draft is never
rendered twice, a changed draft gets a new PDF. An adopted (or superseded) plan gets one archival
PDF/A that never changes once stored; every later download serves those very bytes.

Rendering takes seconds, so requests only queue it (`plan_pdf_request`, `plan_pdf_archive`); the
task `render_plan_pdf` runs `plan_pdf_run` in the worker. WeasyPrint is imported inside functions:
importing it costs most of a second. It only ever sees our own template, and its URL fetcher reads
static files from disk and refuses everything else (no network, no `file://`, no `data:`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from plans.document import plan_document_view
from plans.gateway import plan_event_record
from plans.models import Plan, PlanEvent, PlanPdf
from plans.versions import sent_number

logger = logging.getLogger(__name__)

# Bump when a change to the rendering (not visible in the HTML or the print assets) should give
# every draft a new PDF. Archived PDFs never change, whatever this says.
PDF_TEMPLATE_VERSION = "2026-11-1"
# The archived variant: PDF/A-2 level A (tagged), which WeasyPrint 70 writes here (checked by tests).
ARCHIVAL_PDF_VARIANT = "pdf/a-2a"
# Resources in the HTML are addressed below this made-up origin; the fetcher maps it to the
# staticfiles finders. `.invalid` can never resolve, so nothing here could reach the network.
ASSET_ORIGIN = "https://finsam-pdf.invalid"
STATIC_BASE = f"{ASSET_ORIGIN}/static/"
MEDIA_BASE = f"{ASSET_ORIGIN}/media/"
PRINT_ASSETS = ["css/print.css", "img/utkast.svg"]
# A rendering that has been "rendering" this long died with its worker and may be queued again.
STALE_RENDER_SECONDS = 5 * 60
# How many PDFs of a draft's earlier contents stay downloadable.
KEEP_DRAFT_PDFS = 3

TEMPLATE = "plans/plan_pdf.html"


class RefusedResource(ValueError):
    """The PDF asked for something outside our static files."""


@dataclass(frozen=True)
class PlanPdfSource:
    """Everything a rendering needs, computed from the plan without rendering the PDF."""

    html: str
    content_hash: str
    filename: str
    archival: bool
    media_names: frozenset[str]


@dataclass(frozen=True)
class PlanDocumentFile:
    """A rendered PDF, not yet stored anywhere."""

    content: bytes
    filename: str
    content_hash: str
    sha256: str
    pages: int
    render_seconds: float
    archival: bool


# --- Reading resources -------------------------------------------------------------------------


def static_asset_path(relative: str) -> Path | None:
    """The file behind a static path such as `css/print.css`, found by the staticfiles finders."""
    if not relative or relative.startswith("/") or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    return Path(found) if found else None


def make_url_fetcher(*, media_names: frozenset[str] = frozenset()):
    """A WeasyPrint URL fetcher that answers static files from disk and named media files from storage.

    Everything else is refused: other hosts and schemes (http, https, file, data, ftp), paths that
    climb out of the static folders, media files that the document did not name (the logo).
    Refused URLs are kept in `fetcher.refused` so the caller can log them.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # WeasyPrint is slow to import

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(timeout=1, allowed_protocols=("https",), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            try:
                return self._fetch(url)
            except RefusedResource:
                self.refused.append(url[:200])
                raise

        def _fetch(self, url: str):
            if not url.startswith(ASSET_ORIGIN + "/"):
                raise RefusedResource(f"Refused resource outside the static files: {url[:200]}")
            parts = urlsplit(url)
            path = unquote(parts.path)
            if path.startswith("/static/"):
                found = static_asset_path(path.removeprefix("/static/"))
                if found is None:
                    raise RefusedResource(f"No such static file: {path}")
                return URLFetcherResponse(url, found.read_bytes(), {"Content-Type": content_type_of(found)})
            if path.startswith("/media/") and path.removeprefix("/media/") in media_names:
                name = path.removeprefix("/media/")
                with default_storage.open(name, "rb") as handle:
                    return URLFetcherResponse(
                        url, handle.read(), {"Content-Type": content_type_of(Path(name))}
                    )
            raise RefusedResource(f"Refused resource: {path}")

    return StaticOnlyFetcher()


def content_type_of(path: Path) -> str:
    return {
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".ttf": "font/ttf",
        ".woff2": "font/woff2",
        ".png": "image/png",
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".gif": "image/gif",
        ".webp": "image/webp",
    }.get(path.suffix.lower(), "application/octet-stream")


# --- The rendering input ---------------------------------------------------------------------


def print_assets_digest() -> str:
    """A digest of the print assets, so that a changed stylesheet gives drafts a new PDF."""
    digest = hashlib.sha256()
    for relative in PRINT_ASSETS:
        path = static_asset_path(relative)
        digest.update(relative.encode())
        digest.update(path.read_bytes() if path else b"missing")
    fonts = static_asset_path("fonts/LICENSE-Liberation-OFL.txt")
    if fonts:
        for font in sorted(fonts.parent.glob("*.ttf")):
            digest.update(f"{font.name}:{font.stat().st_size}".encode())
    return digest.hexdigest()


def plan_pdf_filename(plan: Plan) -> str:
    """`verksamhetsplan-ornskoldsvik-2020.pdf` (a report: `arsredovisning-…`, `delarsrapport-…-04`);
    revisions and drafts say so in the name."""
    document = {Plan.Kind.ANNUAL_REPORT: "arsredovisning", Plan.Kind.INTERIM_REPORT: "delarsrapport"}
    name = f"{document.get(plan.kind, 'verksamhetsplan')}-{slugify(plan.association.slug)}-{plan.first_year}"
    if plan.kind == Plan.Kind.INTERIM_REPORT and plan.period_end:
        name += f"-{plan.period_end.month:02d}"
    number = sent_number(plan)
    if plan.is_locked and number > 1:
        name += f"-v{number}"
    if not plan.is_locked:
        name += "-utkast"
    return f"{name}.pdf"


def plan_pdf_source(plan: Plan, *, archival: bool | None = None) -> PlanPdfSource:
    """The HTML the PDF is rendered from, and the hash that identifies it."""
    archival = plan.is_locked if archival is None else archival
    plan = Plan.objects.select_related("association").get(pk=plan.pk)
    # The version of record of a plan that is not a draft (its association's facts as frozen with it).
    doc = plan_document_view(plan)
    logo_name = doc.association.logo
    if logo_name and not default_storage.exists(logo_name):
        logo_name = ""
    with translation.override("sv"):
        html = render_to_string(
            TEMPLATE,
            {
                "doc": doc,
                "plan": plan,
                "association": doc.association,
                "archival": archival,
                "draft": not plan.is_locked,
                "static_base": STATIC_BASE,
                "logo_url": f"{MEDIA_BASE}{logo_name}" if logo_name else "",
            },
        )
    digest = hashlib.sha256()
    digest.update(
        json.dumps(
            {
                "template_version": PDF_TEMPLATE_VERSION,
                "archival": archival,
                "assets": print_assets_digest(),
                "logo": file_digest(logo_name) if logo_name else "",
            },
            sort_keys=True,
        ).encode()
    )
    digest.update(html.encode())
    return PlanPdfSource(
        html=html,
        content_hash=digest.hexdigest(),
        filename=plan_pdf_filename(plan),
        archival=archival,
        media_names=frozenset({logo_name} if logo_name else ()),
    )


def logo_of(html: str) -> str:
    """The media file a queued rendering's HTML names (the logo frozen with the version), if any."""
    found = re.search(re.escape(MEDIA_BASE) + r'([^"\s]+)"', html)
    return unquote(found.group(1)) if found else ""


def file_digest(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


# --- Rendering -------------------------------------------------------------------------------


def pdf_from_html(
    html: str, *, archival: bool, media_names: frozenset[str] = frozenset()
) -> tuple[bytes, int]:
    """Render our own HTML to PDF bytes; returns (bytes, pages). Archival output is PDF/A-2a."""
    import weasyprint  # slow to import; only the worker and the benchmark need it

    fetcher = make_url_fetcher(media_names=media_names)
    document = weasyprint.HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).render()
    options = {"pdf_variant": ARCHIVAL_PDF_VARIANT} if archival else {"pdf_tags": True}
    content = document.write_pdf(**options)
    if fetcher.refused:
        logger.warning("PDF rendering refused %d resource(s): %s", len(fetcher.refused), fetcher.refused[:5])
    return content, len(document.pages)


def plan_pdf_render(*, plan: Plan, archival: bool | None = None) -> PlanDocumentFile:
    """Render the plan as it is now, without storing anything (the benchmark and tests use this).

    Archival (PDF/A) by default for an adopted or superseded plan, a draft with "UTKAST" otherwise.
    """
    source = plan_pdf_source(plan, archival=archival)
    return render_source(source)


def render_source(source: PlanPdfSource) -> PlanDocumentFile:
    started = time.perf_counter()
    content, pages = pdf_from_html(source.html, archival=source.archival, media_names=source.media_names)
    return PlanDocumentFile(
        content=content,
        filename=source.filename,
        content_hash=source.content_hash,
        sha256=hashlib.sha256(content).hexdigest(),
        pages=pages,
        render_seconds=time.perf_counter() - started,
        archival=source.archival,
    )


# --- Requesting, running and finding stored PDFs ------------------------------------------------


def plan_pdf_archive(*, plan: Plan, by=None, retry_failed: bool = True) -> PlanPdf:
    """Queue the adopted plan's archival PDF/A, once (adoption calls this inside its transaction).

    Idempotent: an archive that exists (queued, rendering or done) is returned as it is; a failed one
    is queued again unless `retry_failed` is false (the public link never retries: anonymous visitors
    must not be able to start renderings over and over). Side effects: at most one PlanPdf row and one
    queued task. The task is queued in the caller's transaction, so with the database queue it only
    starts if the adoption commits.
    """
    if not plan.is_locked:
        raise ValueError("Only an adopted or superseded plan is archived.")
    existing = PlanPdf.objects.filter(plan=plan, is_archival=True).first()
    if existing is not None:
        return requeue_if_needed(existing) if retry_failed else existing
    return queue_render(plan=plan, source=plan_pdf_source(plan, archival=True), by=by)


def plan_pdf_request(*, plan: Plan, by=None) -> PlanPdf:
    """The PDF of the plan as it is now: a stored one if this content was rendered, else queued.

    An adopted plan always answers with its archive. Side effects: at most one PlanPdf row and one
    queued task; nothing is rendered in the request (unless the task backend runs tasks at once).
    """
    if plan.is_locked:
        return plan_pdf_archive(plan=plan, by=by)
    source = plan_pdf_source(plan, archival=False)
    existing = PlanPdf.objects.filter(plan=plan, content_hash=source.content_hash, is_archival=False).first()
    if existing is not None:
        return requeue_if_needed(existing)
    return queue_render(plan=plan, source=source, by=by)


def queue_render(*, plan: Plan, source: PlanPdfSource, by) -> PlanPdf:
    try:
        with transaction.atomic():
            pdf = PlanPdf.objects.create(
                plan=plan,
                content_hash=source.content_hash,
                is_archival=source.archival,
                source_html=source.html,
                requested_by=by if by is not None and by.is_authenticated else None,
            )
    except IntegrityError:
        # Someone asked for the same content a moment ago: that request's PDF is ours too.
        lookup = (
            {"plan": plan, "is_archival": True}
            if source.archival
            else {
                "plan": plan,
                "content_hash": source.content_hash,
                "is_archival": False,
            }
        )
        return PlanPdf.objects.get(**lookup)
    # Queued when the caller's transaction commits: a rendering never starts for a change rolled back,
    # and a loaded or adopted plan's archive never renders inside the request's transaction.
    transaction.on_commit(partial(render_plan_pdf.enqueue, pdf_id=pdf.pk))
    pdf.refresh_from_db()
    return pdf


def requeue_if_needed(pdf: PlanPdf, *, failed: bool = True) -> PlanPdf:
    """Queue again a rendering whose worker died mid-way and, with `failed`, one that failed."""
    stale_before = timezone.now() - datetime.timedelta(seconds=STALE_RENDER_SECONDS)
    retryable = Q(status=PlanPdf.Status.RENDERING, started_at__lt=stale_before)
    if failed:
        retryable |= Q(status=PlanPdf.Status.FAILED)
    retry = PlanPdf.objects.filter(retryable, pk=pdf.pk).update(
        status=PlanPdf.Status.QUEUED, error="", started_at=None, finished_at=None
    )
    if retry:
        transaction.on_commit(partial(render_plan_pdf.enqueue, pdf_id=pdf.pk))
    pdf.refresh_from_db()
    return pdf


@task
def render_plan_pdf(*, pdf_id: int) -> str:
    """The background task (django.tasks; `manage.py db_worker` runs it): render one queued PlanPdf."""
    return plan_pdf_run(pdf_id=pdf_id)


def plan_pdf_run(*, pdf_id: int) -> str:
    """Render a queued PlanPdf and store it (the task's body). Returns the final status.

    Claims the row first (queued → rendering) so that two workers never render the same PDF. On
    success: the file is stored, with its SHA-256, page count and time, and the plan's history
    records it. On failure: the row is marked failed with the error and can be requested again.
    """
    claimed = PlanPdf.objects.filter(pk=pdf_id, status=PlanPdf.Status.QUEUED).update(
        status=PlanPdf.Status.RENDERING, started_at=timezone.now()
    )
    pdf = PlanPdf.objects.select_related("plan__association").get(pk=pdf_id)
    if not claimed:
        return pdf.status
    plan = pdf.plan
    logo = logo_of(pdf.source_html)
    source = PlanPdfSource(
        html=pdf.source_html,
        content_hash=pdf.content_hash,
        filename=plan_pdf_filename(plan),
        archival=pdf.is_archival,
        media_names=frozenset({logo} if logo else ()),
    )
    try:
        rendered = render_source(source)
    except Exception as error:  # any failure must end as a visible "failed" state
        logger.exception("Rendering PDF %s of plan %s failed", pdf_id, plan.pk)
        PlanPdf.objects.filter(pk=pdf_id).update(
            status=PlanPdf.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        return PlanPdf.Status.FAILED
    with transaction.atomic():
        pdf.file.save(rendered.filename, ContentFile(rendered.content), save=False)
        pdf.sha256 = rendered.sha256
        pdf.pages = rendered.pages
        pdf.size = len(rendered.content)
        pdf.render_seconds = round(rendered.render_seconds, 3)
        pdf.status = PlanPdf.Status.DONE
        pdf.finished_at = timezone.now()
        pdf.save(update_fields=["file", "sha256", "pages", "size", "render_seconds", "status", "finished_at"])
        plan_event_record(
            plan=plan,
            user=pdf.requested_by,
            action=PlanEvent.Action.RENDERED,
            summary=(
                _("Arkivexemplar (PDF/A), %(pages)s sidor")
                if pdf.is_archival
                else _("PDF av utkastet, %(pages)s sidor")
            )
            % {"pages": rendered.pages},
            details={"pdf": pdf.pk, "sha256": rendered.sha256, "content_hash": pdf.content_hash},
        )
    if not pdf.is_archival:
        prune_draft_pdfs(plan, keep=KEEP_DRAFT_PDFS)
    return PlanPdf.Status.DONE


def prune_draft_pdfs(plan: Plan, *, keep: int) -> int:
    """Delete all but the `keep` newest finished draft PDFs of a plan (rows and files); returns how many.

    Every change to a draft gives a new PDF, so without this the files would pile up. Archives are
    never touched, nor renderings that are still queued or running."""
    done = PlanPdf.objects.filter(plan=plan, is_archival=False).exclude(status__in=PlanPdf.PENDING)
    stale = list(done.order_by("-created_at", "-id")[keep:])
    for old in stale:
        if old.file:
            old.file.delete(save=False)
        old.delete()
    return len(stale)


def plan_pdf_for_download(plan: Plan) -> PlanPdf | None:
    """The stored, finished PDF to serve for the plan as it is now, or None if there is none yet.

    An adopted plan: its archive. A draft: the PDF of its current content (which costs one
    rendering of the HTML, not of the PDF).
    """
    if plan.is_locked:
        return PlanPdf.objects.filter(plan=plan, is_archival=True, status=PlanPdf.Status.DONE).first()
    content_hash = plan_pdf_source(plan, archival=False).content_hash
    return PlanPdf.objects.filter(
        plan=plan, content_hash=content_hash, is_archival=False, status=PlanPdf.Status.DONE
    ).first()


def plan_pdf_latest(plan: Plan) -> PlanPdf | None:
    """What the plan page shows without rendering anything: the archive of an adopted plan, or a
    draft's most recent PDF while it is being made."""
    if plan.is_locked:
        return PlanPdf.objects.filter(plan=plan, is_archival=True).first()
    return PlanPdf.objects.filter(plan=plan, is_archival=False, status__in=PlanPdf.PENDING).first()


def stored_bytes(pdf: PlanPdf) -> bytes:
    with pdf.file.open("rb") as handle:
        return handle.read()
