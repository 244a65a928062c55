"""Marking sent off the relay's path: one mark at a time, in order, errors not lost."""

from __future__ import annotations

import threading
import time

import pytest

from shared.events.marking import SentMarker


class Marks:
    """A mark that takes ``delay_s`` and records when each one ran."""

    def __init__(self, delay_s: float = 0.05, fail_on: int | None = None) -> None:
        self.delay_s, self.fail_on = delay_s, fail_on
        self.runs: list[tuple[list[int], float, float]] = []
        self.lock = threading.Lock()

    def __call__(self, connection, ids: list[int]) -> None:
        started = time.monotonic()
        time.sleep(self.delay_s)
        with self.lock:
            self.runs.append((ids, started, time.monotonic()))
        if ids[0] == self.fail_on:
            raise RuntimeError("database gone")


def test_batches_are_marked_in_order_one_at_a_time_while_the_relay_goes_on():
    marks = Marks(delay_s=0.5)
    marker = SentMarker(background=True, mark=marks)
    marker.hand_over(None, [1, 2])
    handed_over_at = time.monotonic()
    assert marker.in_flight() == {1, 2}
    marker.hand_over(None, [3])
    marker.hand_over(None, [4])
    marker.close()
    assert handed_over_at < marks.runs[0][2], "the first hand-over waited for its mark"
    assert [ids for ids, _, _ in marks.runs] == [[1, 2], [3], [4]]
    for (_, _, ended), (_, began, _) in zip(marks.runs, marks.runs[1:], strict=False):
        assert began >= ended
    assert marker.in_flight() == frozenset()


def test_a_failed_mark_is_raised_to_the_relay_at_the_next_hand_over():
    marker = SentMarker(background=True, mark=Marks(delay_s=0.01, fail_on=1))
    marker.hand_over(None, [1])
    with pytest.raises(RuntimeError, match="database gone"):
        marker.hand_over(None, [2])
    marker.close()


def test_inline_marking_is_done_when_the_hand_over_returns():
    marks = Marks(delay_s=0)
    marker = SentMarker(background=False, mark=marks)
    marker.hand_over(None, [7])
    assert [ids for ids, _, _ in marks.runs] == [[7]] and marker.in_flight() == frozenset()
