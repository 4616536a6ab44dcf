"""The garbage collector's pause around allocation-heavy requests."""

import gc

import pytest

from livevox_site.memory import collector_paused


def test_it_pauses_the_collector_and_restores_it_even_on_an_error():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()

    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_it_leaves_a_collector_paused_elsewhere_paused():
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
