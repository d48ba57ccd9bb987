"""Alembic, driven from code: `Store.open` brings any database to head; no alembic.ini needed.

A new migration is a hand-written file in versions/ (down_revision = the current head); the schema
test fails until migrations and storage/schema.py agree.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

_HERE = Path(__file__).parent


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Run migrations on an open (sync) connection; with AsyncConnection use `run_sync(upgrade)`."""
    config = Config(attributes={"connection": connection})
    config.set_main_option("script_location", str(_HERE))
    command.upgrade(config, revision)
