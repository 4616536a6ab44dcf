"""API conventions every resource app inherits (docs/wire.md sections 1, 3 and 4), exercised
through the tiny Service API of ``tests/urls_conventions.py``, and the lenient-input helpers."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from livevox_site.api import GUARDED, TenantViewSet
from livevox_site.errors import InvalidInput
from livevox_site.lenient import epoch_ms, parse_bool, parse_date, parse_enum, parse_int
from livevox_site.models import AuditEntry, PhoneDncType, Service

from .conftest import SERVICES_A, SERVICES_B

pytestmark = pytest.mark.urls("tests.urls_conventions")

LIST = "/compliance/services"
SORTED_A = sorted(SERVICES_A)
SORTED_B = sorted(SERVICES_B)


def services(ids: list[int], client_id: int = 4199) -> list[dict]:
    return [{"id": i, "clientId": client_id, "name": f"S{i}"} for i in ids]


# --- URL shape and paging -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/compliance/services?offset=0&count=2",
        "/compliance/services/?offset=0&count=2",
        "/compliance/v6.0/services?offset=0&count=2",
        "/compliance/v17.0/services/?offset=0&count=2",
    ],
)
def test_it_routes_versioned_and_slashed_paths_alike(api, path):
    response = api("manager").get(path)
    assert response.status_code == 200
    version = path.split("/")[2] if "/v" in path else ""
    prefix = f"compliance/{version}/" if version else "compliance/"
    assert response.json() == {
        "service": services(SORTED_A[:2]),
        "next": f"{prefix}services?offset=2&count=2",
    }


def test_it_routes_a_versioned_detail_path(api):
    response = api("manager").get("/compliance/v6.0/services/20180/")
    assert response.json() == {"id": 20180, "clientId": 4199, "name": "S20180"}


def test_it_does_not_take_just_any_segment_for_a_version(api):
    assert api("manager").get("/compliance/x6.0/services?offset=0&count=1").status_code == 404


def test_it_pages_with_relative_next_links_that_repeat_the_version(api):
    http = api("manager")
    first = http.get("/compliance/v6.0/services?offset=0&count=5").json()
    assert first == {
        "service": services(SORTED_A[:5]),
        "next": "compliance/v6.0/services?offset=5&count=5",
    }
    last = http.get("/" + first["next"]).json()
    assert last == {"service": services(SORTED_A[5:]), "next": None}


def test_it_has_no_next_link_when_the_page_ends_exactly_at_the_end(api):
    body = api("manager").get("/compliance/services?offset=3&count=5").json()
    assert body == {"service": services(SORTED_A[3:]), "next": None}


def test_it_answers_an_empty_page_past_the_end(api):
    body = api("manager").get("/compliance/services?offset=100&count=5").json()
    assert body == {"service": [], "next": None}


def test_it_keeps_other_query_parameters_in_the_next_link(api):
    response = api("manager").get("/compliance/services?Offset=0&COUNT=2&client=4199&zip=")
    assert response.json()["next"] == "compliance/services?offset=2&count=2&client=4199&zip="


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "offset is required"),
        ("?count=5", "offset is required"),
        ("?offset=0", "count is required"),
        ("?offset=&count=5", "offset is required"),
        ("?offset=0&count=", "count is required"),
        ("?offset=-1&count=5", "offset must be 0 or more"),
        ("?offset=0&count=0", "count must be 1 or more"),
        ("?offset=0&count=abc", "count must be a whole number"),
        ("?offset=1.5&count=5", "offset must be a whole number"),
    ],
)
def test_it_requires_offset_and_count(api, query, message):
    response = api("manager").get(LIST + query)
    assert response.status_code == 400
    assert response.json() == {"code": 202, "message": message}


def test_it_matches_query_names_case_insensitively(api):
    response = api("manager").get("/compliance/services?OFFSET=1&Count=1")
    assert response.json() == {
        "service": services(SORTED_A[1:2]),
        "next": "compliance/services?offset=2&count=1",
    }


def test_it_caps_count_at_1000(api, client_a):
    Service.objects.bulk_create(Service(client=client_a, name="x") for _ in range(1001))
    body = api("manager").get("/compliance/services?offset=0&count=5000").json()
    assert len(body["service"]) == 1000
    assert body["next"] == "compliance/services?offset=1000&count=1000"


# --- error shapes and statuses --------------------------------------------------------------


def test_it_answers_401_without_a_session(api, client_a):
    response = api(None).get("/compliance/services?offset=0&count=1")
    assert response.status_code == 401
    assert response.json() == {"code": 401, "message": "A valid LV-Session header is required"}


def test_it_answers_the_dialing_strategy_shape_where_declared(api, client_a):
    anonymous = api(None).get("/configuration/services?offset=0&count=1")
    assert anonymous.status_code == 401
    assert anonymous.content == (
        b'{"errorCode":401,"errorMessage":"A valid LV-Session header is required"}'
    )
    http = api("manager")
    assert http.get("/configuration/services?count=1").json() == {
        "errorCode": 202,
        "errorMessage": "offset is required",
    }
    assert http.get("/configuration/services/93126").json() == {
        "errorCode": 203,
        "errorMessage": "Entry not found",
    }
    assert http.post("/configuration/services", {"name": "x"}).json() == {
        "errorCode": 403,
        "errorMessage": "Your role or powers do not allow this method",
    }
    # A Manager's unsafe method is refused by role before the method is looked at.
    assert api("superuser").put("/configuration/services").json() == {
        "errorCode": 405,
        "errorMessage": 'Method "PUT" not allowed.',
    }


def test_it_puts_the_code_first_in_compact_json(api, client_a):
    response = api("manager").get("/compliance/services/abc")
    assert response.content == b'{"code":203,"message":"Entry not found"}'


def test_it_answers_403_when_the_role_lacks_the_permission(api):
    response = api("manager").post(LIST, {"name": "new"})
    assert response.status_code == 403
    assert response.json() == {
        "code": 403,
        "message": "Your role or powers do not allow this method",
    }
    assert Service.objects.filter(name="new").count() == 0


def test_it_answers_another_clients_object_exactly_like_a_missing_one(api, client_b):
    http = api("superuser")
    other = http.get("/compliance/services/93126")
    missing = http.get("/compliance/services/999999")
    not_a_number = http.get("/compliance/services/abc")
    for response in (other, missing, not_a_number):
        assert response.status_code == 404
        assert response.content == b'{"code":203,"message":"Entry not found"}'
    assert http.delete("/compliance/services/93126").status_code == 404
    assert Service.objects.filter(pk=93126).exists()


@pytest.mark.parametrize(
    "method, path",
    [("PUT", LIST), ("DELETE", LIST), ("PATCH", f"{LIST}/20180"), ("POST", f"{LIST}/20180")],
)
def test_it_answers_405_to_a_wrong_method(api, method, path):
    response = api("superuser").call(method, path, {"name": "x"})
    assert response.status_code == 405
    assert response.json() == {"code": 405, "message": f'Method "{method}" not allowed.'}


def test_it_answers_400_to_malformed_json(api):
    response = api("superuser").post(LIST, '{"name": ')
    assert response.status_code == 400
    assert response.json() == {
        "code": 202,
        "message": "Malformed request body: JSON parse error - "
        "Expecting value: line 1 column 10 (char 9)",
    }


@pytest.mark.parametrize("body", ['[{"name": "x"}]', '"x"', "42"])
def test_it_answers_400_to_json_that_is_not_an_object(api, body):
    response = api("superuser").post(LIST, body)
    assert response.status_code == 400
    assert response.json() == {"code": 202, "message": "The request body must be a JSON object"}


def test_it_answers_204_with_an_empty_body(api):
    response = api("superuser").delete(f"{LIST}/20180")
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response
    assert not Service.objects.filter(pk=20180).exists()


# --- lenient bodies -------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["", "text/plain", "text/plain; charset=utf-8"])
def test_it_reads_json_sent_without_a_json_content_type(api, content_type):
    http = api("superuser")
    response = http.http.generic("POST", LIST, b'{"name": "plain"}', content_type=content_type)
    assert response.status_code == 201, response.content
    assert Service.objects.get(pk=response.json()["id"]).name == "plain"


def test_it_ignores_unknown_fields_and_takes_the_client_from_the_session(api):
    body = {"name": "new", "id": 0, "clientId": 93119, "client": 93119, "extra": None}
    response = api("superuser").post(LIST, body)
    assert response.status_code == 201
    service = Service.objects.get(pk=response.json()["id"])
    assert (service.client_id, service.name) == (4199, "new")


def test_it_tolerates_a_body_on_get_and_delete(api):
    http = api("superuser")
    assert http.call("GET", f"{LIST}/20180", {"id": 0}).status_code == 200
    assert http.call("DELETE", f"{LIST}/20180", {"id": 0}).status_code == 204


# --- acting for a client --------------------------------------------------------------------


def test_it_lets_anyone_name_their_own_client(api):
    response = api("manager").get(f"{LIST}?offset=0&count=1&client=4199")
    assert response.json()["service"] == services(SORTED_A[:1])


def test_it_treats_an_empty_client_as_absent(api):
    response = api("manager").get(f"{LIST}?offset=0&count=1&client=")
    assert response.json()["service"] == services(SORTED_A[:1])


@pytest.mark.parametrize("who", ["superuser", "manager", "it_user"])
def test_it_refuses_another_client_to_a_non_sysadmin(api, client_b, who):
    for client_id in (93119, 5):  # existing or not: no oracle
        response = api(who).get(f"{LIST}?offset=0&count=1&client={client_id}")
        assert response.status_code == 403
        assert response.json() == {"code": 403, "message": "You may not act for another client"}


def test_it_lets_a_sysadmin_act_for_another_client(api, client_b):
    http = api("sysadmin")
    listed = http.get(f"{LIST}?offset=0&count=10&client=93119")
    assert listed.json() == {"service": services(SORTED_B, 93119), "next": None}
    assert http.get(f"{LIST}/93126?client=93119").json() == {
        "id": 93126,
        "clientId": 93119,
        "name": "S93126",
    }
    # Without ?client= the sysadmin acts for their own client only.
    assert http.get(f"{LIST}/93126").status_code == 404
    created = http.post(f"{LIST}?client=93119", {"name": "for B"})
    assert Service.objects.get(pk=created.json()["id"]).client_id == 93119
    entry = AuditEntry.objects.get(action="test.service.added")
    assert entry.client_id == 93119


def test_it_lets_a_sysadmin_of_b_act_for_a(api, client_a):
    response = api("outsider_sysadmin").get(f"{LIST}?offset=0&count=1&client=4199")
    assert response.json()["service"] == services(SORTED_A[:1])


def test_it_answers_404_to_a_sysadmin_naming_a_missing_client(api):
    response = api("sysadmin").get(f"{LIST}?offset=0&count=1&client=5")
    assert response.status_code == 404
    assert response.json() == {"code": 203, "message": "Client not found"}


def test_it_answers_400_to_a_client_that_is_not_a_number(api):
    response = api("sysadmin").get(f"{LIST}?offset=0&count=1&client=ACME")
    assert response.status_code == 400
    assert response.json() == {"code": 202, "message": "client must be a whole number"}


# --- agent sessions -------------------------------------------------------------------------


def test_it_lets_an_agent_session_call_only_the_agent_actions(api):
    http = api("superuser", agent=True)
    assert http.get(f"{LIST}?offset=0&count=1").status_code == 200
    forbidden = {"code": 403, "message": "Agent sessions may not call this method"}
    for method, path in [
        ("GET", f"{LIST}/20180"),
        ("GET", f"{LIST}/info"),
        ("POST", LIST),
        ("DELETE", f"{LIST}/20180"),
    ]:
        response = http.call(method, path, {"name": "x"})
        assert (response.status_code, response.json()) == (403, forbidden), (method, path)


def test_it_still_asks_an_agent_action_for_its_permission(api):
    # The allow-list narrows, it never widens: listing is an agent action here, but it needs
    # livevox_site.view_service, which the Agent group does not hold.
    http = api("agent")
    forbidden = {"code": 403, "message": "Your role or powers do not allow this method"}
    assert http.get(f"{LIST}?offset=0&count=1").json() == forbidden
    assert http.get(f"{LIST}/20180").json() == {
        "code": 403,
        "message": "Agent sessions may not call this method",
    }


# --- info -----------------------------------------------------------------------------------


def test_it_answers_info_with_size_and_last_modified(api):
    http = api("superuser")
    assert http.get(f"{LIST}/info").json() == {"size": 8}
    before = timezone.now()
    http.post(LIST, {"name": "new"})
    body = http.get("/compliance/v6.0/services/info").json()
    assert body["size"] == 9
    assert set(body) == {"size", "lastModified"}
    assert epoch_ms(before) - 1000 <= body["lastModified"] <= epoch_ms(timezone.now())


# --- the tenant guard -----------------------------------------------------------------------


def test_it_refuses_a_viewset_that_replaces_get_queryset():
    with pytest.raises(TypeError, match="get_queryset comes from Leaky"):

        class Leaky(TenantViewSet):
            def get_queryset(self):
                return Service.objects.all()


def test_it_lets_a_viewset_narrow_scope_queryset():
    class Narrow(TenantViewSet):
        read_perm = write_perm = "livevox_site.view_service"

        def scope_queryset(self, queryset):
            return queryset.filter(name="x")

    assert Narrow.scope_queryset is not TenantViewSet.scope_queryset


def test_it_refuses_a_viewset_that_overrides_get_object():
    with pytest.raises(TypeError, match="get_object comes from Unscoped"):

        class Unscoped(TenantViewSet):
            read_perm = write_perm = "livevox_site.view_service"

            def get_object(self):
                return None


def _replaces(name: str):
    value = [] if name == "permission_classes" else (lambda self, *args: None)
    return type("Mixin", (), {name: value})


@pytest.mark.parametrize("name", GUARDED)
def test_it_refuses_a_mixin_placed_first_that_replaces_a_guarded_part(name):
    # The shape of a mixin-built viewset: the guard looks at what the class resolves, not only
    # at what it writes itself.
    with pytest.raises(TypeError, match=f"{name} comes from Mixin"):
        type(
            "Mixed",
            (_replaces(name), TenantViewSet),
            {"read_perm": "livevox_site.view_service", "write_perm": "livevox_site.view_service"},
        )


@pytest.mark.parametrize("name", GUARDED)
def test_it_refuses_a_subclass_of_a_viewset_that_replaces_a_guarded_part(name):
    class Good(TenantViewSet):
        read_perm = write_perm = "livevox_site.view_service"

    with pytest.raises(TypeError, match=f"{name} comes from Mixin"):
        type("Sub", (_replaces(name), Good), {})


@pytest.mark.parametrize(
    "declared",
    [{}, {"read_perm": "livevox_site.view_service"}, {"write_perm": "livevox_site.add_service"}],
)
def test_it_refuses_a_viewset_that_declares_no_permission(declared):
    with pytest.raises(TypeError, match="declares no"):
        type("Open", (TenantViewSet,), {"__module__": __name__, **declared})


def test_it_accepts_an_explicit_any_role():
    from livevox_site.permissions import ANY_ROLE

    found = type("Open", (TenantViewSet,), {"read_perm": ANY_ROLE, "write_perm": ANY_ROLE})
    assert found.read_perm == ANY_ROLE


# --- lenient helpers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [(True, True), (False, False), ("true", True), ("FALSE", False), (" True ", True)],
)
def test_it_parses_booleans_leniently(value, expected):
    assert parse_bool(value, "flag") is expected


@pytest.mark.parametrize("value", ["yes", "1", 1, 0, None, "", [True]])
def test_it_refuses_anything_else_as_a_boolean(value):
    with pytest.raises(InvalidInput) as caught:
        parse_bool(value, "flag")
    assert (caught.value.message, caught.value.field, caught.value.code) == (
        "flag must be true or false",
        "flag",
        202,
    )


@pytest.mark.parametrize(
    "value, expected", [(5, 5), ("5", 5), (" 1320 ", 1320), (5.0, 5), ("-3", -3), ("+7", 7)]
)
def test_it_parses_whole_numbers_leniently(value, expected):
    assert parse_int(value, "n") == expected


@pytest.mark.parametrize("value", [1.5, True, False, "1.5", "5.0", "", "abc", None, [5]])
def test_it_refuses_anything_else_as_a_whole_number(value):
    with pytest.raises(InvalidInput, match="^n must be a whole number$"):
        parse_int(value, "n")


def test_it_checks_the_lower_bound_of_a_whole_number():
    assert parse_int("0", "n", min_value=0) == 0
    with pytest.raises(InvalidInput, match="^n must be 1 or more$"):
        parse_int(0, "n", min_value=1)


@pytest.mark.parametrize(
    "value", ["DialTime", "dial_time", "DIAL_TIME", "dial-time", "dialtime", "Dial Time"]
)
def test_it_parses_enums_ignoring_case_and_underscores(value):
    assert parse_enum(value, "type", PhoneDncType.values) == "DIAL_TIME"


@pytest.mark.parametrize("value", ["DialTimes", "", None, 1])
def test_it_refuses_an_unknown_enum_value(value):
    with pytest.raises(InvalidInput, match="^type must be one of LEGACY, DIAL_TIME$"):
        parse_enum(value, "type", PhoneDncType.values)


NOON = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value, expected",
    [
        (1709640000000, NOON),
        ("1709640000000", NOON),
        (1709640000000.0, NOON),
        ("2024-03-05", datetime(2024, 3, 5, tzinfo=UTC)),
        ("2024-03-05T12:00:00Z", NOON),
        ("2024-03-05T12:00:00.000Z", NOON),
        ("2024-03-05T07:00:00-05:00", NOON),
        ("2024-03-05T12:00:00", NOON),
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        (-62135596800000, None),
        ("-62135596800000", None),
        (None, None),
        ("", None),
        ("  ", None),
    ],
)
def test_it_parses_dates_in_every_form_clients_send(value, expected):
    assert parse_date(value, "d") == expected


@pytest.mark.parametrize(
    "value", ["yesterday", "2024-13-05", "2024-02-30", True, [1], "05/03/2024"]
)
def test_it_refuses_what_is_not_a_date(value):
    with pytest.raises(InvalidInput, match="^d is not a date$"):
        parse_date(value, "d")


def test_it_writes_dates_as_epoch_milliseconds():
    assert epoch_ms(NOON) == 1709640000000
    assert epoch_ms(datetime(2024, 3, 5, 12, 0, 0, 123000, tzinfo=UTC)) == 1709640000123
    assert epoch_ms(None) is None
    assert parse_date(epoch_ms(NOON), "d") == NOON


# --- the admin's tenant guard and the shared rows ---------------------------------------------


def test_the_admin_mixin_refuses_a_get_queryset_that_steps_around_it():
    from django.contrib import admin as django_admin

    from livevox_site.admin_base import TenantAdminMixin

    with pytest.raises(TypeError, match="extend scope_queryset"):

        class Wider(TenantAdminMixin, django_admin.ModelAdmin):
            def get_queryset(self, request):
                return django_admin.ModelAdmin.get_queryset(self, request)

    mixin = type("Mixin", (), {"get_queryset": lambda self, request: None})
    with pytest.raises(TypeError, match="extend scope_queryset"):
        type("Mixed", (mixin, TenantAdminMixin, django_admin.ModelAdmin), {})


def test_shared_rows_are_read_by_every_client_and_written_by_none(client_a, client_b):
    from profiles.models import DialingProfile

    own = DialingProfile.objects.create(client=client_a, name="Own")
    theirs = DialingProfile.objects.create(client=client_b, name="Theirs")
    shared = DialingProfile.objects.create(client=None, name="System")

    assert set(DialingProfile.objects.visible_to(client_a)) == {own, shared}
    assert set(DialingProfile.objects.for_client(client_a)) == {own}
    assert set(Service.objects.visible_to(client_a)) == set(Service.objects.for_client(client_a))
    assert theirs not in DialingProfile.objects.visible_to(client_a.pk)


def test_client_id_of_follows_a_relation_or_a_plain_column(client_a):
    from livevox_site.tenancy import client_id_of

    service = Service.objects.filter(client=client_a).first()
    plain = type("Plain", (), {"tenant_path": "client_id", "client_id": 4199})

    assert client_id_of(service) == 4199
    assert client_id_of(plain()) == 4199
