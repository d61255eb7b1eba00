"""Which exceptions mean "the database cannot be reached now" (answer 503, retry later)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError


class StoreUnavailable(Exception):
    """The database cannot be reached; callers answer 503 and acknowledge nothing."""


def is_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database is down or refusing connections, not a bug."""
    if isinstance(exc, StoreUnavailable | OperationalError | ConnectionError | OSError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    # PostgreSQL refusing connections (asyncpg errors carry no disconnect flag at connect
    # time): class 08 connection exception, 57P admin/crash shutdown or cannot connect now,
    # 53 insufficient resources (too many connections), and 55000 "database is not
    # currently accepting connections". All mean "try again later", not a bug: 503.
    state = str(getattr(exc.orig, "sqlstate", None) or "")
    return state.startswith(("08", "57P", "53")) or (
        state == "55000" and "accepting connections" in str(exc.orig))
