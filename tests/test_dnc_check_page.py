"""The admin's "Check a number" page: contactCheck's answer for a call, a text and an email, in
words, with a link to each entry that blocks, for everyone who may ask isBlocked, scoped to
the user's client (a Sysadmin picks one)."""

import re

import pytest

from dnc.models import DialtimeEntry, EmailEntry
from livevox_site.models import Client, PhoneDncType

URL = "/admin/dnc/check/"
# 13:00 in New York (client A's zone), a Tuesday: inside the default calling hours.
AT = "2026-11-24 13:00"


def text_of(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_a_manager_without_powers_checks_a_number_of_their_client(admin_as, client_a):
    entry = DialtimeEntry.objects.create(client=client_a, phone="4155553734")
    browser = admin_as("manager")

    response = browser.get(URL, {"service": "20180", "phone": "(415) 555-3734", "at": AT})

    assert response.status_code == 200
    answers = response.context["answers"]
    assert [(a["label"], a["allowed"]) for a in answers] == [
        ("A call", False),
        ("A text", True),
    ]
    [reason] = answers[0]["reasons"]
    assert reason["text"] == f"DNC dial-time entry {entry.pk} (phone)"
    assert reason["link"] == f"/admin/dnc/dialtimeentry/{entry.pk}/change/"
    text = text_of(response)
    assert "A call would be blocked." in text and "A text would be allowed." in text
    assert "Never, while these reasons stand" in text  # an entry without expiration


def test_an_email_listed_is_blocked_and_another_allowed(admin_as, client_a):
    EmailEntry.objects.create(client=client_a, email="jane@example.com")
    browser = admin_as("manager")

    blocked = browser.get(URL, {"service": "20180", "email": "Jane@Example.com", "at": AT})
    allowed = browser.get(URL, {"service": "20180", "email": "joe@example.com", "at": AT})

    assert [(a["label"], a["allowed"]) for a in blocked.context["answers"]] == [("An email", False)]
    assert [(a["label"], a["allowed"]) for a in allowed.context["answers"]] == [("An email", True)]


def test_calling_hours_say_when_a_call_is_next_allowed(admin_as, client_a):
    response = admin_as("manager").get(
        URL, {"service": "20180", "phone": "2125550100", "at": "2026-11-24 22:30"}
    )

    [call, text] = response.context["answers"]
    assert call["allowed"] is False
    assert call["next"].strftime("%Y-%m-%d %H:%M") == "2026-11-25 08:00"
    assert "First allowed again: 2026-11-25 08:00" in text_of(response)


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"service": "20180"}, "Give a phone, an account, a zip code or an email."),
        (
            {"service": "93126", "phone": "2125550100"},
            "Select a valid choice. 93126 is not one of the available choices.",
        ),
        ({"service": "20180", "phone": "12"}, "Phone must be 10 digits."),
    ],
)
def test_bad_input_is_named_on_the_form(admin_as, client_a, client_b, query, error):
    response = admin_as("manager").get(URL, query)

    assert response.status_code == 200 and response.context["answers"] is None
    errors = [str(e) for field in response.context["form"].errors.values() for e in field]
    assert error in errors


def test_the_page_needs_the_right_to_ask_isblocked(admin_as, client_a):
    response = admin_as("it_user").get(URL)

    assert response.status_code == 403
    assert "Checking a number needs the right to check DNC lists." in text_of(response)


def test_a_sysadmin_checks_the_client_they_pick(admin_as, client_a, client_b):
    Client.objects.filter(pk=93119).update(phone_dnc_type=PhoneDncType.DIAL_TIME)
    DialtimeEntry.objects.create(client=client_b, phone="4155553734")

    response = admin_as("sysadmin").get(
        URL, {"client": "93119", "service": "93126", "phone": "4155553734", "at": AT}
    )

    assert response.context["client"].pk == 93119
    assert response.context["answers"][0]["allowed"] is False
    services = [value for value, _ in response.context["form"].fields["service"].choices]
    assert services == [123, 456, 789, 93126]  # client B's only
