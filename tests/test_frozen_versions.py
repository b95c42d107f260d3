"""Versions the board reviewed stay readable: a snapshot frozen by an earlier version of finsam (format 1)
must still equal what finsam freezes today for the same plan, text by text and figure by figure.

`tests/data/frozen/*.json` hold the snapshots of the demo plans as the first format froze them, with the
database ids taken out (they differ between databases). A change to what a snapshot holds fails here: bump
`plans.snapshots.SNAPSHOT_FORMAT`, keep reading the old format, and add the new one beside the old.
"""

import json
import re
from pathlib import Path

import pytest

from finsam.site.demo.loader import load_association
from finsam.site.demo.reading import demo_files, read_demo_file
from plans.models import Plan
from plans.snapshots import SNAPSHOT_FORMAT, snapshot_content

FROZEN = Path(__file__).parent / "data" / "frozen"
ID = re.compile(r"^([a-z_-]+-)\d+(-|$)")


def without_ids(value):
    """The content with every database id replaced, so that two loads of the same plan compare equal."""
    if isinstance(value, dict):
        return {k: ("<id>" if k == "id" else without_ids(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [without_ids(item) for item in value]
    if isinstance(value, str):
        return ID.sub(r"\1<id>\2", value)
    return value


@pytest.mark.django_db
@pytest.mark.parametrize("path", demo_files(), ids=lambda path: path.stem)
def test_a_version_frozen_in_the_first_format_is_what_finsam_freezes_today(path):
    load_association(read_demo_file(path))
    plan = Plan.objects.get(association__slug=path.stem)
    frozen = json.loads((FROZEN / f"{path.stem}.json").read_text())
    assert frozen["format"] == SNAPSHOT_FORMAT == 1
    assert without_ids(snapshot_content(plan)) == frozen
