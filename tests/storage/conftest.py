"""A fresh database per test: SQLite, and PostgreSQL when TEST_POSTGRES_URL is set (.ci/run does it)."""
from __future__ import annotations

import os

import pytest

from playground.databases import throwaway_database
from storage import Store

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request, tmp_path):
    """A fresh, empty database per test: a SQLite file, or a throwaway database on the Postgres server."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'moodtune.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL not set: no PostgreSQL server (.ci/run starts one)")
    async with throwaway_database(POSTGRES_URL, "moodtune_test") as database:
        yield database


@pytest.fixture
async def store(url):
    store = await Store.open(url)
    yield store
    await store.close()
