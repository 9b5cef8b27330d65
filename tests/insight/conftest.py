import pytest

from insight.buffer import get_buffer


@pytest.fixture(autouse=True)
def _empty_activity_buffer():
    """The buffer lives outside the database: empty it around every test."""
    get_buffer().discard()
    yield
    get_buffer().discard()
