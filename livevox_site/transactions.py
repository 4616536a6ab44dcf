"""Writes that PostgreSQL may pick as a deadlock victim run again instead of failing.

Concurrent writers of overlapping DNC entries (a large import's unsorted merge, bulk requests,
single creates queued on the same row locks) can form a cycle that PostgreSQL breaks by
aborting one transaction with SQLSTATE 40P01; tests/test_dnc_concurrency.py produced one. The
victim's work was rolled back whole, so running it again is safe, and the caller sees its
answer instead of a 500.
"""

import functools
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, OperationalError, transaction

ATTEMPTS = 5
T = TypeVar("T")


def is_deadlock(exc: OperationalError) -> bool:
    """psycopg's DeadlockDetected (SQLSTATE 40P01), as Django wraps it."""
    return getattr(exc.__cause__, "sqlstate", None) == "40P01"


def is_unique_violation(exc: IntegrityError) -> bool:
    """A key that exists: psycopg's UniqueViolation (SQLSTATE 23505), or SQLite's "UNIQUE
    constraint failed", as Django wraps them."""
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate == "23505"
    return "UNIQUE constraint failed" in str(exc)


def retry_on_deadlock(func: Callable[..., T]) -> Callable[..., T]:
    """Run ``func`` in its own transaction, again (up to ``ATTEMPTS`` times) when it is chosen
    as a deadlock victim. Inside a caller's transaction it runs once, in a savepoint: the
    caller's earlier work is gone with the deadlock, so only the caller could retry."""

    @functools.wraps(func)
    def run(*args, **kwargs) -> T:
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():
                return func(*args, **kwargs)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except OperationalError as exc:
                if attempt == ATTEMPTS or not is_deadlock(exc):
                    raise
        raise AssertionError("unreachable")

    return run
