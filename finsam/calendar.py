"""The association's yearly calendar (årshjul): the dates the chief sets, and the adoption deadline.

The law has the board adopt next year's budget every year; the common statutes say by 30 November. Where
the chief has set no adoption date for a year, that default stands in for it.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from finsam.models import Association, AssociationDate

Kind = AssociationDate.Kind
DEFAULT_ADOPTION = (11, 30)  # month, day: "budget adopted by 30 November"
UPCOMING_SHOWN = 5


@dataclass(frozen=True)
class CalendarDate:
    """A date to show: one the chief set (`pk`), or the default adoption deadline (`pk` None)."""

    date: datetime.date
    kind: str
    label: str
    pk: int | None = None

    @property
    def is_default(self) -> bool:
        return self.pk is None

    def days_left(self, today: datetime.date) -> int:
        return (self.date - today).days


@dataclass
class Calendar:
    """One association's calendar as seen on `today`."""

    today: datetime.date
    deadline: CalendarDate
    upcoming: list[CalendarDate] = field(default_factory=list)

    @property
    def deadline_days_left(self) -> int:
        return self.deadline.days_left(self.today)


def _shown(row: AssociationDate) -> CalendarDate:
    return CalendarDate(date=row.date, kind=row.kind, label=row.label, pk=row.pk)


def default_adoption(year: int) -> CalendarDate:
    return CalendarDate(
        date=datetime.date(year, *DEFAULT_ADOPTION),
        kind=Kind.ADOPTION,
        label=_("Budgeten fastställd senast 30 november"),
    )


def adoption_deadline(rows: Iterable[AssociationDate], today: datetime.date) -> CalendarDate:
    """The next adoption: the first adoption date the chief set from `today` on; else 30 November of
    this year, unless this year's adoption date (set or default) has passed, then of next year."""
    rows = [row for row in rows if row.kind == Kind.ADOPTION]
    ahead = sorted((row for row in rows if row.date >= today), key=lambda row: row.date)
    if ahead:
        return _shown(ahead[0])
    set_this_year = any(row.date.year == today.year for row in rows)
    default = default_adoption(today.year)
    if set_this_year or default.date < today:
        return default_adoption(today.year + 1)
    return default


def calendars(associations: Iterable[Association], today: datetime.date) -> dict[int, Calendar]:
    """Each association's calendar (by its id): the adoption deadline and the other dates ahead. One query
    for all the associations."""
    ids = [association.pk for association in associations]
    rows: dict[int, list[AssociationDate]] = {pk: [] for pk in ids}
    for row in AssociationDate.objects.filter(
        association_id__in=ids, date__gte=datetime.date(today.year, 1, 1)
    ).order_by("date", "id"):
        rows[row.association_id].append(row)
    result = {}
    for pk, own in rows.items():
        deadline = adoption_deadline(own, today)
        # The deadline has its own line; the list holds the other dates ahead.
        upcoming = [_shown(row) for row in own if row.date >= today and row.pk != deadline.pk]
        result[pk] = Calendar(today=today, deadline=deadline, upcoming=upcoming[:UPCOMING_SHOWN])
    return result


def association_dates(association: Association) -> list[AssociationDate]:
    """Every date the chief has set, oldest first (the calendar page)."""
    return list(association.dates.order_by("date", "id"))


def _save(row: AssociationDate) -> AssociationDate:
    row.title = (row.title or "").strip()
    if row.kind == Kind.OTHER and not row.title:
        raise ValidationError({"title": _("Skriv vad som händer den dagen.")})
    row.full_clean()
    row.save()
    return row


def association_date_add(
    *, association: Association, date: datetime.date, kind: str, title: str = ""
) -> AssociationDate:
    """A new date in the association's calendar. Raises ValidationError (by field) on bad input."""
    return _save(AssociationDate(association=association, date=date, kind=kind, title=title))


def association_date_update(
    *, row: AssociationDate, date: datetime.date, kind: str, title: str = ""
) -> AssociationDate:
    """Change one of the association's dates (the caller found it through the association). Raises
    ValidationError (by field) on bad input, and then leaves the row in the database as it was."""
    changed = copy.copy(row)  # `row` stays as stored if the change is refused
    changed.date, changed.kind, changed.title = date, kind, title
    return _save(changed)


def association_date_delete(*, row: AssociationDate) -> None:
    """Remove a date from its association's calendar (the caller found it through the association)."""
    row.delete()
