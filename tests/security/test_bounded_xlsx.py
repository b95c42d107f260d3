"""The bounded .xlsx reader: every hostile workbook is refused in under a second and under 100 MB.

Each file is built here and read by `read_upload` in a process of its own (`read_in_child`), so its time
and peak memory are its own; the peak counts Python, Django and openpyxl as well as the read.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as ILLEGAL

from budgets.imports.files import read_upload
from budgets.imports.parse import parse_text
from budgets.imports.table import MAX_ROWS, MAX_XLSX_COLUMNS, MAX_XLSX_UNCOMPRESSED, BudgetParseError
from tests.security import hostile_xlsx
from tests.security.payloads import PAYLOADS

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import json, os, sys, time
import django
import openpyxl  # loaded before the clock starts, as in a worker that has read one upload before
django.setup()
from budgets.imports.files import read_upload
from budgets.imports.table import BudgetParseError
with open(sys.argv[1], "rb") as upload:
    data = upload.read()
reader, writer = os.pipe()
pid = os.fork()
if pid == 0:
    start = time.process_time()
    try:
        read_upload("budget.xlsx", data)
        outcome = "read"
    except BudgetParseError as error:
        outcome = error.messages[0]
    os.write(writer, json.dumps({"seconds": time.process_time() - start, "outcome": outcome}).encode())
    os._exit(0)
os.close(writer)
report = json.loads(os.read(reader, 65536))
_pid, _status, usage = os.wait4(pid, 0)
report["peak"] = usage.ru_maxrss * 1024  # kilobytes on Linux
print(json.dumps(report))
"""


def read_in_child(path: Path) -> dict:
    """The reading of the file at `path` in a process of its own: its outcome, seconds and peak memory.

    The reader is a fork of a fresh interpreter (Python, Django and openpyxl loaded), and its peak is
    taken from `os.wait4`, the kernel's rusage of that one process. Not a child of the test process
    itself: a child started from pytest inherits pytest's own peak into its `ru_maxrss`."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "finsam.settings_test", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], cwd=ROOT, env=env, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", sorted(hostile_xlsx.HOSTILE))
def test_a_hostile_workbook_is_refused_quickly_and_in_little_memory(name, tmp_path):
    path = tmp_path / "budget.xlsx"
    path.write_bytes(hostile_xlsx.HOSTILE[name]())  # built here: the child holds only the upload
    report = read_in_child(path)
    assert report["outcome"].startswith("Excel-filen är för stor"), report
    assert report["seconds"] < 1, report  # the child's CPU time: what the machine does besides does not count
    assert report["peak"] < 100 * 1024 * 1024, f"{name}: {report['peak'] / 1024 / 1024:.0f} MB"


def test_the_limits_are_the_issues():
    assert (MAX_ROWS, MAX_XLSX_COLUMNS, MAX_XLSX_UNCOMPRESSED) == (2_000, 40, 5 * 1024 * 1024)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (hostile_xlsx.too_many_rows, "högst 2\u00a0000 rader och 40 kolumner"),
        (hostile_xlsx.too_many_columns, "högst 2\u00a0000 rader och 40 kolumner"),
        (hostile_xlsx.far_corner, "högst 2\u00a0000 rader och 40 kolumner"),
        (hostile_xlsx.zip_bomb, "för stor uppackad"),
        (hostile_xlsx.sheet_bomb, "för stor uppackad"),
    ],
)
def test_the_refusal_says_why_in_swedish(build, message):
    with pytest.raises(BudgetParseError) as raised:
        read_upload("budget.xlsx", build())
    assert message in raised.value.messages[0]


def test_a_sheet_declaring_the_whole_grid_but_holding_a_table_is_read():
    text, _source = read_upload("budget.xlsx", hostile_xlsx.declared_huge())
    assert parse_text(text).years == [2027]


def test_empty_formatted_rows_below_a_table_are_skipped_within_the_budget():
    text, _source = read_upload("budget.xlsx", hostile_xlsx.empty_styled_cells(5_000))
    assert parse_text(text).lines[-1].label == "Rad 4"


@settings(max_examples=40, deadline=None, database=None)
@given(
    cells=st.lists(
        st.lists(
            st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=20), st.integers(-(10**15), 10**15)),
            max_size=6,
        ),
        max_size=8,
    )
)
def test_a_workbook_of_hostile_cells_gives_text_or_its_own_error(cells):
    workbook = openpyxl.Workbook()
    workbook.active.append(["tkr", "Budget 2027", "Plan 2028"])
    for row in cells:
        workbook.active.append([ILLEGAL.sub("", cell) if isinstance(cell, str) else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    try:
        text, _source = read_upload("budget.xlsx", buffer.getvalue())
        parse_text(text)
    except BudgetParseError as error:
        assert error.messages and all(message.strip() for message in error.messages)
