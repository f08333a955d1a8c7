"""Account and isolation tests run on SQLite files and on PostgreSQL schemas."""

import pytest


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    return request.param
