"""Shared rules for every edit made through the app.

Optimistic locking: each editable row has a `version`. A save states the version the user started
from; the conditional UPDATE (`... WHERE pk = %s AND version = %s`) changes nothing when someone saved
in between, and `StaleVersion` carries the other person's current row so the page can show it.
"""

from django.db import models
from django.db.models import F


class Versioned(models.Model):
    """An optimistic lock: every save through the editor bumps `version`; a stale save is refused."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class StaleVersion(Exception):
    def __init__(self, current: models.Model | None):
        super().__init__("stale version")
        self.current = current


def versioned_update(instance: models.Model, *, expected_version: int, **changes) -> models.Model:
    """Apply `changes` to `instance` if it is still at `expected_version`; bump the version.

    Raises `StaleVersion` (with the row as it is now, or None if it was deleted) on a conflict.
    Returns the instance with the changes and the new version applied.
    """
    model = type(instance)
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1, **changes
    )
    if not updated:
        raise StaleVersion(model._default_manager.filter(pk=instance.pk).first())
    for field, value in changes.items():
        setattr(instance, field, value)
    instance.version = expected_version + 1
    return instance
