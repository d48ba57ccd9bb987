"""storage: users (consent, prefs, taste), emotion readings, recommendations sent and feedback.

An async Store on SQLAlchemy 2 over SQLite (default, WAL) or PostgreSQL (asyncpg), schema versioned
by Alembic. Only derived facts are stored: never images, never message text.
"""
from storage.store import Feedback, Store, StoredReading, User

__all__ = ["Feedback", "Store", "StoredReading", "User"]
