"""What Telegram does to a formatted text after parsing: clean, fix entities, trim, detect.

Mirrors tdlib's ``fix_formatted_text`` closely enough for bots to see the same text and
entities: control characters become spaces, ``\\r`` and a few invisible characters vanish,
formatting inside code/pre is dropped, nested "continuous" entities (links, code...) keep only
the outer one, trailing spaces/newlines and leading ones before the first entity are trimmed,
and bot_command / mention / hashtag / url entities are found automatically.

Simplification: url detection needs an explicit http(s):// scheme (Telegram also links bare
domains like example.com).
"""

from __future__ import annotations

import re
from typing import Any

from .html import entity_sort_key

JsonDict = dict[str, Any]

SPLITTABLE = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})
BLOCKQUOTES = frozenset({"blockquote", "expandable_blockquote"})
PRE_LIKE = frozenset({"pre", "code"})
# U+2028..U+202E (separators, bidi embeddings) and three combining "vertical line" marks are
# deleted by tdlib's clean_input_string.
_DELETED = frozenset("\r\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u0333\u033f\u030a")
# What _clean deletes or turns into a space (control characters but the line feed).
_UNCLEAN = re.compile("[\x00-\x09\x0b-\x1f" + "".join(sorted(_DELETED)) + "]")
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]}'\""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _utf16_offsets(text: str) -> list[int]:
    """UTF-16 offset of each character of ``text``, plus the total length at the end."""
    if not text or max(text) <= "\uffff":  # no character takes two UTF-16 units
        return list(range(len(text) + 1))
    offsets = [0]
    for ch in text:
        offsets.append(offsets[-1] + (2 if ord(ch) > 0xFFFF else 1))
    return offsets


def _clean(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    if not _UNCLEAN.search(text):  # the usual text: nothing to delete or replace
        return text, entities
    out: list[str] = []
    removed_at: list[int] = []  # UTF-16 positions (in the input) of deleted characters
    pos = 0
    for ch in text:
        if ch in _DELETED:
            removed_at.append(pos)
        elif ord(ch) < 32 and ch != "\n":
            out.append(" ")
        else:
            out.append(ch)
        pos += 2 if ord(ch) > 0xFFFF else 1
    if not removed_at:
        return "".join(out), entities

    def shift(point: int) -> int:
        return point - sum(1 for r in removed_at if r < point)

    fixed = []
    for entity in entities:
        start, end = shift(entity["offset"]), shift(entity["offset"] + entity["length"])
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return "".join(out), fixed


def _without_nested(entities: list[JsonDict]) -> list[JsonDict]:
    """Keep only entities that don't start inside a previously kept one (outer wins)."""
    kept: list[JsonDict] = []
    end = 0
    for entity in sorted(entities, key=entity_sort_key):
        if entity["offset"] >= end:
            kept.append(entity)
            end = entity["offset"] + entity["length"]
    return kept


def _crosses(entity: JsonDict, outer: JsonDict) -> bool:
    start, end = entity["offset"], entity["offset"] + entity["length"]
    o_start, o_end = outer["offset"], outer["offset"] + outer["length"]
    overlaps = start < o_end and o_start < end
    inside = o_start <= start and end <= o_end
    return overlaps and not inside


def _subtract(start: int, end: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces = [(start, end)]
    for h_start, h_end in holes:
        next_pieces = []
        for p_start, p_end in pieces:
            if h_end <= p_start or p_end <= h_start:
                next_pieces.append((p_start, p_end))
                continue
            if p_start < h_start:
                next_pieces.append((p_start, h_start))
            if h_end < p_end:
                next_pieces.append((h_end, p_end))
        pieces = next_pieces
    return pieces


def _split_formatting(entities: list[JsonDict], holes: list[tuple[int, int]]) -> list[JsonDict]:
    """Merge touching same-type formatting and cut it out of code/pre, like tdlib."""
    result: list[JsonDict] = []
    for kind in sorted({e["type"] for e in entities}):
        spans = sorted(
            (e["offset"], e["offset"] + e["length"]) for e in entities if e["type"] == kind
        )
        merged: list[tuple[int, int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        for start, end in merged:
            for p_start, p_end in _subtract(start, end, holes):
                result.append({"type": kind, "offset": p_start, "length": p_end - p_start})
    return result


def fix_entities(entities: list[JsonDict]) -> list[JsonDict]:
    entities = [e for e in entities if e["length"] > 0]
    splittable = [e for e in entities if e["type"] in SPLITTABLE]
    quotes = _without_nested([e for e in entities if e["type"] in BLOCKQUOTES])
    continuous = _without_nested(
        [e for e in entities if e["type"] not in SPLITTABLE and e["type"] not in BLOCKQUOTES]
    )
    continuous = [e for e in continuous if not any(_crosses(e, q) for q in quotes)]
    holes = [(e["offset"], e["offset"] + e["length"]) for e in continuous if e["type"] in PRE_LIKE]
    fixed = continuous + quotes + _split_formatting(splittable, holes)
    return sorted(fixed, key=entity_sort_key)


def _trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    stripped = text.rstrip(" \n")
    end = utf16_len(stripped)
    kept = []
    for entity in entities:
        if entity["offset"] >= end:
            continue
        length = min(entity["length"], end - entity["offset"])
        kept.append({**entity, "length": length})
    # Leading whitespace is kept when an entity starts in it (e.g. inside <pre>).
    first_entity = min((e["offset"] for e in kept), default=len(stripped))
    cut = 0
    while cut < min(first_entity, len(stripped)) and stripped[cut] in " \n":
        cut += 1
    shifted = [{**e, "offset": e["offset"] - cut} for e in kept]
    return stripped[cut:], sorted(shifted, key=entity_sort_key)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _scan_run(text: str, i: int, accept: Any) -> int:
    while i < len(text) and accept(text[i]):
        i += 1
    return i


def _bot_commands(text: str) -> list[tuple[int, int]]:
    """tdlib's /(?<!\\b|[\\/<>])\\/([a-zA-Z0-9_]{1,64})(?:@([a-zA-Z0-9_]{3,32}))?(?!\\B|[\\/<>])/"""
    found = []
    for match in re.finditer("/", text):
        start = match.start()
        if start > 0 and (_is_word(text[start - 1]) or text[start - 1] in "/<>"):
            continue
        end = _scan_run(text, start + 1, _ascii_word)
        if not 1 <= end - start - 1 <= 64:
            continue
        if end < len(text) and text[end] == "@":
            name_end = _scan_run(text, end + 1, _ascii_word)
            if not 3 <= name_end - end - 1 <= 32:
                continue
            end = name_end
        if end < len(text) and (_is_word(text[end]) or text[end] in "/<>"):
            continue
        found.append((start, end))
    return found


def _mentions(text: str) -> list[tuple[int, int]]:
    found = []
    for match in re.finditer("@", text):
        start = match.start()
        if start > 0 and _is_word(text[start - 1]):
            continue
        end = _scan_run(text, start + 1, _ascii_word)
        # Usernames are 5..32 characters; tdlib also links 4-character ones.
        if not 4 <= end - start - 1 <= 32 or (end < len(text) and _is_word(text[end])):
            continue
        found.append((start, end))
    return found


def _hashtags(text: str) -> list[tuple[int, int]]:
    found = []
    for match in re.finditer("#", text):
        start = match.start()
        if start > 0 and _is_word(text[start - 1]):
            continue
        end = _scan_run(text, start + 1, _is_word)
        body = text[start + 1 : end]
        if not 1 <= len(body) <= 256 or not any(ch.isalpha() for ch in body):
            continue
        if end < len(text) and text[end] == "#":
            continue
        found.append((start, end))
    return found


def _urls(text: str) -> list[tuple[int, int]]:
    found = []
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        if len(url) > len(match.group().split("://", 1)[0]) + 3:
            found.append((match.start(), match.start() + len(url)))
    return found


def detect_entities(text: str) -> list[JsonDict]:
    """Entities Telegram adds by itself: bot_command, mention, hashtag, url."""
    offsets = _utf16_offsets(text)
    candidates = []
    for kind, finder in (
        ("url", _urls),
        ("bot_command", _bot_commands),
        ("mention", _mentions),
        ("hashtag", _hashtags),
    ):
        for start, end in finder(text):
            candidates.append(
                {"type": kind, "offset": offsets[start], "length": offsets[end] - offsets[start]}
            )
    return _without_nested(candidates)


def merge_detected(entities: list[JsonDict], detected: list[JsonDict]) -> list[JsonDict]:
    """Add detected entities that don't overlap a continuous (non-formatting) entity."""
    blockers = [e for e in entities if e["type"] not in SPLITTABLE and e["type"] not in BLOCKQUOTES]
    merged = list(entities)
    for entity in detected:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        if all(end <= b["offset"] or b["offset"] + b["length"] <= start for b in blockers):
            merged.append(entity)
    return sorted(merged, key=entity_sort_key)


def finalize(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Clean, fix, trim and auto-detect; returns ("", []) when nothing visible remains."""
    text, entities = _clean(text, entities)
    entities = fix_entities(entities)
    text, entities = _trim(text, entities)
    if not text:
        return "", []
    return text, merge_detected(entities, detect_entities(text))
