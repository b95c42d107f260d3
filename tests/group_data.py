"""Data built once for a group of tests: a class or a module, with each test's writes rolled back."""

import sys
from collections.abc import Callable, Iterator

from django.db import transaction


def built_once_for_the_group(django_db_blocker, build: Callable) -> Iterator:
    """For a class- or module-scoped fixture: `build()` runs once for the tests of its scope, in a
    transaction rolled back after the last of them. Each test's own transaction (the `db` fixture) is a
    savepoint inside it, so what a test writes is undone before the next one, as usual; a model instance
    the fixture returns is shared, so a test reads its rows from the database (or refreshes it).

    Only for tests on `db`: a transactional test's flush would delete the group's rows for the rest of it.
    `yield from built_once_for_the_group(django_db_blocker, load_demo)` in a fixture that asks for
    `django_db_setup` and `django_db_blocker`."""
    with django_db_blocker.unblock():
        group = transaction.atomic()
        group.__enter__()
        try:
            data = build()
        except BaseException:
            group.__exit__(*sys.exc_info())
            raise
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            group.__exit__(None, None, None)
