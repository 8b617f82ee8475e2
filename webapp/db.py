"""Engine and sessions. Views get `db_session()`, committed once at the end of a request (rolled back on
any error); the mail poller and CLI commands open their own with `session_scope()`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

from flask import Flask, current_app, g
from sqlalchemy import CursorResult, DateTime, Engine, Enum, MetaData, Result, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC (SQLite has no time zones), always handed back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use webapp.clock.now()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def enum_type(enum: type[StrEnum], length: int) -> Enum:
    """A status column: stored as its value (the words on screen) in a VARCHAR of `length`, as it always
    was, so existing rows need no migration; read back as the enum; a value not in it is refused."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE changed."""
    return cast(CursorResult[Any], result).rowcount


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        _sqlite_serialised_writes(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_serialised_writes(engine: Engine) -> None:
    """SQLite: WAL, foreign keys, and BEGIN IMMEDIATE so that two writers queue instead of one failing
    half-way with 'database is locked' after it has read stale data."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["iag_engine"] = engine
    app.extensions["iag_sessions"] = sessionmaker(bind=engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            if exc is not None:
                session.rollback()
            session.close()


def engine() -> Engine:
    return current_app.extensions["iag_engine"]


def db_session() -> Session:
    """The request's session. Committed by `commit_if_ok` after the view, never inside it."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["iag_sessions"]()
    return g.db_session


def commit_if_ok(response):
    """After the view: commit (or roll back an error), and give the connection back to the pool at once,
    not when the response has been sent: a slow download must not hold a database connection (or, on
    SQLite, anything at all) for as long as it takes."""
    session = g.pop("db_session", None)
    if session is not None:
        try:
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()
    return response


@contextmanager
def session_scope(app: Flask | None = None) -> Iterator[Session]:
    """One transaction: committed if the block finishes, rolled back if it raises."""
    factory = (app or current_app).extensions["iag_sessions"]
    with factory() as session, session.begin():
        yield session
