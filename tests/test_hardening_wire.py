"""Bad input on the wire and in the admin: each case once answered a 500, an HTML page or a
silently chosen value. Every wire answer is the family's JSON error body."""

import json

import pytest
from django.test import RequestFactory

from livevox_site.errors import InvalidInput
from livevox_site.lenient import clean_text, parse_int, query
from strategies.models import DialingStrategy

from .conftest import PASSWORD

URL = "/configuration/dialingStrategies"
LOGIN = "/session/login"


def nested(depth: int) -> str:
    """A strategy body whose unknown field holds ``depth`` nested lists."""
    return '{"name": "Deep", "dialingSequenceItem": [1], "x": ' + "[" * depth + "]" * depth + "}"


def login_body(**fields) -> str:
    body = {"clientName": "ACME", "userName": "manager", "password": PASSWORD, **fields}
    return json.dumps(body)


# --- 1. the JSON parser: depth, size, strings that cannot be stored --------------------------


@pytest.mark.parametrize("depth", [33, 500, 600, 5000, 100_000])
def test_it_refuses_json_nested_too_deeply(power, client_a, depth):
    response = power.post(URL, nested(depth))
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": 202,
        "errorMessage": "Malformed request body: JSON may nest at most 32 levels deep",
    }
    assert not DialingStrategy.objects.exists()


def test_it_takes_json_nested_to_the_limit(power, client_a):
    # The body object is level 1, so "x" may hold 31 levels.
    response = power.post(URL, nested(31))
    assert response.status_code == 201, response.content


def test_it_refuses_deep_objects_as_well_as_lists(power, client_a):
    body = '{"name": "Deep", "dialingSequenceItem": [1], "x": ' + '{"a": ' * 40 + "1" + "}" * 41
    response = power.post(URL, body)
    assert response.status_code == 400
    assert response.json()["errorMessage"] == (
        "Malformed request body: JSON may nest at most 32 levels deep"
    )


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "a\\udc00b"])
def test_it_refuses_a_lone_surrogate_in_a_strategy_name(power, client_a, escape):
    response = power.post(URL, '{"name": "' + escape + '", "dialingSequenceItem": [1]}')
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": 202,
        "errorMessage": "Malformed request body: strings must be valid Unicode "
        "(a lone surrogate cannot be stored)",
    }
    assert not DialingStrategy.objects.exists()


def test_it_refuses_a_lone_surrogate_in_a_key(power, client_a):
    response = power.post(URL, '{"name": "S", "dialingSequenceItem": [1], "\\ud800": 1}')
    assert response.status_code == 400
    assert response.json()["errorCode"] == 202


def test_it_refuses_a_lone_surrogate_in_a_user_name(client, manager, token_a):
    response = client.post(
        LOGIN,
        '{"clientName": "ACME", "userName": "\\ud800", "password": "x"}',
        content_type="application/json",
        HTTP_LV_ACCESS=token_a,
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": 202,
        "message": "Malformed request body: strings must be valid Unicode "
        "(a lone surrogate cannot be stored)",
    }


def test_it_takes_a_surrogate_pair_as_the_character_it_encodes(power, client_a):
    response = power.post(URL, '{"name": "Smile \\ud83d\\ude00", "dialingSequenceItem": [1]}')
    assert response.status_code == 201, response.content
    assert DialingStrategy.objects.get().name == "Smile \N{GRINNING FACE}"


def test_it_answers_413_to_a_body_over_the_limit(power, client_a, settings):
    big = '{"name": "Big", "dialingSequenceItem": [1], "x": "' + "a" * 2_700_000 + '"}'
    response = power.post(URL, big)
    assert response.status_code == 413
    assert response.json() == {
        "errorCode": 413,
        "errorMessage": "The request body may be at most 2621440 bytes",
    }
    assert not DialingStrategy.objects.exists()


def test_it_answers_413_in_the_code_shape_under_session(client, token_a, settings):
    settings.LV_MAX_BODY_BYTES = 100
    response = client.post(
        LOGIN, login_body(x="a" * 100), content_type="application/json", HTTP_LV_ACCESS=token_a
    )
    assert response.status_code == 413
    assert response.json() == {
        "code": 413,
        "message": "The request body may be at most 100 bytes",
    }


def test_it_takes_a_body_just_under_the_limit(power, client_a, settings):
    body = '{"name": "Fits", "dialingSequenceItem": [1], "x": "' + "a" * 1000 + '"}'
    settings.LV_MAX_BODY_BYTES = len(body.encode())
    assert power.post(URL, body).status_code == 201


def test_it_feeds_the_body_limit_to_djangos_own_limit():
    from django.conf import settings

    assert settings.LV_MAX_BODY_BYTES == 2_621_440
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.LV_MAX_BODY_BYTES


@pytest.mark.parametrize(
    "path, body",
    [
        (
            f"{URL}?offset=0&count=5&client=%ED%A0%80",
            {
                "errorCode": 202,
                "errorMessage": "The query string must be percent-encoded UTF-8",
            },
        ),
        (
            "/session/validate?sessionId=%ED%A0%80",
            {"code": 202, "message": "The query string must be percent-encoded UTF-8"},
        ),
        (
            "/session/validate?sessionId=%FF",
            {"code": 202, "message": "The query string must be percent-encoded UTF-8"},
        ),
    ],
)
def test_it_refuses_a_query_string_that_is_not_utf8(power, client_a, path, body):
    response = power.get(path)
    assert response.status_code == 400
    assert response.json() == body


def test_it_reads_a_utf8_query_value(client, db):
    # Percent-encoded UTF-8 is fine: an unknown session is a plain 404.
    response = client.get("/session/validate?sessionId=caf%C3%A9")
    assert response.status_code == 404


@pytest.mark.parametrize("length", ["abc", "-5", "1e3"])
def test_it_refuses_a_content_length_that_is_not_a_number(power, client_a, length):
    # No Content-Type: the body would be read as JSON when the length says there is one.
    body = b'{"name": "S", "dialingSequenceItem": [1]}'
    response = power.http.generic("POST", URL, body, content_type="", CONTENT_LENGTH=length)
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": 202,
        "errorMessage": "Content-Length must be a whole number",
    }


def test_it_answers_413_when_django_refuses_the_body_inside_the_api(power, client_a, settings):
    # Django's own limit, should it ever be lower than ours, is answered the same way.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    response = power.post(URL, {"name": "S", "dialingSequenceItem": [1]})
    assert response.status_code == 413
    assert response.json() == {
        "errorCode": 413,
        "errorMessage": "The request body may be at most 10 bytes",
    }


def test_it_reads_the_body_limit_from_the_environment():
    from .test_settings import run

    show = "from livevox_site import settings as s; print(s.DATA_UPLOAD_MAX_MEMORY_SIZE)"
    found = run(["-c", show], SECRET_KEY="x", LV_MAX_BODY_BYTES="1000")
    assert found.stdout.strip() == "1000", found.stderr
    refused = run(["-c", show], SECRET_KEY="x", LV_MAX_BODY_BYTES="0")
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: LV_MAX_BODY_BYTES=0 must be 1 or more"
    )


# --- 4. a query name given twice -------------------------------------------------------------


@pytest.mark.parametrize(
    "query_string, name",
    [
        ("offset=0&count=5&client=4199&client=93119", "client"),
        ("offset=0&count=5&client=4199&Client=93119", "client"),
        ("offset=0&count=5&client=4199&CLIENT=4199", "client"),
        ("Offset=0&count=5&offset=5", "offset"),
    ],
)
def test_it_refuses_a_query_name_given_twice(api, client_b, query_string, name):
    response = api("sysadmin").get(f"{URL}?{query_string}")
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": 202,
        "errorMessage": f"{name} may be given only once",
    }


def test_it_refuses_a_session_id_given_twice(client, db):
    response = client.get("/session/validate?sessionId=a&SessionId=b")
    assert response.status_code == 400
    assert response.json() == {"code": 202, "message": "sessionid may be given only once"}


@pytest.mark.parametrize("query_string", ["client=&client=4199", "client=4199&Client=", "client= "])
def test_it_drops_empty_values_before_counting(api, client_a, query_string):
    response = api("sysadmin").get(f"{URL}?offset=0&count=5&{query_string}")
    assert response.status_code == 200, response.content


def test_it_reads_the_query_once_per_request():
    request = RequestFactory().get("/x?Client=4199&zip=&count=5")
    assert query(request) == {"client": "4199", "count": "5"}
    assert query(request) is query(request)


# --- 5. digits and names ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["\u0663", "1\u0663", "\uff11", "\u0967", "1_000", "1\n2"])
def test_it_takes_only_ascii_digits_as_a_whole_number(value):
    with pytest.raises(InvalidInput, match="^n must be a whole number$"):
        parse_int(value, "n")


def test_it_refuses_arabic_indic_digits_on_the_wire(power, client_a):
    response = power.get(f"{URL}?offset=%D9%A3&count=5")
    assert response.status_code == 400
    assert response.json() == {"errorCode": 202, "errorMessage": "offset must be a whole number"}


@pytest.mark.parametrize(
    "value, expected",
    [
        ("  Caf\u00e9  ", "Caf\u00e9"),
        ("Cafe\u0301", "Caf\u00e9"),
        ("Smile \N{GRINNING FACE}", "Smile \N{GRINNING FACE}"),
        ("\u0663 Arabic-Indic three", "\u0663 Arabic-Indic three"),
    ],
)
def test_it_cleans_text_to_nfc_without_surrounding_blanks(value, expected):
    assert clean_text(value, "name", max_length=20) == expected


@pytest.mark.parametrize(
    "value, message",
    [
        (None, "name is required"),
        ("   ", "name is required"),
        (5, "name must be a string"),
        ("a\x00b", "name may not contain control characters"),
        ("a\nb", "name may not contain control characters"),
        ("a\x7fb", "name may not contain control characters"),
        ("a\x85b", "name may not contain control characters"),
        ("a\ud800b", "name may not contain a lone surrogate"),
        ("x" * 21, "name must be at most 20 characters"),
    ],
)
def test_it_refuses_text_that_is_not_a_clean_name(value, message):
    with pytest.raises(InvalidInput) as caught:
        clean_text(value, "name", max_length=20)
    assert (caught.value.message, caught.value.field) == (message, "name")


def test_it_counts_the_length_after_composing(power, client_a):
    # 199 letters and an e with a combining accent: 201 code points, 200 characters.
    name = "x" * 199 + "e\u0301"
    response = power.post(URL, {"name": name, "dialingSequenceItem": [1]})
    assert response.status_code == 201, response.content
    assert DialingStrategy.objects.get().name == "x" * 199 + "\u00e9"


def test_it_takes_a_composed_and_a_decomposed_name_as_the_same_name(power, client_a):
    first = power.post(URL, {"name": "Caf\u00e9", "dialingSequenceItem": [1]})
    assert first.status_code == 201
    second = power.post(URL, {"name": "Cafe\u0301", "dialingSequenceItem": [1]})
    assert second.status_code == 400
    assert second.json() == {
        "errorCode": 202,
        "errorMessage": "name: a dialing strategy named 'Café' exists",
    }
    assert DialingStrategy.objects.count() == 1


def test_it_refuses_a_control_character_in_a_strategy_name(power, client_a):
    response = power.post(URL, {"name": "Line\nbreak", "dialingSequenceItem": [1]})
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": 202,
        "errorMessage": "name may not contain control characters",
    }
