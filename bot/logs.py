"""Logs an operator can search: the update each line belongs to, never the bot token.

`LOG_FORMAT=json` writes one JSON object per line (time, level, logger, message, update_id,
exception) for a log collector; the default is one plain line. Whatever a library prints, the
token is replaced by `<token>` before it reaches the output. Message texts of users are not
logged at INFO by any of our loggers.
"""

from __future__ import annotations

import contextvars
import json
import logging
from datetime import UTC, datetime

# Set by the handler wrapper for the update being handled (and inherited by its tasks).
current_update: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "current_update", default=None
)
PLAIN = "%(asctime)s %(levelname)s %(name)s [update %(update_id)s] %(message)s"


class UpdateContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "update_id", None) is None:
            record.update_id = current_update.get()
        return True


class Redact(logging.Filter):
    """Replaces secrets in the formatted message and in exception texts."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, redacted, so no handler formats the raw one.
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<token>")
        return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "update_id": getattr(record, "update_id", None),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(
    handler: logging.Handler | None = None, *, json_lines: bool = False, token: str = ""
) -> logging.Handler | None:
    """Install our handler on the root logger (replacing the one installed before); like
    `logging.basicConfig`, leave alone a root logger someone else set up (a test runner)."""
    # httpx logs every URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, "installed_by_kooperacje", False)]
    if handler is None and root.handlers and not ours:
        return None
    for old in ours:
        root.removeHandler(old)
    handler = handler or logging.StreamHandler()
    # A mark on someone else's object: logging.Handler declares no such attribute.
    handler.installed_by_kooperacje = True  # type: ignore[attr-defined]
    handler.addFilter(UpdateContext())
    handler.addFilter(Redact(token))
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(PLAIN))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler
