"""The typed callback data of bot/views/buttons.py: every kind packs and unpacks itself, stays
within Telegram's 64 bytes, and refuses forged data as a stale button (never an exception)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.application import CALLBACKS
from bot.views import buttons
from bot.views.buttons import Button
from storage.errors import DomainError, Problem

KINDS = list(Button.kinds)


def _example(kind: type[Button], full: bool = True) -> Button:
    """An instance with every field set (`full`), or with only the required ones."""
    values: dict[str, object] = {}
    for number, (name, type_, required) in enumerate(kind.spec(), start=7):
        if required or full:
            values[name] = number if type_ is int else f"v{number}"
    return kind(**values)


def _stale(call: Callable[[], object]) -> None:
    with pytest.raises(DomainError) as refused:
        call()
    assert refused.value.problem == Problem.STALE_BUTTON


def test_every_kind_is_routed_and_its_prefix_unique() -> None:
    assert len(KINDS) >= 40
    prefixes = [kind.prefix for kind in KINDS]
    assert len(prefixes) == len(set(prefixes))
    for kind in KINDS:
        assert dataclasses.is_dataclass(kind)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(_example(kind), kind.spec()[0][0], 1)
        assert buttons.prefix_of(kind.prefix) in CALLBACKS, kind


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.prefix)
@pytest.mark.parametrize("full", [True, False], ids=["all fields", "required only"])
def test_round_trip(kind: type[Button], full: bool) -> None:
    button = _example(kind, full)
    packed = button.pack()
    assert packed.startswith(kind.prefix + ":") or packed == kind.prefix
    assert kind.unpack(packed) == button
    # Among the kinds sharing its first part, the longest prefix picks it.
    siblings = [k for k in KINDS if buttons.prefix_of(k.prefix) == buttons.prefix_of(kind.prefix)]
    if 2 <= len(siblings) <= 5:
        # (cast: the overloads name the kinds one by one)
        assert cast(Any, buttons.unpack_any)(packed, *siblings) == button


def test_the_wire_format_of_buttons_already_sent() -> None:
    assert buttons.AnswerButton(12, "y", 3).pack() == "rv:12:y:3"
    assert buttons.AnswerButton.unpack("rv:12:y") == buttons.AnswerButton(12, "y")
    assert buttons.RegisterMark(5, 6, 1, 0, 2).pack() == "ob:m:5:6:1:0:2"
    assert buttons.RegisterMark.unpack("ob:m:5:6:1:0").page == 0  # sent before pages
    assert buttons.RegisterButton("v", 5, 1).pack() == "ob:v:5:1"
    assert buttons.ManageButton(4, "cx", 2).pack() == "mg:4:cx:2"
    assert buttons.ManageButton(4).pack() == "mg:4"
    assert buttons.ReminderButton.unpack("rm:all") == buttons.ReminderButton("all")
    assert buttons.AudienceChoice(1, "team", 0).pack() == "an:a:1:team:0"
    assert buttons.unpack_any("ln:p:2", buttons.LinkPage, buttons.LinkButton) == buttons.LinkPage(2)
    assert buttons.unpack_any("ln:9", buttons.LinkPage, buttons.LinkButton) == buttons.LinkButton(9)


def test_at_most_64_bytes_and_no_separator_inside_a_field() -> None:
    assert len(buttons.HelpButton("t", "ą" * 29).pack().encode()) == 63
    with pytest.raises(ValueError, match="64 bytes"):
        buttons.HelpButton("t", "ą" * 30).pack()
    with pytest.raises(ValueError, match="':'"):
        buttons.CategoryPage("a:b", 0).pack()


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "xx:12:y:3",  # another prefix
        "rv",  # no fields
        "rv:12",  # a field missing
        "rv:abc:y",  # not an int
        "rv:12:y:three",
        "rv:12::3",  # an empty field
        "rv:12:y:3:4",  # one too many
    ],
)
def test_forged_data_is_a_stale_button(raw: str | None) -> None:
    _stale(lambda: buttons.AnswerButton.unpack(raw))


def test_a_compound_prefix_is_not_its_parent() -> None:
    _stale(lambda: buttons.RegisterMark.unpack("ob:g:1:2:0:0"))
    _stale(lambda: buttons.unpack_any("ob", buttons.RegisterMark, buttons.RegisterButton))
    _stale(lambda: buttons.unpack_any("pd", buttons.ErasureYes, buttons.ErasureButton))


@settings(max_examples=300, deadline=None)
@given(
    raw=st.one_of(
        st.text(max_size=80),
        st.lists(
            st.sampled_from(["rv", "ob", "m", "pl", "v", "1", "-2", "", "x", "ą", " 3"]),
            max_size=8,
        ).map(":".join),
    )
)
def test_any_string_unpacks_or_is_refused_as_stale(raw: str) -> None:
    for kind in KINDS:
        try:
            button = kind.unpack(raw)
        except DomainError as refused:
            assert refused.problem == Problem.STALE_BUTTON
        else:
            assert isinstance(button, kind)
