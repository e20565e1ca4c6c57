"""Foundation §1: SQLite in WAL mode with IMMEDIATE transactions lets concurrent writers queue.

Two writers that each read, pause, then write inside a transaction deadlock under SQLite's default
DEFERRED mode ("database is locked" on the lock upgrade); with the project's settings both succeed.
"""

import threading
import time

import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler


def sqlite_connections(path, options):
    """A private connection handler (thread-local like Django's own) on a throwaway file database."""
    return ConnectionHandler(
        {
            "default": {
                **settings.DATABASES["default"],
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(path),
                "OPTIONS": options,
            }
        }
    )


def run_two_writers(connections):
    with connections["default"].cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    connections["default"].close()
    errors = []

    def writer():
        conn = connections["default"]  # each thread gets its own connection
        try:
            conn.ensure_connection()
            # What transaction.atomic() does on SQLite in autocommit: BEGIN <transaction_mode>.
            conn._start_transaction_under_autocommit()
            with conn.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                (n,) = cursor.fetchone()
                time.sleep(0.2)
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
            conn.connection.commit()
        except Exception as exc:  # noqa: BLE001 - the test reports whatever the driver raised
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        total = cursor.fetchone()[0]
    connections["default"].close()
    return errors, total


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="SQLite settings")
def test_project_sqlite_options_let_concurrent_writers_queue(tmp_path, django_db_blocker):
    with django_db_blocker.unblock():
        errors, total = run_two_writers(
            sqlite_connections(tmp_path / "db.sqlite3", settings.DATABASES["default"]["OPTIONS"])
        )
    assert errors == [] and total == 2


def test_default_deferred_mode_would_fail(tmp_path, django_db_blocker):
    """The control: without IMMEDIATE one of the writers fails, so the test above proves the setting matters."""
    with django_db_blocker.unblock():
        errors, _ = run_two_writers(sqlite_connections(tmp_path / "db.sqlite3", {"timeout": 5}))
    assert errors and "locked" in str(errors[0])
