"""Structured JSON logs with request ids, built so that message text cannot leak into them.

Handlers log ids and counts through `extra=`. As a second line of defence the formatter drops
exception messages (they can quote data) and keeps only the exception type and the stack's
file/line/function names.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_SAFE_TYPES = (str, int, float, bool, type(None))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.msg if isinstance(record.msg, str) else type(record.msg).__name__,
        }
        if record.args and isinstance(record.msg, str):
            entry["event"] = record.getMessage()
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, _SAFE_TYPES) else type(value).__name__
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _, tb = record.exc_info
            entry["exception"] = exc_type.__name__
            entry["stack"] = [
                f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}:{frame.name}"
                for frame in traceback.extract_tb(tb)
            ][-12:]
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_third_party_loggers()


def quiet_third_party_loggers() -> None:
    """Third-party loggers that log SQL parameters, request or response bodies or tokens at
    INFO or DEBUG could carry message text, so they only ever speak at WARNING."""
    for noisy in ("msrest", "msal", "urllib3", "aiohttp.access", "asyncio", "sqlalchemy",
                  "aiosqlite", "asyncpg", "alembic", "botframework", "botbuilder"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
