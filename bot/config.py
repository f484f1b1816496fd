"""Settings read from the environment and `.env`, validated once at start."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.housekeeping import Keep
from storage.retention import Rules

TELEGRAM_API_DEFAULT = "https://api.telegram.org/bot"
_TOKEN_SHAPE = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")


class ConfigError(Exception):
    """Raised with one human-readable line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = TELEGRAM_API_DEFAULT
    database_url: str = "sqlite+aiosqlite:///kooperacje.db"
    # NoDecode: a plain "1,2" must not be parsed as JSON first.
    bot_admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    bot_timezone: str = "Europe/Warsaw"
    # Shown in the privacy notice of /start: who decides about the members' data (RODO).
    # Empty: a generic phrase in the reader's language.
    privacy_controller: str = ""
    # Members not seen for this long, and meetings (with attendance and minutes) this long
    # past, are deleted by a daily job. Meetings: an EU-funded programme keeps records ~5 years.
    retention_inactive_months: int = Field(default=24, ge=1)
    retention_meeting_months: int = Field(default=60, ge=1)
    # Days handled updates (inbox) and sent messages (outbox) are kept, for tracing a problem.
    inbox_keep_days: int = Field(default=7, ge=1)
    outbox_keep_days: int = Field(default=7, ge=1)
    # Seconds to wait for Telegram's answer to a request before it counts as timed out.
    telegram_timeout: float = Field(default=10.0, gt=0)
    # Webhook mode: seconds a client has for its request's headers, and again for its body,
    # before the connection is closed (Telegram sends an update at once); and connections open
    # at a time, beyond which they are refused (Telegram opens at most 100, 40 by default).
    webhook_read_timeout: float = Field(default=10.0, gt=0)
    webhook_max_connections: int = Field(default=200, ge=1)
    # The bot's public HTTPS address (e.g. https://bot.example.org), where the reverse proxy
    # forwards to --listen:--port: calendar subscription feeds are served under it (in polling
    # mode too). Empty: no feeds, /kalendarz sends the file only.
    public_url: str = ""
    # "plain" lines, or "json": one object per line for a log collector.
    log_format: Literal["plain", "json"] = "plain"

    @field_validator("bot_admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s;]+", value) if p]
            for part in parts:
                if not part.lstrip("-").isdigit():
                    raise ValueError(f"{part!r} is not a numeric Telegram user id")
            return frozenset(int(p) for p in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("bot_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Warsaw)") from None
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (e.g. http://127.0.0.1:8081/bot)")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (e.g. https://bot.example.org)")
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_db(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "use sqlite+aiosqlite:///file.db or postgresql+asyncpg://user:pass@host/db"
            )
        return value

    @property
    def telegram_file_base_url(self) -> str:
        """PTB's file URL: the API base with `/bot` replaced by `/file/bot`."""
        base = self.telegram_api_base_url
        if base.endswith("/bot"):
            return base[: -len("bot")] + "file/bot"
        return base.rstrip("/") + "/file/bot"

    @property
    def retention_rules(self) -> Rules:
        return Rules(self.retention_inactive_months, self.retention_meeting_months)

    @property
    def queue_keep(self) -> Keep:
        return Keep(timedelta(days=self.inbox_keep_days), timedelta(days=self.outbox_keep_days))

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    def require_token(self) -> str:
        token = self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else ""
        if not token:
            raise ConfigError(
                [
                    "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather in Telegram "
                    "(/newbot), then put TELEGRAM_BOT_TOKEN=<token> in .env"
                ]
            )
        if not _TOKEN_SHAPE.match(token):
            raise ConfigError(
                ["TELEGRAM_BOT_TOKEN does not look like a bot token (expected 123456:ABC...)"]
            )
        return token


def load_settings(**overrides: Any) -> Settings:
    """Build settings, turning pydantic's report into one line per problem."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]).upper() or "settings"
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{name}: {message}")
        raise ConfigError(problems) from None
