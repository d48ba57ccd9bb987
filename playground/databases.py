"""Throwaway PostgreSQL databases on a test or benchmark server (TEST_POSTGRES_URL)."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine


async def create_database(admin_url: str, prefix: str = "moodtune") -> str:
    """A new, empty database on the server of `admin_url`; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(admin_url: str, url: str) -> None:
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE "{make_url(url).database}" WITH (FORCE)'))
    await admin.dispose()


@asynccontextmanager
async def throwaway_database(admin_url: str, prefix: str = "moodtune") -> AsyncIterator[str]:
    """A new database for the block, dropped after it (connections still open included)."""
    url = await create_database(admin_url, prefix)
    try:
        yield url
    finally:
        await drop_database(admin_url, url)
