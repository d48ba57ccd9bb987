"""Alembic, driven from code: `Store.open` brings any database to head; no alembic.ini needed.

A new migration is a hand-written file in versions/ (down_revision = the current head); the schema
test fails until migrations and storage/schema.py agree.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

_HERE = Path(__file__).parent
# Copies of the bot that start together on an empty PostgreSQL would each create the tables and all
# but one would crash; a transaction-scoped advisory lock makes them migrate one after another (the
# later ones find the database at head). SQLite's BEGIN IMMEDIATE already serialises writers.
MIGRATION_LOCK = 0x6D6F6F64  # "mood"


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Run migrations on an open (sync) connection; with AsyncConnection use `run_sync(upgrade)`."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    config = Config(attributes={"connection": connection})
    config.set_main_option("script_location", str(_HERE))
    command.upgrade(config, revision)
