"""The feedback store: one schema in SQLite (the default) or PostgreSQL, and versioned migrations.

Readers' feedback is kept as aggregates, never as a log of readers: per (day, site, term) how many
cards were opened and how many readers said the entry helped or not, and the optional comments
as text with their day, site and term. Nothing that identifies a reader is written (see
widget_server/clients.py for what is kept in memory instead).

Both stores run the same SQL, written with `?` placeholders (PostgreSQL's are swapped in once),
so the two cannot drift; the tests run the same module against both.
"""

from __future__ import annotations

import contextlib
import datetime
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SQLITE_FILE = "feedback.sqlite3"
# How long a write waits for another process's lock on the SQLite file before giving up (503).
SQLITE_BUSY_MS = 1000
# How long a PostgreSQL write waits for a connection (while the server is down) before a 503.
POSTGRES_WAIT_S = 2.0

# Each migration is a list of statements; `{id}` is the dialect's auto-numbered key. A migration
# is applied once, in order, in one transaction, and its number recorded in glossary_schema.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE term_day (
            day TEXT NOT NULL,
            site TEXT NOT NULL,
            term TEXT NOT NULL,
            opens BIGINT NOT NULL DEFAULT 0,
            helpful_yes BIGINT NOT NULL DEFAULT 0,
            helpful_no BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (day, site, term)
        )""",
        """CREATE TABLE comment (
            id {id},
            day TEXT NOT NULL,
            site TEXT NOT NULL,
            term TEXT NOT NULL,
            text TEXT NOT NULL
        )""",
        "CREATE INDEX comment_day ON comment (day, term)",
    ),
)

_UPSERT = """
    INSERT INTO term_day (day, site, term, opens, helpful_yes, helpful_no) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (day, site, term) DO UPDATE SET
        opens = term_day.opens + excluded.opens,
        helpful_yes = term_day.helpful_yes + excluded.helpful_yes,
        helpful_no = term_day.helpful_no + excluded.helpful_no
"""
_INSERT_COMMENT = "INSERT INTO comment (day, site, term, text) VALUES (?, ?, ?, ?)"


class StoreError(Exception):
    """The store cannot be opened or migrated (a bad path or URL, a newer schema)."""


@dataclass(frozen=True)
class Write:
    """One accepted request's counts for one (day, site, term), and its comment if any."""

    day: str
    site: str
    term: str
    opens: int = 0
    helpful_yes: int = 0
    helpful_no: int = 0
    comment: str | None = None


def aggregate(writes: Sequence[Write]) -> list[tuple[str, str, str, int, int, int]]:
    """A batch's counts summed per (day, site, term): one upsert per row touched, not per write.

    Sorted, so that every process locks the rows it updates in the same order: two PostgreSQL
    writers updating the same rows in different orders deadlocked (found by the benchmark).
    """
    totals: dict[tuple[str, str, str], list[int]] = {}
    for write in writes:
        counts = totals.setdefault((write.day, write.site, write.term), [0, 0, 0])
        counts[0] += write.opens
        counts[1] += write.helpful_yes
        counts[2] += write.helpful_no
    return [
        (day, site, term, opens, yes, no)
        for (day, site, term), (opens, yes, no) in sorted(totals.items())
        if any((opens, yes, no))
    ]


def today() -> str:
    """The UTC day that counts are filed under."""
    return datetime.datetime.now(datetime.UTC).date().isoformat()


class Store:
    """What both stores share: migrations, the batched write and reading queries."""

    name = ""
    id_column = ""
    placeholder = "?"

    def migrate(self) -> int:
        """Apply the migrations not applied yet; returns the schema version now in place."""
        with self.transaction() as cursor:
            self.lock_schema(cursor)
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS glossary_schema (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)"
            )
            cursor.execute("SELECT COALESCE(MAX(version), 0) FROM glossary_schema")
            current = int(cursor.fetchone()[0])
            if current > len(MIGRATIONS):
                raise StoreError(
                    f"the {self.name} store has schema version {current}, newer than this "
                    f"glossary-widget knows ({len(MIGRATIONS)}); upgrade glossary-widget"
                )
            for version, statements in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in statements:
                    cursor.execute(statement.format(id=self.id_column))
                applied = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
                cursor.execute(
                    self.sql("INSERT INTO glossary_schema (version, applied) VALUES (?, ?)"), (version, applied)
                )
        return len(MIGRATIONS)

    def apply(self, writes: Sequence[Write]) -> None:
        """Commit a batch of writes in one transaction: all of them, or (raising) none."""
        rows = aggregate(writes)
        comments = [(w.day, w.site, w.term, w.comment) for w in writes if w.comment]
        with self.transaction() as cursor:
            if rows:
                cursor.executemany(self.sql(_UPSERT), rows)
            if comments:
                cursor.executemany(self.sql(_INSERT_COMMENT), comments)

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.transaction() as cursor:
            cursor.execute(self.sql(sql), parameters)
            return list(cursor.fetchall())

    def sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder) if self.placeholder != "?" else statement

    def lock_schema(self, cursor: Any) -> None:
        """Hold off other processes migrating the same store at the same time."""

    def transaction(self) -> contextlib.AbstractContextManager[Any]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SQLiteStore(Store):
    """One SQLite file in WAL mode: readers never wait for the writer, nor it for them.

    `synchronous=FULL`: each commit waits for the WAL to reach the disk. NORMAL would already
    survive a crash of the process (kill -9), since a committed transaction is in the WAL file
    that the operating system holds; FULL also survives a power loss or a kernel crash, which an
    acknowledged vote should, and the batched writer pays its fsync once per batch, not per vote.
    """

    name = "SQLite"
    id_column = "INTEGER PRIMARY KEY"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = self.connect()
            self._connection.execute("PRAGMA journal_mode=WAL")
        except (OSError, sqlite3.Error) as error:
            raise StoreError(f"cannot open the SQLite store {path}: {error}") from None

    def connect(self) -> sqlite3.Connection:
        # Transactions are begun and ended here (isolation_level=None), not by the sqlite3 module.
        connection = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=SQLITE_BUSY_MS / 1000
        )
        connection.execute("PRAGMA synchronous=FULL")
        return connection

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """On the one write connection: the batched writer is its only user but for migrations."""
        cursor = self._connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            self._connection.rollback()
            raise
        else:
            cursor.execute("COMMIT")
        finally:
            cursor.close()

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Reads get a connection of their own, so a report never waits for a batch of writes."""
        connection = self.connect()
        try:
            return list(connection.execute(sql, parameters).fetchall())
        finally:
            connection.close()

    def close(self) -> None:
        self._connection.close()

    def __str__(self) -> str:
        return f"SQLite {self.path}"


class PostgresStore(Store):
    """PostgreSQL through a psycopg connection pool, shared by any number of `serve` processes.

    A commit returns once the server has flushed it (`synchronous_commit` is on by default), so
    an acknowledged write survives a crash of the database server too.
    """

    name = "PostgreSQL"
    id_column = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
    placeholder = "%s"

    def __init__(self, url: str) -> None:
        from psycopg_pool import ConnectionPool

        self.url = url
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=4,
            timeout=POSTGRES_WAIT_S,
            open=False,
            check=ConnectionPool.check_connection,
            kwargs={"connect_timeout": max(1, int(POSTGRES_WAIT_S))},
            name="glossary-feedback",
        )
        try:
            self._pool.open(wait=True, timeout=POSTGRES_WAIT_S * 5)
        except Exception as error:  # psycopg's errors and the pool's time-out alike
            self._pool.close()
            raise StoreError(f"cannot connect to the PostgreSQL store {self}: {error}") from None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        # The pool's connection block commits at its end and rolls back on an exception.
        with self._pool.connection() as connection, connection.cursor() as cursor:
            yield cursor

    def lock_schema(self, cursor: Any) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('glossary_schema'))")

    def close(self) -> None:
        self._pool.close()

    def __str__(self) -> str:
        # Never print a password that the URL may hold.
        from psycopg.conninfo import conninfo_to_dict

        try:
            info = conninfo_to_dict(self.url)
        except Exception:
            return "PostgreSQL (unparsable URL)"
        where = f"{info.get('host', '')}:{info.get('port', 5432)}/{info.get('dbname', '')}"
        return f"PostgreSQL {info.get('user', '')}@{where}"


def open_store(state_dir: Path | None = None, database_url: str | None = None, create: bool = True) -> Store:
    """PostgreSQL when a URL is given, else SQLite in `state_dir`; migrated to the current schema.
    Not `create`: a SQLite file that is not there is an error, not a new empty store (a report
    on a mistyped folder would say "no data" and leave a store behind)."""
    if database_url:
        if not database_url.startswith(("postgresql://", "postgres://")):
            raise StoreError("the database URL must start with postgresql:// (or postgres://)")
        store: Store = PostgresStore(database_url)
    else:
        if state_dir is None:
            raise StoreError("no state folder and no database URL given")
        if not create and not (state_dir / SQLITE_FILE).is_file():
            raise StoreError(f"no feedback store at {state_dir / SQLITE_FILE} (serve or migrate creates it)")
        store = SQLiteStore(state_dir / SQLITE_FILE)
    try:
        store.migrate()
    except StoreError:
        store.close()
        raise
    except Exception as error:
        store.close()
        raise StoreError(f"cannot migrate the {store}: {error}") from None
    return store


def default_state_dir(data_dir: Path) -> Path:
    """Beside the glossary folder rather than inside it: `build` and `check` read only the data."""
    resolved = data_dir.resolve()
    return resolved.parent / f"{resolved.name}-state"
