"""answerInlineQuery: results parsed by the Bot API server, then checked by Telegram."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from .api_common import opt_str
from .errors import NEXT_OFFSET_INVALID, QUERY_TOO_OLD, bad_request
from .inline_results import check_results, decode_results, parse_result
from .state import World

JsonDict = dict[str, Any]

MAX_OFFSET_BYTES = 64
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]*")
_BUTTON_UNPARSABLE = "can't parse inline query results button: "


def _button_problem(button: Any) -> str | None:
    """What the Bot API server finds wrong with an InlineQueryResultsButton, if anything."""
    if not isinstance(button, dict):
        return "InlineQueryResultsButton must be an Object"
    if not isinstance(button.get("text"), str):
        return 'Can\'t find field "text"'
    if "start_parameter" in button:
        if not isinstance(button["start_parameter"], str):
            return 'Field "start_parameter" must be of type String'
        return None
    web_app = button.get("web_app")
    if isinstance(web_app, dict) and isinstance(web_app.get("url"), str):
        return None
    return "InlineQueryResultsButton must have exactly one optional field"


def _start_parameter(params: JsonDict) -> str | None:
    """The deep-link parameter of the results button (or legacy switch_pm_*), validated."""
    button = params.get("button")
    if button not in (None, ""):
        if isinstance(button, str):
            try:
                button = json.loads(button)
            except ValueError:
                raise bad_request("can't parse inline query results button JSON object") from None
        problem = _button_problem(button)
        if problem:
            raise bad_request(_BUTTON_UNPARSABLE + problem)
        return button.get("start_parameter")
    if opt_str(params, "switch_pm_text"):
        return opt_str(params, "switch_pm_parameter") or ""
    return None


def _check_start_parameter(parameter: str) -> None:
    if not parameter:
        raise bad_request("can't use empty start_parameter")
    if len(parameter) > 64:
        raise bad_request("too long start_parameter specified")
    if not _START_PARAMETER.fullmatch(parameter):
        raise bad_request("unallowed characters in start_parameter are used")


def answer_inline_query(world: World, params: JsonDict) -> bool:
    raw_results = decode_results(params.get("results"))
    results = [parse_result(raw, world.known_user) for raw in raw_results]
    start_parameter = _start_parameter(params)
    query = world.inline_queries.get(opt_str(params, "inline_query_id") or "")
    if query is None or query.answered:
        raise bad_request(QUERY_TOO_OLD)
    if start_parameter is not None:
        _check_start_parameter(start_parameter)
    if len((opt_str(params, "next_offset") or "").encode("utf-8")) > MAX_OFFSET_BYTES:
        raise bad_request(NEXT_OFFSET_INVALID)
    check_results(results)
    # cache_time and is_personal only steer Telegram's cache, which is not emulated.
    query.answered = True
    query.results = {result.id: result.message_content() for result in results}
    answer = copy.deepcopy(params)
    answer["results"] = copy.deepcopy(raw_results)
    world.inline_answers.push(query.id, answer)
    return True
