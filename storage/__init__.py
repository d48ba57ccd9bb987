"""storage: users (consent, prefs, taste), emotion readings, recommendations sent and feedback.

SQLAlchemy 2 async over SQLite (default, WAL) or PostgreSQL, schema versioned by Alembic. Only derived
facts are stored: never images, never message text.
"""
from storage.store import Feedback, Store, StoredReading, User

__all__ = ["Feedback", "Store", "StoredReading", "User"]
