"""Bad input on the wire and in the admin: each case once answered a 500, an HTML page or a
silently chosen value. Every wire answer is the family's JSON error body."""

import json
from unittest import mock

import pytest
from django.contrib import admin
from django.test import Client as BrowserClient
from django.test import RequestFactory

from livevox_site.errors import InvalidInput
from livevox_site.lenient import clean_text, parse_int, query
from livevox_site.models import AuditEntry
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


@pytest.mark.parametrize(
    ("raw", "charset"),
    [
        # Without a \u escape the strings are not looked at: what else could hold a NUL or a
        # lone surrogate is refused by the UTF-8 decoder or the JSON decoder itself.
        (b'{"name": "\xed\xa0\x80", "dialingSequenceItem": [1]}', "utf-8"),  # encoded
        (b'{"name": "a\x00b", "dialingSequenceItem": [1]}', "utf-8"),  # raw control
        # Another charset: every string is looked at.
        ('{"name": "a\\u0000b", "dialingSequenceItem": [1]}'.encode("utf-16"), "utf-16"),
    ],
)
def test_bodies_without_escapes_still_cannot_smuggle_nul_or_surrogates(
    power, client_a, raw, charset
):
    response = power.post(URL, raw, content_type=f"application/json; charset={charset}")
    assert response.status_code == 400, response.content
    assert response.json()["errorCode"] == 202
    assert not DialingStrategy.objects.exists()


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
    # Django reads up to the batch limit; the middleware holds every other path to the smaller.
    assert settings.LV_MAX_BATCH_BODY_BYTES == 16 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.LV_MAX_BATCH_BODY_BYTES


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
    from .test_settings import KEY, run

    show = (
        "from livevox_site import settings as s; "
        "print(s.LV_MAX_BODY_BYTES, s.LV_MAX_BATCH_BODY_BYTES, s.DATA_UPLOAD_MAX_MEMORY_SIZE)"
    )
    found = run(
        ["-c", show], SECRET_KEY=KEY, LV_MAX_BODY_BYTES="1000", LV_MAX_BATCH_BODY_BYTES="5000"
    )
    assert found.stdout.strip() == "1000 5000 5000", found.stderr
    smaller = run(
        ["-c", show], SECRET_KEY=KEY, LV_MAX_BODY_BYTES="1000", LV_MAX_BATCH_BODY_BYTES="999"
    )
    assert smaller.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: "
        "LV_MAX_BATCH_BODY_BYTES must be at least LV_MAX_BODY_BYTES"
    )
    refused = run(["-c", show], SECRET_KEY=KEY, LV_MAX_BODY_BYTES="0")
    assert refused.returncode != 0
    assert refused.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: LV_MAX_BODY_BYTES=0 must be 1 or more"
    )


# --- 2. crafted change-list lookups in the admin ---------------------------------------------

CRAFTED = ["id__in=99999999999999999999", "name__regex=(", "before__contains=x"]


@pytest.fixture
def rows(client_a, token_a):
    """One row on every change list, so that a lookup evaluated per row (SQLite's REGEXP) runs."""
    from strategies.models import Result

    DialingStrategy.objects.create(client=client_a, name="S", dialing_sequence=[1])
    Result.objects.get_or_create(id=320, defaults={"name": "R"})
    AuditEntry.objects.create(client=client_a, source="admin", action="a.b.c", object_type="x")


def changelist_url(model_admin) -> str:
    opts = model_admin.model._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/"


def refused_or_flagged(response) -> bool:
    """Django's answers to a lookup it will not run: 400 (DisallowedModelAdminLookup) or a
    redirect to ``?e=1`` (IncorrectLookupParameters)."""
    if response.status_code == 302:
        return response["Location"].endswith("?e=1")
    return response.status_code == 400


@pytest.mark.parametrize("who", ["sysadmin", "superuser"])
@pytest.mark.parametrize("lookup", CRAFTED)
def test_it_refuses_crafted_lookups_on_every_change_list(admin_as, rows, who, lookup):
    browser = admin_as(who)
    for model_admin in admin.site._registry.values():
        url = changelist_url(model_admin)
        if browser.get(url).status_code != 200:
            continue  # the persona may not see this page at all
        response = browser.get(f"{url}?{lookup}")
        assert refused_or_flagged(response), (url, response.status_code)


OUT_OF_RANGE = ["99999999999999999999", "-99999999999999999999", "x", "2024-99-99"]


def offered_parameters(browser: BrowserClient, url: str) -> set[str]:
    """Every parameter the page's own filter links and date drill-down use."""
    response = browser.get(url)
    changelist = response.context["cl"]
    names = {
        name for spec in changelist.filter_specs for name in spec.expected_parameters() if name
    }
    hierarchy = changelist.model_admin.date_hierarchy
    if hierarchy:
        names |= {f"{hierarchy}__year", f"{hierarchy}__month", f"{hierarchy}__day"}
    return names


@pytest.mark.parametrize("who", ["sysadmin", "superuser"])
def test_it_answers_the_offered_filters_without_a_500_for_any_value(admin_as, rows, who):
    browser = admin_as(who)
    browser.raise_request_exception = False
    walked = 0
    for model_admin in admin.site._registry.values():
        url = changelist_url(model_admin)
        if browser.get(url).status_code != 200:
            continue
        for name in sorted(offered_parameters(browser, url)):
            for value in OUT_OF_RANGE:
                response = browser.get(url, {name: value})
                assert response.status_code in (200, 302, 400), (url, name, value)
                walked += 1
    assert walked > 0


def test_it_still_filters_by_what_the_page_offers(admin_as, client_b):
    browser = admin_as("sysadmin")
    users = "/admin/livevox_site/user/"
    for query_string in [
        "role__exact=MANAGER",
        "is_active__exact=1",
        "client__id__exact=4199",
        "client__isnull=True",
    ]:
        assert browser.get(f"{users}?{query_string}").status_code == 200, query_string
    audit = "/admin/livevox_site/auditentry/"
    for query_string in ["at__year=2024&at__month=3", "source__exact=api", "object_type=x"]:
        assert browser.get(f"{audit}?{query_string}").status_code == 200, query_string
    strategies = "/admin/strategies/dialingstrategy/"
    assert browser.get(f"{strategies}?service=20180").status_code == 200
    assert browser.get(f"{strategies}?q=x&o=1&p=1&_popup=1&_to_field=id").status_code == 200


def test_it_still_refuses_password_lookups_on_users(admin_as):
    browser = admin_as("sysadmin")
    assert browser.get("/admin/livevox_site/user/?password__startswith=md5").status_code == 400


# --- 3. HTML pages where the wire answers JSON -----------------------------------------------


@pytest.fixture
def rf_request():
    """``rf_request("POST", path)`` -> a bare request for calling a handler directly."""

    def make(method: str, path: str):
        return RequestFactory().generic(method, path)

    return make


@pytest.fixture
def strict_admin(persona) -> BrowserClient:
    """A logged-in admin browser that sends no CSRF token."""
    browser = BrowserClient(enforce_csrf_checks=True)
    browser.force_login(persona("superuser"))
    return browser


def test_it_answers_a_csrf_failure_on_an_api_path_in_the_familys_shape(strict_admin):
    response = strict_admin.post(URL, "{}", content_type="application/json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errorCode": 403,
        "errorMessage": "CSRF Failed: CSRF cookie not set.",
    }


@pytest.mark.parametrize(
    "path, body",
    [
        ("/compliance/nothing", b'{"code":203,"message":"Entry not found"}'),
        ("/configuration/v6.0/nothing", b'{"errorCode":203,"errorMessage":"Entry not found"}'),
    ],
)
def test_it_answers_a_post_to_an_unknown_wire_path_with_a_session_cookie(strict_admin, path, body):
    response = strict_admin.post(path, "{}", content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.content == body


@pytest.mark.parametrize(
    "path, body",
    [
        (
            "/compliance/x",
            b'{"code":403,"message":"CSRF verification failed: CSRF token missing."}',
        ),
        (
            "/configuration/x",
            b'{"errorCode":403,"errorMessage":"CSRF verification failed: CSRF token missing."}',
        ),
    ],
)
def test_it_answers_djangos_own_csrf_failure_in_the_familys_shape(rf_request, path, body):
    from livevox_site.errors import csrf_failure

    response = csrf_failure(rf_request("POST", path), reason="CSRF token missing.")
    assert response.status_code == 403
    assert response.content == body


def test_it_keeps_djangos_csrf_page_outside_the_wire(strict_admin):
    response = strict_admin.post("/admin/logout/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "path, body",
    [
        (f"{URL}/info", b'{"errorCode":202,"errorMessage":"Invalid Host header"}'),
        (
            "/configuration/v6.0/dialingStrategies",
            b'{"errorCode":202,"errorMessage":"Invalid Host header"}',
        ),
        ("/compliance/v6.0/dnc", b'{"code":202,"message":"Invalid Host header"}'),
        ("/session/login", b'{"code":202,"message":"Invalid Host header"}'),
    ],
)
def test_it_answers_a_bad_host_in_the_familys_shape(client, db, path, body):
    response = client.post(path, "{}", content_type="application/json", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.content == body


def test_it_keeps_djangos_bad_request_page_outside_the_wire(client, db):
    response = client.get("/admin/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("PUT", f"{URL}/info", {"errorCode": 405, "errorMessage": 'Method "PUT" not allowed.'}),
        ("PATCH", URL, {"errorCode": 405, "errorMessage": 'Method "PATCH" not allowed.'}),
        ("GET", "/session/login", {"code": 405, "message": 'Method "GET" not allowed.'}),
        ("PUT", "/session/v5.0/password/", {"code": 405, "message": 'Method "PUT" not allowed.'}),
    ],
)
def test_it_answers_a_wrong_method_in_the_familys_shape(power, client_a, method, path, body):
    response = power.call(method, path)
    assert response.status_code == 405
    assert response.json() == body


@pytest.mark.parametrize(
    "path, body",
    [
        (URL, b'{"errorCode":500,"errorMessage":"Internal error"}'),
        ("/session/validate/x", b'{"code":500,"message":"Internal error"}'),
    ],
)
def test_it_answers_a_500_in_the_familys_shape(power, client_a, path, body):
    # A failure outside DRF's exception handler: the renderer itself breaks.
    power.http.raise_request_exception = False
    with mock.patch(
        "rest_framework.renderers.JSONRenderer.render", side_effect=RuntimeError("boom")
    ):
        response = power.get(f"{path}?offset=0&count=1")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.content == body


def test_it_keeps_djangos_500_page_outside_the_wire(admin_as):
    browser = admin_as("sysadmin")
    browser.raise_request_exception = False
    with mock.patch("django.contrib.admin.sites.AdminSite.each_context", side_effect=RuntimeError):
        response = browser.get("/admin/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "handler, status, body",
    [
        ("handler400", 400, b'{"errorCode":202,"errorMessage":"Bad request"}'),
        ("handler403", 403, b'{"errorCode":403,"errorMessage":"Forbidden"}'),
        ("handler404", 404, b'{"errorCode":203,"errorMessage":"Entry not found"}'),
    ],
)
def test_it_sets_every_error_handler_to_answer_json_on_the_wire(rf_request, handler, status, body):
    from django.urls import get_resolver

    view = get_resolver().resolve_error_handler(int(handler[-3:]))
    response = view(rf_request("GET", "/configuration/v6.0/x"), exception=Exception("x"))
    assert (response.status_code, response.content) == (status, body)
    page = view(rf_request("GET", "/admin/x"), exception=Exception("x"))
    assert page.status_code == status
    assert page["Content-Type"].startswith("text/html")


def test_it_answers_the_bare_configuration_path_in_its_familys_shape(client, db):
    response = client.get("/configuration")
    assert response.status_code == 404
    assert response.content == b'{"errorCode":203,"errorMessage":"Entry not found"}'


def test_it_answers_a_bad_host_in_the_familys_shape_before_the_path_is_normalised(
    client, db, settings
):
    # With the HTTPS redirect on, SecurityMiddleware asks for the host before
    # WirePathMiddleware has removed the version segment.
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/configuration/v6.0/dialingStrategies/1", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.content == b'{"errorCode":202,"errorMessage":"Invalid Host header"}'


def test_it_refuses_too_many_query_fields_with_a_400(power, client_a):
    fields = "&".join(f"f{i}=1" for i in range(1001))
    response = power.get(f"{URL}?offset=0&count=1&{fields}")
    assert response.status_code == 400
    assert response.json() == {"errorCode": 202, "errorMessage": "Bad request"}


def test_it_uses_the_wire_csrf_failure_view():
    from django.middleware.csrf import _get_failure_view

    from livevox_site.errors import csrf_failure

    assert _get_failure_view() is csrf_failure


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
