"""`built_once_for_the_group`: the group's data is there for every test of the group, and what one test
writes is gone before the next (whichever order the tests run in)."""

import pytest

from finsam.models import Association
from tests.factories import AssociationFactory
from tests.group_data import built_once_for_the_group


@pytest.fixture(scope="module")
def group_association(django_db_setup, django_db_blocker):
    yield from built_once_for_the_group(
        django_db_blocker, lambda: AssociationFactory(name="Gruppens förbund")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("writer", ["first", "second"])
def test_each_test_sees_the_group_data_and_none_of_another_tests_writes(group_association, writer):
    assert Association.objects.filter(pk=group_association.pk).exists()
    # Each case writes a row the other must not see: whichever runs second fails if writes leaked.
    assert not Association.objects.filter(name__startswith="Skrivet av").exists()
    AssociationFactory(name=f"Skrivet av {writer}")
    assert Association.objects.filter(name__startswith="Skrivet av").count() == 1
