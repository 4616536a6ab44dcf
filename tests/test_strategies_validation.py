"""Bad input on every field: 400, errorCode 202, a message naming the field, nothing saved."""

import pytest

from livevox_site.models import AuditEntry
from strategies.models import DialingStrategy, Outcome

URL = "/configuration/dialingStrategies"
VALID = {"name": "New", "dialingSequenceItem": [1, 2], "service": [{"id": 20180}]}
OUTCOME = {
    "lvResultId": 320,
    "dialAnotherNumber": False,
    "maxNumberOfRetries": 1,
    "retryDelay": 3,
    "requeue": True,
}


def with_(**changes) -> dict:
    body = {**VALID, **changes}
    return {key: value for key, value in body.items() if value is not ...}


def with_outcome(**changes) -> dict:
    item = {key: value for key, value in {**OUTCOME, **changes}.items() if value is not ...}
    return with_(outcomeItem=[item])


@pytest.fixture
def existing(client_a) -> DialingStrategy:
    return DialingStrategy.objects.create(client=client_a, name="Existing", dialing_sequence=[1])


CREATE_CASES = [
    # (case id, body, field named in the message)
    ("name missing", with_(name=...), "name"),
    ("name null", with_(name=None), "name"),
    ("name blank", with_(name="   "), "name"),
    ("name a number", with_(name=5), "name"),
    ("name a list", with_(name=["x"]), "name"),
    ("name too long", with_(name="x" * 201), "name"),
    ("name taken", with_(name="Existing"), "name"),
    ("name taken with spaces", with_(name=" Existing "), "name"),
    ("sequence missing", with_(dialingSequenceItem=...), "dialingSequenceItem"),
    ("sequence empty", with_(dialingSequenceItem=[]), "dialingSequenceItem"),
    ("sequence not a list", with_(dialingSequenceItem="1,2"), "dialingSequenceItem"),
    ("sequence an object", with_(dialingSequenceItem={"a": 1}), "dialingSequenceItem"),
    ("sequence duplicate", with_(dialingSequenceItem=[1, 2, 1]), "dialingSequenceItem"),
    ("sequence zero", with_(dialingSequenceItem=[0]), "dialingSequenceItem"),
    ("sequence negative", with_(dialingSequenceItem=[1, -2]), "dialingSequenceItem"),
    ("sequence fraction", with_(dialingSequenceItem=[1.5]), "dialingSequenceItem"),
    ("sequence text", with_(dialingSequenceItem=["one"]), "dialingSequenceItem"),
    ("sequence boolean", with_(dialingSequenceItem=[True]), "dialingSequenceItem"),
    ("sequence null item", with_(dialingSequenceItem=[None]), "dialingSequenceItem"),
    ("sequence huge", with_(dialingSequenceItem=[2**40]), "dialingSequenceItem"),
    ("service not a list", with_(service={"id": 20180}), "service"),
    ("service of client B", with_(service=[{"id": 93126}]), "service"),
    ("service unknown", with_(service=[{"id": 20180}, {"id": 99999}]), "service"),
    ("service id text", with_(service=[{"id": "abc"}]), "service"),
    ("service id missing", with_(service=[{"name": "x"}]), "service"),
    ("service id fraction", with_(service=[{"id": 1.5}]), "service"),
    ("service id huge", with_(service=[{"id": 2**63}]), "service"),
    ("outcomes not a list", with_(outcomeItem={"lvResultId": 320}), "outcomeItem"),
    ("outcome not an object", with_(outcomeItem=[320]), "outcomeItem[0]"),
    ("result missing", with_outcome(lvResultId=...), "outcomeItem[0].lvResultId"),
    ("result unknown", with_outcome(lvResultId=999), "outcomeItem[0].lvResultId"),
    ("result huge", with_outcome(lvResultId=2**63), "outcomeItem[0].lvResultId"),
    ("result text", with_outcome(lvResultId="abc"), "outcomeItem[0].lvResultId"),
    ("boolean yes", with_outcome(dialAnotherNumber="yes"), "outcomeItem[0].dialAnotherNumber"),
    ("boolean number", with_outcome(requeue=1), "outcomeItem[0].requeue"),
    ("retries negative", with_outcome(maxNumberOfRetries=-1), "outcomeItem[0].maxNumberOfRetries"),
    ("retries text", with_outcome(maxNumberOfRetries="abc"), "outcomeItem[0].maxNumberOfRetries"),
    ("retries fraction", with_outcome(maxNumberOfRetries=1.5), "outcomeItem[0].maxNumberOfRetries"),
    ("retries huge", with_outcome(maxNumberOfRetries=2**31), "outcomeItem[0].maxNumberOfRetries"),
    ("delay negative", with_outcome(retryDelay="-5"), "outcomeItem[0].retryDelay"),
    ("delay boolean", with_outcome(retryDelay=True), "outcomeItem[0].retryDelay"),
    (
        "result twice",
        with_(outcomeItem=[OUTCOME, {**OUTCOME, "lvResultId": "320"}]),
        "outcomeItem[1].lvResultId",
    ),
]


@pytest.mark.parametrize(
    ("body", "field"), [c[1:] for c in CREATE_CASES], ids=[c[0] for c in CREATE_CASES]
)
def test_it_rejects_a_bad_create_and_saves_nothing(power, existing, client_b, body, field):
    audit_before = AuditEntry.objects.count()

    response = power.post(URL, body)

    assert response.status_code == 400, response.content
    payload = response.json()
    assert list(payload) == ["errorCode", "errorMessage"]
    assert payload["errorCode"] == 202
    assert payload["errorMessage"].startswith(field)
    assert list(DialingStrategy.objects.values_list("name", flat=True)) == ["Existing"]
    assert Outcome.objects.count() == 0
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("[1, 2]", "The request body must be a JSON object"),
        ('"text"', "The request body must be a JSON object"),
        ('{"name": ', "Malformed request body"),
        ("not json", "Malformed request body"),
    ],
)
def test_it_rejects_a_body_that_is_not_an_object(power, raw, message):
    response = power.post(URL, raw)

    assert response.status_code == 400
    assert response.json()["errorCode"] == 202
    assert response.json()["errorMessage"].startswith(message)
    assert DialingStrategy.objects.count() == 0


def test_it_accepts_lenient_values_and_ignores_unknown_fields(power, client_a):
    body = {
        "id": 0,
        "clientId": 93119,
        "name": "  Lenient  ",
        "dialingSequenceItem": ["3", 1.0, 2],
        "service": [{"id": "20180"}, 18892, {"id": 20180}],
        "outcomeItem": [
            {
                "lvResultId": "320",
                "dialAnotherNumber": "TRUE",
                "maxNumberOfRetries": "5",
                "retryDelay": 2.0,
                "requeue": False,
                "outcomeId": 42,
            },
            {"lvResultId": 316},
        ],
        "extra": None,
    }

    response = power.post(URL, body)

    assert response.status_code == 201, response.content
    strategy_id = response.json()["id"]
    read = power.get(f"{URL}/{strategy_id}").json()
    o320, o316 = Outcome.objects.filter(strategy_id=strategy_id).order_by("id")
    assert read == {
        "service": [{"id": 20180}, {"id": 18892}],
        "dialingSequenceItem": [3, 1, 2],
        "outcomeItem": [
            {
                "outcomeId": o320.pk,
                "lvResultId": 320,
                "dialAnotherNumber": True,
                "maxNumberOfRetries": 5,
                "retryDelay": 2,
                "requeue": False,
            },
            {
                "outcomeId": o316.pk,
                "lvResultId": 316,
                "dialAnotherNumber": False,
                "maxNumberOfRetries": 0,
                "retryDelay": 0,
                "requeue": False,
            },
        ],
        "id": strategy_id,
        "name": "Lenient",
    }
    assert DialingStrategy.objects.get(pk=strategy_id).client_id == 4199


def test_it_accepts_a_body_without_content_type(power, client_a):
    response = power.http.generic(
        "POST", URL, data='{"name": "Plain", "dialingSequenceItem": [1]}', content_type=""
    )

    assert response.status_code == 201, response.content


UPDATE_CASES = [
    ("name blank", {"name": ""}, "name"),
    ("name spaces", {"name": "  "}, "name"),
    ("name a number", {"name": 7}, "name"),
    ("name taken", {"name": "Existing"}, "name"),
    ("sequence empty", {"dialingSequenceItem": []}, "dialingSequenceItem"),
    ("sequence duplicate", {"dialingSequenceItem": [2, 2]}, "dialingSequenceItem"),
    ("sequence zero", {"dialingSequenceItem": [0]}, "dialingSequenceItem"),
    ("sequence text", {"dialingSequenceItem": "1"}, "dialingSequenceItem"),
    ("good name, bad sequence", {"name": "Fine", "dialingSequenceItem": [-1]}, "dialing"),
]


@pytest.mark.parametrize(
    ("body", "field"), [c[1:] for c in UPDATE_CASES], ids=[c[0] for c in UPDATE_CASES]
)
def test_it_rejects_a_bad_update_and_changes_nothing(power, existing, body, field):
    other = DialingStrategy.objects.create(
        client=existing.client, name="Other", dialing_sequence=[2]
    )

    response = power.post(f"{URL}/{other.pk}", body)

    assert response.status_code == 400
    assert response.json()["errorCode"] == 202
    assert response.json()["errorMessage"].startswith(field)
    other.refresh_from_db()
    assert (other.name, other.dialing_sequence) == ("Other", [2])


OUTCOME_CASES = [
    ("result missing", {"requeue": True}, "lvResultId"),
    ("result unknown", {**OUTCOME, "lvResultId": 1}, "lvResultId"),
    ("boolean yes", {**OUTCOME, "requeue": "yes"}, "requeue"),
    ("retries -1", {**OUTCOME, "maxNumberOfRetries": -1}, "maxNumberOfRetries"),
    ("retries abc", {**OUTCOME, "maxNumberOfRetries": "abc"}, "maxNumberOfRetries"),
    ("retries 1.5", {**OUTCOME, "maxNumberOfRetries": 1.5}, "maxNumberOfRetries"),
    ("delay list", {**OUTCOME, "retryDelay": [1]}, "retryDelay"),
]


@pytest.mark.parametrize(
    ("body", "field"), [c[1:] for c in OUTCOME_CASES], ids=[c[0] for c in OUTCOME_CASES]
)
def test_it_rejects_a_bad_outcome(power, existing, body, field):
    response = power.post(f"{URL}/{existing.pk}/outcomes", body)

    assert response.status_code == 400
    assert response.json()["errorCode"] == 202
    assert response.json()["errorMessage"].startswith(field)
    assert Outcome.objects.count() == 0


OUTCOME_UPDATE_CASES = [
    ("boolean yes", {"dialAnotherNumber": "yes"}, "dialAnotherNumber"),
    ("boolean 0", {"requeue": 0}, "requeue"),
    ("retries -1", {"maxNumberOfRetries": -1}, "maxNumberOfRetries"),
    ("retries abc", {"maxNumberOfRetries": "abc"}, "maxNumberOfRetries"),
    ("delay 1.5", {"retryDelay": 1.5}, "retryDelay"),
    ("good then bad", {"requeue": True, "retryDelay": -1}, "retryDelay"),
]


@pytest.mark.parametrize(
    ("body", "field"),
    [c[1:] for c in OUTCOME_UPDATE_CASES],
    ids=[c[0] for c in OUTCOME_UPDATE_CASES],
)
def test_it_rejects_a_bad_outcome_update_and_changes_nothing(power, existing, body, field):
    outcome = Outcome.objects.create(strategy=existing, result_id=320, retry_delay=4)

    response = power.put(f"{URL}/{existing.pk}/outcomes/{outcome.pk}", body)

    assert response.status_code == 400
    assert response.json()["errorCode"] == 202
    assert response.json()["errorMessage"].startswith(field)
    outcome.refresh_from_db()
    assert (outcome.requeue, outcome.retry_delay, outcome.max_number_of_retries) == (False, 4, 0)


def test_it_rejects_an_outcome_update_body_that_is_not_an_object(power, existing):
    outcome = Outcome.objects.create(strategy=existing, result_id=320)

    response = power.put(f"{URL}/{existing.pk}/outcomes/{outcome.pk}", "[true]")

    assert response.status_code == 400
    assert response.json() == {
        "errorCode": 202,
        "errorMessage": "The request body must be a JSON object",
    }


def test_it_compares_names_in_unicode_normal_form(power, client_a):
    first = power.post(URL, {"name": "Caf\u00e9", "dialingSequenceItem": [1]})
    second = power.post(URL, {"name": "Cafe\u0301", "dialingSequenceItem": [1]})

    assert first.status_code == 201
    assert second.json() == {
        "errorCode": 202,
        "errorMessage": "name: a dialing strategy named 'Café' exists",
    }
    assert list(DialingStrategy.objects.values_list("name", flat=True)) == ["Caf\u00e9"]
