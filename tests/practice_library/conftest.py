import pytest
from django.conf import settings

from tests.members.factories import TopicFactory
from tests.practice_library.factories import ResourceTypeFactory

postgres_only = pytest.mark.skipif(
    not settings.USING_POSTGRES, reason="PostgreSQL full-text search (service mode)"
)
sqlite_only = pytest.mark.skipif(
    settings.USING_POSTGRES, reason="the simpler search of the embedded SQLite default"
)


@pytest.fixture
def guide(db):
    return ResourceTypeFactory(name="Practice guide")


@pytest.fixture
def case_study(db):
    return ResourceTypeFactory(name="Case study")


@pytest.fixture
def safeguarding(db):
    return TopicFactory(name="Safeguarding")


@pytest.fixture
def education(db):
    return TopicFactory(name="Education")
