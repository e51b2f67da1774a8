"""Storage layer: the only place with SQL. Open with ``Database.open(path)``."""

from bot.storage.database import DEFAULT_PATH, Database
from bot.storage.migrator import DatabaseTooNewError, MigrationError

__all__ = ["DEFAULT_PATH", "Database", "DatabaseTooNewError", "MigrationError"]
