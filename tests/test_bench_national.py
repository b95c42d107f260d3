"""The national benchmark's pieces (finsam.site.benchmark.national and .load): the installation's sizes,
the accounting of saves and lost updates, the figures, the parsing of the real pages, and a short run
against a live server."""

import pytest
from django.conf import settings
from django.test import Client

from budgets.models import BudgetAmount
from finsam.site.benchmark import load, national
from finsam.site.benchmark.load import Ledger, Runner, Sample, Visitor, form_fields
from finsam.site.management.commands.bench_national import lost_updates
from plans.models import PlanPdf

# --- the installation --------------------------------------------------------------------------------


def test_the_boards_and_chiefs_add_up_to_a_thousand_users():
    boards = national.board_sizes()

    assert len(boards) == 82
    assert sum(boards) + 82 * national.CHIEFS_PER_ASSOCIATION == 1000
    assert min(boards) >= 2
    assert boards[-1] > boards[0]  # a larger association has a larger board


def test_sizes_run_from_a_small_association_to_the_largest_plan_of_the_benchmark():
    assert national.association_size(0) == (5, 10, 3)
    assert national.association_size(81) == (40, 60, 6)  # synthetic.build's largest plan
    assert national.association_size(40)[1] == 35


# --- the accounting of saves -------------------------------------------------------------------------


def test_the_last_successful_save_is_the_one_from_the_highest_version():
    ledger = Ledger()
    ledger.record("cell", 3, "300")
    ledger.record("cell", 1, "100")  # answered late, but saved before version 3 existed

    assert ledger.lost_updates({"cell": ("300", 4)}) == []
    assert ledger.lost_updates({"cell": ("100", 4)}) != []


def test_a_stored_value_that_differs_from_the_last_save_is_a_lost_update():
    ledger = Ledger()
    ledger.record("cell", 0, "100")

    (problem,) = ledger.lost_updates({"cell": ("999", 1)})

    assert "stored '999' at version 1" in problem


def test_a_stored_version_beyond_the_last_save_is_a_write_nobody_saw_succeed():
    ledger = Ledger()
    ledger.record("cell", 0, "100")

    assert ledger.lost_updates({"cell": ("100", 2)}) != []


def test_two_saves_from_the_same_version_are_a_lost_update_whatever_is_stored():
    ledger = Ledger()
    ledger.record("chapter", 5, "first")
    ledger.record("chapter", 5, "second")

    problems = ledger.lost_updates({"chapter": ("second", 6)})

    assert problems == ["chapter: two saves succeeded from the same version"]


def test_a_saved_thing_missing_after_the_run_is_reported():
    ledger = Ledger()
    ledger.record("cell", 0, "100")

    assert ledger.lost_updates({}) == ["cell: not found after the run"]


def test_recorded_values_are_compared_in_their_stored_form():
    ledger = Ledger()
    ledger.record("cell", 0, "12,5")

    assert ledger.lost_updates({"cell": (12500, 1)}, expected=lambda key, typed: 12500) == []


# --- the figures ---------------------------------------------------------------------------------------


def runner_with(samples: list[Sample], *, peak_starts: float = 10.0) -> Runner:
    runner = Runner([1, 2], [], clients=2, ramp=10, peak=100)
    runner.peak_starts = peak_starts
    runner.samples = samples
    return runner


def test_the_report_counts_errors_apart_from_conflicts_and_takes_the_figures_at_the_peak():
    ok = [Sample("review", 1 + n % 2, 10.0 + n / 10, 0.1 * (n + 1), 200, "", 5.0, 20.0) for n in range(100)]
    conflict = Sample("cell_save", 1, 20.0, 0.05, 409, "", 1.0, 4.0)
    ramp_error = Sample("grid", 2, 1.0, 60.0, 0, "timeout")
    failed = Sample("changes", 1, 30.0, 0.3, 500, "5xx")
    runner = runner_with([*ok, conflict, ramp_error, failed])
    runner.counts.conflicts = 1

    report = load.summarize(runner)

    assert report["error_count"] == 2  # the timeout in the ramp counts too
    assert report["errors"] == {"timeout": 1, "5xx": 1}
    assert report["conflicts"] == 1
    assert report["requests"] == 102  # the peak's requests: not the ramp's
    assert report["requests_per_server"] == {1: 52, 2: 50}
    review = report["actions"]["review"]
    assert (review["p50_ms"], review["p95_ms"], review["p99_ms"]) == (5100.0, 9500.0, 9900.0)
    assert review["sql_share"] == 0.25
    assert review["server_p50_ms"] == 20.0
    assert "grid" not in report["actions"]


def test_the_sql_share_weighs_requests_by_their_time_and_skips_untimed_ones():
    samples = [
        Sample("a", 1, 0, 0.1, 200, "", 10.0, 100.0),
        Sample("a", 1, 0, 0.1, 200, "", 90.0, 100.0),
        Sample("a", 1, 0, 0.1, 200),  # no Server-Timing header
    ]

    assert load.sql_share(samples) == 0.5
    assert load.sql_share(samples[2:]) is None


# --- the pages, as the load reads them -----------------------------------------------------------------


@pytest.fixture
def installation(db):
    """One small association (the national build's smallest) with 2 chiefs and 6 board members."""
    members = national.build(count=1, users=8)
    national.log_in(members)
    return members


def client_of(member) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = member.session_key
    return client


def test_a_small_national_installation_has_its_chiefs_board_and_a_version_to_compare(installation):
    chiefs = [m for m in installation if m.role == "chief"]

    assert len(installation) == 8
    assert len(chiefs) == 2
    assert all(m.chapters for m in chiefs)
    board = next(m for m in installation if m.role == "board")
    changes = client_of(board).get(board.paths["changes"])
    assert changes.status_code == 200
    assert changes.context["since"].key == "v1"  # version 1, sent and taken back


def test_the_grid_gives_the_load_every_typed_cell_with_its_version(installation):
    chief = next(m for m in installation if m.role == "chief")

    page = client_of(chief).get(chief.paths["budget_grid"]).content.decode()

    cells = {m["path"]: (int(m["version"]), m["text"]) for m in load.CELL_FORM.finditer(page)}
    assert len(cells) == 10 * 3  # the small association: 10 lines over 3 years
    stored = BudgetAmount.objects.filter(line__group__plan__association__slug=chief.association)
    expected = {
        f"{chief.paths['budget_grid']}rad/{a.line_id}/kolumn/{a.column_id}/": (
            a.version,
            f"{a.amount.amount / 1000:.0f}",
        )
        for a in stored
    }
    assert cells == expected  # every cell's own version and amount (in tkr), none shifted to a neighbour
    assert load.CHECKS_DIGEST.search(page)


def test_the_chapter_form_is_read_as_the_browser_posts_it(installation):
    chief = next(m for m in installation if m.role == "chief")
    client = client_of(chief)
    path = chief.chapters[0]

    form = form_fields(client.get(path, headers={"HX-Request": "true"}).content.decode())
    form["body"] += " [nat test]"
    saved = client.post(path, form, headers={"HX-Request": "true"})

    assert {"heading", "level", "kind", "body", "version"} <= set(form)
    assert saved.status_code == 200
    assert client.post(path, form, headers={"HX-Request": "true"}).status_code == 409  # the old version


def test_the_pdf_status_is_read_as_the_page_polls_it(installation):
    member = next(m for m in installation if m.role == "board")
    client = client_of(member)
    client.get(member.paths["pdf"])  # the CSRF cookie, as in the browser

    queued = client.post(member.paths["pdf"], headers={"HX-Request": "true"}).content.decode()
    poll = load.PDF_POLL.search(queued)
    assert poll and not load.PDF_FILE.search(queued)
    PlanPdf.objects.update(status=PlanPdf.Status.DONE, file="x.pdf", sha256="0" * 64, pages=1, size=10)
    done = client.get(poll.group(1), headers={"HX-Request": "true"}).content.decode()
    assert load.PDF_FILE.search(done)


def test_form_fields_take_the_first_form_its_selected_option_and_no_buttons():
    html = (
        '<form><input type="hidden" name="version" value="3"><textarea name="body">\nText &amp; mer</textarea>'
        '<select name="level"><option value="1">1</option><option value="2" selected>2</option></select>'
        '<input type="checkbox" name="off"><button name="preview">x</button></form>'
        '<form><input name="other" value="x"></form>'
    )

    assert form_fields(html) == {"version": "3", "body": "Text & mer", "level": "2"}


# --- a short run against a live server -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_short_run_against_a_live_server_has_no_errors_and_no_lost_updates(live_server):
    members = national.build(count=2, users=14)
    national.log_in(members)
    visitors = [
        Visitor(m.username, m.role, m.paths, m.chapters, {settings.SESSION_COOKIE_NAME: m.session_key})
        for m in members
    ]
    port = int(live_server.url.rsplit(":", 1)[1])
    # Two "servers" on the one port: the round-robin between servers is exercised all the same. One
    # client: the live server's threads share the test's SQLite connection, so concurrent requests would
    # read each other's rows (concurrency is what `make bench-national` measures, on PostgreSQL).
    runner = Runner([port, port], visitors, clients=1, ramp=0, peak=5, pdf_share=0, scheme="http")
    runner.actions = {"cells": 1, "chapter": 1, "review": 0.5, "changes": 0.5}  # mostly saves

    runner.run()
    report = load.summarize(runner)

    assert report["error_count"] == 0, report["errors"]
    assert report["requests"] > 0
    assert runner.cells.saves() + runner.chapters.saves() > 0
    assert lost_updates(runner) == []
