"""Emptying the test database after a test that commits, quickly on PostgreSQL.

Django empties it with one TRUNCATE of every table. PostgreSQL gives every truncated
table and index new files: about half a second for the site's hundred tables, after
each of the hundred tests that commit (the browser journeys, the real-worker tests),
more while the other test process keeps the disk busy. Deleting the few rows a test
leaves takes a few milliseconds. Django's foreign keys on PostgreSQL are deferrable, so
the order of the deletes does not matter: they are checked once, at the commit.

A table that a trigger keeps from deletes (the append-only moderation log) is still
truncated, as are the tables referring to it (CASCADE), before anything is deleted:
PostgreSQL refuses to truncate a table with checks still pending.
"""

from django.db.backends.postgresql.operations import DatabaseOperations

_truncate = DatabaseOperations.sql_flush

# pg_trigger.tgtype's bit for a trigger that fires on DELETE.
_ON_DELETE = 1 << 3


def _delete_rows(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables or reset_sequences:
        # Starting the ids again needs TRUNCATE ... RESTART IDENTITY.
        return _truncate(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    with self.connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND t.tgtype & %s <> 0",
            [_ON_DELETE],
        )
        guarded = {name for (name,) in cursor.fetchall()} & set(tables)
    statements = ["SET CONSTRAINTS ALL DEFERRED;"]
    if guarded:
        names = ", ".join(self.quote_name(table) for table in sorted(guarded))
        statements.append(f"TRUNCATE {names} CASCADE;")
    statements += [
        f"DELETE FROM {self.quote_name(table)};" for table in tables if table not in guarded
    ]
    return statements


def delete_rather_than_truncate() -> None:
    """Make Django's flush on PostgreSQL delete rows (see the module's docstring)."""
    DatabaseOperations.sql_flush = _delete_rows
