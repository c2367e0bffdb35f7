"""The handle every surface holds: the configured database, opened and migrated to the newest
schema. Surfaces pass it to services and never look inside it (no sessions, no SQL)."""

from studio.store.db import Database, database_url, open_database

__all__ = ["Database", "database_url", "open_database"]
