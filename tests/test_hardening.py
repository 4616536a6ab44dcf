"""Inputs and paths that once produced a 500, an HTML page or a silent change."""

import time
from unittest import mock

import pytest

from livevox_site.models import AuditEntry, Service
from strategies.models import DialingStrategy, Outcome

URL = "/configuration/dialingStrategies"
SERVICES = "/admin/livevox_site/service/"


@pytest.fixture
def strategy(client_a) -> DialingStrategy:
    strategy = DialingStrategy.objects.create(client=client_a, name="S", dialing_sequence=[1])
    strategy.services.add(20180, 18892)
    Outcome.objects.create(strategy=strategy, result_id=320)
    return strategy


@pytest.mark.parametrize(
    "path, body",
    [
        (
            "/configuration/dialingStrategies/1/nothing",
            b'{"errorCode":203,"errorMessage":"Entry not found"}',
        ),
        ("/configuration/v6.0/nothing/", b'{"errorCode":203,"errorMessage":"Entry not found"}'),
        ("/session/logout", b'{"code":203,"message":"Entry not found"}'),
        ("/compliance/nothing", b'{"code":203,"message":"Entry not found"}'),
    ],
)
def test_it_answers_an_unknown_wire_path_in_the_familys_shape(client, path, body):
    response = client.delete(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.content == body


def test_it_refuses_a_nul_character_in_the_query(client, db):
    response = client.get("/session/validate?sessionId=a%00b")
    assert response.status_code == 400
    assert response.content == (
        b'{"code":202,"message":"The request may not contain NUL characters"}'
    )


def test_it_refuses_a_nul_character_in_a_json_body(power, client_a):
    response = power.post(URL, '{"name": "a\\u0000b", "dialingSequenceItem": [1]}')
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": 202,
        "errorMessage": "Malformed request body: strings may not contain NUL characters",
    }
    assert not DialingStrategy.objects.exists()


@pytest.mark.parametrize("offset", ["99999999999999999999", "2147483648"])
def test_it_refuses_an_offset_out_of_range(power, client_a, offset):
    response = power.get(f"{URL}?offset={offset}&count=10")
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": 202,
        "errorMessage": "offset must be 2147483647 or less",
    }


def test_it_answers_options_and_the_browsable_api(power, strategy):
    assert power.call("OPTIONS", URL).status_code == 200
    assert power.call("OPTIONS", f"{URL}/{strategy.pk}").status_code == 200
    page = power.get(f"{URL}?offset=0&count=5", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert b"&quot;name&quot;: &quot;S&quot;" in page.content
    missing = power.get(URL, HTTP_ACCEPT="text/html")
    assert missing.status_code == 400
    assert b"offset is required" in missing.content


def test_it_answers_404_when_the_strategy_goes_away_under_a_write(power, strategy):
    # A concurrent delete between the lookup and the row lock.
    from strategies import views

    real = views.DialingStrategyViewSet.get_object

    def vanishing(self):
        found = real(self)
        DialingStrategy.objects.filter(pk=found.pk).delete()
        return found

    with mock.patch.object(views.DialingStrategyViewSet, "get_object", vanishing):
        response = power.post(f"{URL}/{strategy.pk}", {"name": "Renamed"})
    assert response.status_code == 404
    assert response.content == b'{"errorCode":203,"errorMessage":"Entry not found"}'


def test_it_keeps_audit_entries_immutable_through_the_base_manager(client_a):
    from livevox_site.audit import Actor, audit_record

    entry = audit_record(actor=Actor.command("t"), client=client_a, action="x.y.z")
    with pytest.raises(PermissionError):
        AuditEntry._base_manager.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(PermissionError):
        AuditEntry._base_manager.filter(pk=entry.pk).delete()


def test_it_keeps_a_service_with_its_client_in_the_admin(admin_as, client_b):
    browser = admin_as("sysadmin")
    response = browser.post(f"{SERVICES}17797/change/", {"name": "Moved", "client": "93119"})
    assert response.status_code == 302
    service = Service.objects.get(pk=17797)
    assert (service.client_id, service.name) == (4199, "Moved")


def test_it_unassigns_a_deleted_service_from_strategies_with_audit(admin_as, power, client_a):
    created = power.post(
        URL, {"name": "S", "dialingSequenceItem": [1], "service": [{"id": 20180}, {"id": 18892}]}
    )
    strategy = DialingStrategy.objects.get(pk=created.json()["id"])
    before = power.get(f"{URL}/info").json()["lastModified"]
    browser = admin_as("superuser")
    time.sleep(0.002)  # lastModified is in milliseconds
    response = browser.post(f"{SERVICES}20180/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Service.objects.filter(pk=20180).exists()
    body = power.get(f"{URL}/{strategy.pk}").json()
    assert body["service"] == [{"id": 18892}]
    removed = AuditEntry.objects.get(action="strategies.strategy.service_removed")
    assert (removed.source, removed.details) == ("admin", {"service": 20180})
    after = power.get(f"{URL}/info").json()["lastModified"]
    assert after > before
    assert AuditEntry.objects.filter(action="livevox_site.service.deleted").count() == 1
