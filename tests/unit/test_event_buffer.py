"""Recording never slows or fails a request: the buffer is bounded (the oldest dropped and counted),
a failed write is dropped and counted once, never retried forever, and closing writes what waits."""
from __future__ import annotations

import threading

from locator.api.event_buffer import EventBuffer


class Sink:
    def __init__(self, fail: bool = False):
        self.batches, self.fail, self.called = [], fail, threading.Event()

    def __call__(self, events):
        self.called.set()
        if self.fail:
            raise ConnectionError("Elasticsearch is away")
        self.batches.append(list(events))
        return len(events)


def counting():
    counts = {"written": 0, "dropped": 0}
    return counts, {"on_written": lambda n: counts.__setitem__("written", counts["written"] + n),
                    "on_dropped": lambda n: counts.__setitem__("dropped", counts["dropped"] + n)}


def test_a_full_buffer_drops_the_oldest_and_counts_them():
    sink, (counts, hooks) = Sink(), counting()
    buffer = EventBuffer(sink, capacity=3, batch=100, **hooks)
    for number in range(5):
        buffer.add("ix", f"id{number}", {"n": number})
    assert buffer.depth() == 3 and counts["dropped"] == 2
    buffer.flush()
    assert [event_id for _, event_id, _ in sink.batches[0]] == ["id2", "id3", "id4"]
    assert counts == {"written": 3, "dropped": 2} and buffer.depth() == 0


def test_events_are_written_in_batches():
    sink, (counts, hooks) = Sink(), counting()
    buffer = EventBuffer(sink, batch=2, **hooks)
    for number in range(5):
        buffer.add("ix", f"id{number}", {})
    buffer.flush()
    assert [len(batch) for batch in sink.batches] == [2, 2, 1] and counts["written"] == 5


def test_a_failed_write_is_dropped_and_counted_once_and_never_raised():
    sink, (counts, hooks) = Sink(fail=True), counting()
    buffer = EventBuffer(sink, batch=10, **hooks)
    buffer.add("ix", "a", {})
    buffer.add("ix", "b", {})
    buffer.flush()  # no exception reaches the caller
    buffer.flush()  # nothing is tried again
    assert counts == {"written": 0, "dropped": 2} and buffer.depth() == 0


def test_events_the_writer_could_not_store_count_as_dropped():
    # (The store counts a duplicate, refused with 409, as stored: that event is there. Anything else
    # Elasticsearch refused item by item comes back as fewer stored.)
    counts, hooks = counting()
    buffer = EventBuffer(lambda events: len(events) - 1, **hooks)
    buffer.add("ix", "a", {})
    buffer.add("ix", "a", {})
    buffer.flush()
    assert counts == {"written": 1, "dropped": 1}


def test_the_thread_writes_a_full_batch_at_once_and_close_writes_the_rest():
    sink = Sink()
    buffer = EventBuffer(sink, batch=2, interval_s=3600).start()  # no timer: only a full batch wakes it
    buffer.add("ix", "a", {})
    buffer.add("ix", "b", {})
    assert sink.called.wait(10)
    buffer.add("ix", "c", {})
    buffer.close()
    assert sorted(event_id for batch in sink.batches for _, event_id, _ in batch) == ["a", "b", "c"]
