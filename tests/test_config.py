"""Settings: defaults, and one clear line per problem."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_BASE_URL",
        "DATABASE_URL",
        "BOT_ADMIN_IDS",
        "BOT_TIMEZONE",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///kooperacje.db"
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.telegram_file_base_url == "https://api.telegram.org/file/bot"
    assert settings.bot_timezone == "Europe/Warsaw"
    assert settings.bot_admin_ids == frozenset()


def test_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_ADMIN_IDS", "12, 34;56")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/bot")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456:ABCdefGHIjklMNOpqrSTUvwx")
    settings = load_settings()
    assert settings.bot_admin_ids == frozenset({12, 34, 56})
    assert settings.telegram_file_base_url == "http://127.0.0.1:8081/file/bot"
    assert settings.require_token() == "123456:ABCdefGHIjklMNOpqrSTUvwx"
    assert "ABCdef" not in repr(settings)  # the token is a secret


def test_one_line_per_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_ADMIN_IDS", "12,abc")
    monkeypatch.setenv("BOT_TIMEZONE", "Europe/Nowhere")
    monkeypatch.setenv("DATABASE_URL", "mysql://x")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    problems = raised.value.problems
    assert len(problems) == 3
    assert any(p.startswith("BOT_ADMIN_IDS:") and "'abc'" in p for p in problems)
    assert any(p.startswith("BOT_TIMEZONE:") for p in problems)
    assert any(p.startswith("DATABASE_URL:") for p in problems)


def test_missing_token_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError) as raised:
        load_settings(_env_file=None).require_token()
    assert "@BotFather" in str(raised.value)
