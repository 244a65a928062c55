"""Opaque cursor tokens: what one encodes comes back; anything else is a ValueError."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.pages import Cursor, decode_token, encode_token


def test_a_token_round_trips_and_is_url_safe():
    token = encode_token(["-date", "2027-03-01", "a/b+c"])
    assert decode_token(token, 3) == ["-date", "2027-03-01", "a/b+c"]
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize("token", ["!!!", "e30", encode_token({"a": 1}), encode_token([1, 2])])
def test_anything_else_is_not_a_cursor(token):
    with pytest.raises(ValueError, match="not a valid cursor"):
        decode_token(token, 3)


def test_a_newest_first_cursor_needs_an_aware_time_and_an_id():
    at = dt.datetime(2027, 1, 2, 3, 4, tzinfo=dt.UTC)
    assert Cursor.decode(Cursor(at, "e1").encode()) == Cursor(at, "e1")
    for values in (["2027-01-02T03:04:00", "e1"], [at.isoformat(), ""], ["yesterday", "e1"]):
        with pytest.raises(ValueError):
            Cursor.decode(encode_token(values))
