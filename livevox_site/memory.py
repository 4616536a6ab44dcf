"""Python's cyclic garbage collector around allocation-heavy requests."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one bounded, allocation-heavy piece of work.

    A 50,000-item contactCheck batch builds about a million short-lived containers (the
    parsed body, the asks, the answers), which reference counting frees; meanwhile the
    collector, triggered by every 700 allocations, walked them again and again: 0.1-0.5 s of a
    one-second request (bench/README.md, contactCheck). Paused, a collection owed runs after.
    The switch is per process: in a threaded worker the other threads' requests run without
    the collector for as long (under a second), which costs them nothing but memory held by
    cycles a little longer. (A ``gc.disable()`` elsewhere during the pause is undone when it
    ends.)"""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
