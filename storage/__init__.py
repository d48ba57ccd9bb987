"""storage: users (consent, prefs, taste), emotion readings, recommendations sent and feedback.

An async Store on SQLAlchemy 2 over SQLite (default, WAL) or PostgreSQL (asyncpg), schema versioned
by Alembic. Only derived facts are stored: never images, never message text (the durable inbox holds
an update's raw JSON only until it has been handled; see storage/inbox.py).
"""
from storage.inbox import Envelope, Inbox, SqlInbox
from storage.store import Feedback, ReadingSpan, Store, StoredReading, User

__all__ = ["Envelope", "Feedback", "Inbox", "ReadingSpan", "SqlInbox", "Store", "StoredReading", "User"]
