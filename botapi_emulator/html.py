"""Telegram's HTML parse_mode: text -> (plain text, MessageEntity dicts) or EntityParseError.

A byte-level port of tdlib's ``parse_html`` (the code the Bot API server runs), so that what
it accepts, what it rejects and the error texts with their *byte* offsets match Telegram.
Known quirks kept on purpose because Telegram has them:

* ``&`` that does not start ``&lt; &gt; &amp; &quot;`` or a numeric reference stays a literal
  ``&`` (``&foo;`` is therefore accepted as text, not an error);
* attributes without a value are ignored (``<b foo>``), other tags' unknown attributes too;
* ``</>`` closes whatever tag is open;
* empty elements produce no entity; ``<a>`` without href links to its own text;
* ``<a href>`` values Telegram cannot use as a link silently produce no entity.

Offsets and lengths are UTF-16 code units, as in the Bot API. ``tg://user?id=N`` links become
``text_mention`` entities carrying ``{"user": {"id": N}}``; the caller resolves the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

JsonDict = dict[str, Any]

_SUPPORTED_TAGS = frozenset(
    b"a b strong i em s strike del u ins tg-spoiler tg-emoji span pre code blockquote".split()
)
_SPACES = frozenset(b" \t\r\n\0\v")  # td::is_space; 0 doubles as "end of input"
_MARKUP = re.compile(rb"[&<]")
_SIMPLE_TYPES = {
    b"b": "bold",
    b"strong": "bold",
    b"i": "italic",
    b"em": "italic",
    b"s": "strikethrough",
    b"strike": "strikethrough",
    b"del": "strikethrough",
    b"u": "underline",
    b"ins": "underline",
    b"tg-spoiler": "spoiler",
}
_NAMED_REFERENCES = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
# tdlib's sort order for entities sharing offset and length (lower first).
_TYPE_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_LINK_SCHEMES = ("http", "https", "tg", "ton", "tonsite")


class EntityParseError(ValueError):
    """tdlib's message; the Bot API prefixes it with "Bad Request: can't parse entities: "."""


@dataclass
class _OpenTag:
    name: bytes
    argument: bytes
    utf16_offset: int
    out_offset: int


@dataclass(order=True)
class _Entity:
    offset: int
    neg_length: int
    priority: int
    type: str = field(compare=False)
    extra: JsonDict = field(compare=False, default_factory=dict)

    def to_dict(self) -> JsonDict:
        return {"type": self.type, "offset": self.offset, "length": -self.neg_length, **self.extra}


def entity_sort_key(entity: JsonDict) -> tuple[int, int, int]:
    return entity["offset"], -entity["length"], _TYPE_PRIORITY.get(entity["type"], 50)


def _is_alpha(c: int) -> bool:
    return 0x61 <= (c | 0x20) <= 0x7A


def _is_digit(c: int) -> bool:
    return 0x30 <= c <= 0x39


def _is_hex(c: int) -> bool:
    return _is_digit(c) or 0x61 <= (c | 0x20) <= 0x66


def _decode_reference(data: bytes, pos: int) -> tuple[int, int] | None:
    """(code point, position after it) for a character reference at ``data[pos] == '&'``."""
    n = len(data)
    end = pos + 1
    if end < n and data[end] == 0x23:  # '#'
        end += 1
        code = 0
        if end < n and data[end] == 0x78:  # lowercase 'x' only, like tdlib
            end += 1
            while end < n and _is_hex(data[end]):
                code = code * 16 + int(chr(data[end]), 16)
                end += 1
        else:
            while end < n and _is_digit(data[end]):
                code = code * 10 + data[end] - 0x30
                end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
    else:
        while end < n and _is_alpha(data[end]):
            end += 1
        named = _NAMED_REFERENCES.get(data[pos + 1 : end])
        if named is None:
            return None
        code = named
    if end < n and data[end] == 0x3B:  # ';' is optional
        end += 1
    return code, end


def _utf8(code: int) -> bytes:
    return chr(code).encode("utf-8", "surrogatepass")


def link_user_id(url: str) -> int | None:
    """The user id of a ``tg://user?id=N`` link (these become text_mention entities)."""
    lowered = url.lower()
    for prefix in ("tg://user?id=", "tg:user?id="):
        if lowered.startswith(prefix):
            rest = url[len(prefix) :]
            return int(rest) if rest.isdigit() and int(rest) > 0 else None
    return None


def checked_link(url: str) -> str | None:
    """Telegram's normalised form of a link, or None when it would not be a link at all."""
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return None
    if "://" not in url and not url.lower().startswith(("tg:", "ton:", "tonsite:")):
        url = "http://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _LINK_SCHEMES:
        return None
    if scheme in ("http", "https"):
        host = parts.hostname or ""
        if not host or any(not (ch.isalnum() or ch in ".-_") for ch in host):
            return None
        # Telegram adds the root path to bare origins ("https://x.org" -> "https://x.org/").
        if not parts.path:
            url = parts._replace(scheme=scheme, path="/").geturl()
        else:
            url = parts._replace(scheme=scheme).geturl()
    return url


def _utf16_units(run: bytes) -> int:
    text = run.decode("utf-8")
    return len(text) if max(text) <= "\uffff" else len(text.encode("utf-16-le")) // 2


class _Parser:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.out = bytearray()
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[_Entity] = []
        self.decoded_surrogate = False

    def at(self, i: int) -> int:
        return self.data[i] if i < len(self.data) else 0

    def run(self) -> tuple[str, list[JsonDict]]:
        data = self.data
        while self.pos < len(data):
            c = data[self.pos]
            if c == 0x26 and self._reference():  # '&'
                continue
            if c != 0x3C:  # '<'
                # Plain text up to the next '&' or '<', at once (it is whole characters).
                found = _MARKUP.search(data, self.pos + 1)
                end = found.start() if found else len(data)
                run = data[self.pos : end]
                self.out += run
                self.utf16 += _utf16_units(run)
                self.pos = end
                continue
            if self.at(self.pos + 1) == 0x2F:  # '/'
                self._end_tag()
            else:
                self._start_tag()
        if self.stack:
            name = self.stack[-1].name.decode("utf-8", "replace")
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{name}"')
        if self.decoded_surrogate:
            raise EntityParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, check "
                "for unmatched surrogate code units"
            )
        for entity in self.entities:
            if entity.type == "code":
                entity.extra.pop("language", None)
        self.entities.sort()
        return self.out.decode("utf-8"), [e.to_dict() for e in self.entities]

    def _reference(self) -> bool:
        decoded = _decode_reference(self.data, self.pos)
        if decoded is None:
            return False
        code, self.pos = decoded
        self.utf16 += 2 if code > 0xFFFF else 1
        self.decoded_surrogate |= 0xD800 <= code <= 0xDFFF
        self.out += _utf8(code)
        return True

    def _skip_spaces(self, i: int) -> int:
        while self.at(i) != 0 and self.at(i) in _SPACES:
            i += 1
        return i

    def _start_tag(self) -> None:
        begin = self.pos
        i = begin + 1
        while self.at(i) not in _SPACES and self.at(i) != 0x3E:  # '>'
            i += 1
        if self.at(i) == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        name = self.data[begin + 1 : i].lower()
        shown = name.decode("utf-8", "replace")
        if name not in _SUPPORTED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{shown}" at byte offset {begin}')

        argument = b""
        while self.at(i) != 0x3E:
            i = self._skip_spaces(i)
            if self.at(i) == 0x3E:
                break
            attr_begin = i
            while self.at(i) not in _SPACES and self.at(i) not in b"=>/\"'":
                i += 1
            attr = self.data[attr_begin:i]
            if not attr:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{shown}" at byte offset {begin}'
                )
            i = self._skip_spaces(i)
            if self.at(i) != 0x3D:  # '=': a value-less attribute
                if self.at(i) == 0:
                    raise EntityParseError(f'Unclosed start tag "{shown}" at byte offset {begin}')
                if name == b"blockquote" and attr == b"expandable":
                    argument = b"1"
                continue
            i = self._skip_spaces(i + 1)
            if self.at(i) == 0:
                raise EntityParseError(f'Unclosed start tag "{shown}" at byte offset {begin}')
            value, i = self._attribute_value(i)
            if self.at(i) == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            argument = _tag_argument(name, attr, value, argument)

        if name == b"span" and argument != b"spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
            )
        self.stack.append(_OpenTag(name, argument, self.utf16, len(self.out)))
        self.pos = i + 1

    def _attribute_value(self, i: int) -> tuple[bytes, int]:
        quote = self.at(i)
        if quote not in (0x22, 0x27):
            # An HTML "name token": letters, digits, '.', '-'; case-insensitive.
            token_begin = i
            while _is_alpha(self.at(i)) or _is_digit(self.at(i)) or self.at(i) in b".-":
                i += 1
            if self.at(i) not in _SPACES and self.at(i) != 0x3E:
                raise EntityParseError(f"Unexpected end of name token at byte offset {token_begin}")
            return self.data[token_begin:i].lower(), i
        i += 1
        value = bytearray()
        while self.at(i) != quote and self.at(i) != 0:
            if self.at(i) == 0x26:
                decoded = _decode_reference(self.data, i)
                if decoded is not None:
                    code, i = decoded
                    value += _utf8(code)
                    continue
            value.append(self.at(i))
            i += 1
        if self.at(i) == quote:
            i += 1
        return bytes(value), i

    def _end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 1
        while self.at(i) not in _SPACES and self.at(i) != 0x3E:
            i += 1
        end_name = self.data[begin + 2 : i].lower()
        i = self._skip_spaces(i)
        if self.at(i) != 0x3E:
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        tag = self.stack[-1]
        if end_name and end_name != tag.name:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {begin}, expected "
                f'"</{tag.name.decode("utf-8", "replace")}>", '
                f'found "</{end_name.decode("utf-8", "replace")}>"'
            )
        if self.utf16 > tag.utf16_offset:
            self._close(tag)
        self.stack.pop()
        self.pos = i + 1

    def _add(self, kind: str, tag: _OpenTag, **extra: Any) -> None:
        length = self.utf16 - tag.utf16_offset
        self.entities.append(
            _Entity(tag.utf16_offset, -length, _TYPE_PRIORITY.get(kind, 50), kind, extra)
        )

    def _close(self, tag: _OpenTag) -> None:
        name = tag.name
        last = self.entities[-1] if self.entities else None
        same_span = (
            last is not None
            and last.offset == tag.utf16_offset
            and -last.neg_length == self.utf16 - tag.utf16_offset
        )
        if name in _SIMPLE_TYPES or name == b"span":
            self._add(_SIMPLE_TYPES.get(name, "spoiler"), tag)
        elif name == b"tg-emoji":
            self._add("custom_emoji", tag, custom_emoji_id=_custom_emoji_id(tag.argument))
        elif name == b"a":
            self._link(tag)
        elif name == b"pre":
            if same_span and last is not None and last.type == "code" and "language" in last.extra:
                last.type, last.priority = "pre", _TYPE_PRIORITY["pre"]
            else:
                self._add("pre", tag)
        elif name == b"code":
            language = tag.argument.decode("utf-8", "replace")
            if same_span and last is not None and last.type == "pre" and language:
                last.extra["language"] = language
            elif language:
                self._add("code", tag, language=language)
            else:
                self._add("code", tag)
        elif name == b"blockquote":
            self._add("expandable_blockquote" if tag.argument else "blockquote", tag)

    def _link(self, tag: _OpenTag) -> None:
        url = tag.argument.decode("utf-8", "replace")
        if not url:
            url = bytes(self.out[tag.out_offset :]).decode("utf-8", "replace")
        user_id = link_user_id(url)
        if user_id is not None:
            self._add("text_mention", tag, user={"id": user_id})
            return
        checked = checked_link(url)
        if checked is not None:
            self._add("text_link", tag, url=checked)


def _tag_argument(name: bytes, attr: bytes, value: bytes, current: bytes) -> bytes:
    if name == b"a" and attr == b"href":
        return value
    if name == b"code" and attr == b"class" and value.startswith(b"language-"):
        return value[9:]
    if name == b"span" and attr == b"class" and value.startswith(b"tg-"):
        return value[3:]
    if name == b"tg-emoji" and attr == b"emoji-id":
        return value
    if name == b"blockquote" and attr == b"expandable":
        return b"1"
    return current


def _custom_emoji_id(argument: bytes) -> str:
    text = argument.decode("utf-8", "replace")
    try:
        number = int(text)
    except ValueError:
        number = 0
    # tdlib requires an exact int64 round trip ("007" or "+7" are rejected) and a non-zero id.
    if str(number) != text or number == 0 or not -(2**63) <= number < 2**63:
        raise EntityParseError("Invalid custom emoji identifier specified")
    return text


def parse_html(text: str) -> tuple[str, list[JsonDict]]:
    """Parse Telegram HTML into plain text and entities (UTF-16 offsets), like Telegram."""
    if "\0" in text:
        raise EntityParseError("Text must not contain null bytes")
    return _Parser(text.encode("utf-8")).run()
