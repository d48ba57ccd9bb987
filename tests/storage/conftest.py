"""A fresh database per test: SQLite, and PostgreSQL when TEST_POSTGRES_URL is set (.ci/run does it)."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

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
    name = f"moodtune_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def store(url):
    store = await Store.open(url)
    yield store
    await store.close()
