from __future__ import annotations

import threading
import time
from collections.abc import Generator

import pytest

from opencraft_ops.integrations.prefetch import prefetch


def test_yields_every_page_in_order():
    assert list(prefetch(iter(range(50)), depth=2)) == list(range(50))
    assert list(prefetch(iter([]))) == []


def test_the_producers_error_surfaces_after_the_pages_before_it():
    def pages():
        yield 1
        yield 2
        raise ValueError("page 3 failed")

    seen = []
    with pytest.raises(ValueError, match="page 3 failed"):
        for page in prefetch(pages()):
            seen.append(page)
    assert seen == [1, 2]


def test_reads_at_most_depth_pages_ahead_and_stops_when_the_consumer_stops():
    produced = []

    def pages():
        for i in range(100):
            produced.append(i)
            yield i

    iterator = prefetch(pages(), depth=1)
    assert isinstance(iterator, Generator)
    assert next(iterator) == 0
    time.sleep(0.3)
    assert len(produced) <= 3  # the page handed over, one waiting, one being fetched
    iterator.close()  # type: ignore[attr-defined]  # a generator at run time
    time.sleep(0.3)
    stopped_at = len(produced)
    assert stopped_at <= 4  # at most the page in flight when the consumer left
    time.sleep(0.3)
    assert len(produced) == stopped_at
    assert not any(t.name == "page-prefetch" and t.is_alive() for t in threading.enumerate())
