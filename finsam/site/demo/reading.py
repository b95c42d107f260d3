"""Reading a demo file: the files, and the values in them checked and converted (Swedish errors)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db import models

from finsam.money import MAX_AMOUNT

DATA_DIR = Path(__file__).resolve().parent / "data"


class DemoDataError(ValueError):
    """A demo file that does not follow FORMAT.md or refers to something it does not define."""


# --- reading -------------------------------------------------------------------------------------------


def demo_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.json"))


def read_demo_file(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    for key in ("slug", "association", "organisations", "plan", "interventions"):
        if key not in data:
            raise DemoDataError(f"{path.name}: nyckeln {key!r} saknas.")
    return data


def kronor(value: Any, *, where: str) -> Decimal:
    """A FORMAT.md amount (a string of whole kronor) as `Decimal`."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise DemoDataError(f"{where}: {value!r} är inget belopp.") from None
    if amount != amount.to_integral_value():
        raise DemoDataError(f"{where}: {value!r} är inte hela kronor.")
    if abs(amount) > MAX_AMOUNT:
        raise DemoDataError(f"{where}: {value!r} är för stort.")
    return amount


def date_or_none(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def text(value: str | None) -> str:
    """Null in the file means "the document is silent"; the models store that as an empty string."""
    return value or ""


def create(model: type[models.Model], **fields) -> Any:
    """Create an object after running the model's field validation and `clean()`, so bad demo data fails
    loudly here (SQLite would otherwise accept, say, a too-long name that PostgreSQL refuses).

    Foreign keys are left out of the field validation (each would cost a query, and the loader sets them
    from objects it has just created), and so are unique/check constraints (the database enforces those
    on insert, inside the loader's transaction). That keeps `load_demo` fast enough to run in tests.
    """
    instance = model(**fields)
    foreign_keys = [field.name for field in model._meta.fields if field.is_relation]
    instance.full_clean(exclude=foreign_keys, validate_constraints=False)
    instance.save()
    return instance
