"""The recording's change page in a real Chromium: the HTML5 player loads the mp3 through the
admin's range-streaming view, knows its duration, and can seek."""

import time

import pytest

from .browser import admin_login
from .conftest import PASSWORD
from .recordings_helpers import make_recording

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def wait_until(page, expression: str, seconds: float = 10) -> None:
    """Poll ``expression`` from the test (``page.evaluate``): Playwright's wait_for_function
    evaluates strings inside the page, which the admin's Content-Security-Policy forbids."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        time.sleep(0.05)


def test_it_plays_and_seeks_the_recording(browser_page, live_server, persona, client_a):
    from recordings.demo import silent_mp3

    recording = make_recording(client_a, audio=silent_mp3(5))
    persona("manager")
    admin_login(browser_page, live_server, "ACME", "manager", PASSWORD)
    ranges: list[str] = []
    browser_page.on(
        "request",
        lambda request: (
            ranges.append(request.headers.get("range", ""))
            if request.url.endswith("/audio/")
            else None
        ),
    )
    browser_page.goto(f"{live_server.url}/admin/recordings/recording/{recording.pk}/change/")
    wait_until(browser_page, "document.querySelector('audio').readyState >= 1")
    duration = browser_page.evaluate("document.querySelector('audio').duration")
    assert duration == pytest.approx(5, abs=0.1)
    # Seeking asks for the bytes from there on: the player reads through the range support.
    browser_page.evaluate("document.querySelector('audio').currentTime = 4")
    wait_until(
        browser_page,
        "document.querySelector('audio').readyState >= 1 && "
        "!document.querySelector('audio').seeking",
    )
    assert browser_page.evaluate("document.querySelector('audio').error") is None
    assert any(value.startswith("bytes=") for value in ranges), ranges
