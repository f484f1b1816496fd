"""Structured logs: each line names its update; the bot token never reaches the output."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot import logs
from tests.conftest import TOKEN


@pytest.fixture
def output() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    logs.configure(logging.StreamHandler(stream), json_lines=True, token=TOKEN)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_lines_carry_the_update_and_never_the_token(output: io.StringIO) -> None:
    log = logging.getLogger("kooperacje.test")
    log.info("outside any update")
    token = logs.current_update.set(4242)
    try:
        log.warning("POST https://api.telegram.org/bot%s/sendMessage failed", TOKEN)
        try:
            raise ConnectionError(f"cannot reach /bot{TOKEN}/getUpdates")
        except ConnectionError:
            log.exception("network trouble")
    finally:
        logs.current_update.reset(token)
    first, second, third = _lines(output)
    assert first["update_id"] is None and first["level"] == "INFO"
    assert second["update_id"] == 4242 and "<token>" in second["message"]
    assert third["update_id"] == 4242 and "<token>" in third["exception"]
    assert TOKEN not in output.getvalue()


def test_httpx_urls_are_not_logged_at_info(output: io.StringIO) -> None:
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot%s/x", TOKEN)
    assert output.getvalue() == ""
