"""Contact group ids are the client's own (dnc 0010): what a client is answered when it adds a
group never depends on the ids another client holds (the admin and the service: "taken" means
taken by the same client), a group given no id gets its client's next free id, and each
client's entries naming group 1320 resolve to the client's own group 1320 (the API's checks,
the import's line checker, the admin's names, choices and filter, the deletion check). The
migration keeps every stored group under its id."""

import pytest
from django.db.migrations.exceptions import IrreversibleError

from dnc import admin as dnc_admin
from dnc.models import GROUP_KEY_MIN, ContactGroup, DialtimeEntry
from dnc.rows import ListRowChecker
from dnc.services import groups as group_services
from dnc.services import lists as list_services
from livevox_site.audit import Actor
from livevox_site.errors import AlreadyExists, InvalidValue
from livevox_site.models import AuditEntry, Client, PhoneDncType

from .migrations_helpers import migrate, migrate_to_latest

LIST = "/admin/dnc/contactgroup/"
ENTRIES = "/admin/dnc/dialtimeentry/"
TAKEN = 9001  # held by client B only
FREE = 9002  # held by nobody
ACTOR = Actor.command("test")


@pytest.fixture
def groups(client_a, client_b) -> dict[str, ContactGroup]:
    """Both clients hold a group 1320 (named apart); B holds 9001 as well. B uses the
    dial-time lists too (it is a Legacy client in conftest), so that both have entries."""
    Client.objects.filter(pk=client_b.pk).update(phone_dnc_type=PhoneDncType.DIAL_TIME)
    client_b.refresh_from_db()
    return {
        "a": ContactGroup.objects.create(group_id=1320, client=client_a, name="Collections"),
        "b": ContactGroup.objects.create(group_id=1320, client=client_b, name="Beta collections"),
        "b_taken": ContactGroup.objects.create(group_id=TAKEN, client=client_b, name="Beta"),
    }


@pytest.fixture
def entries(groups, client_a, client_b) -> dict[str, DialtimeEntry]:
    return {
        "a": DialtimeEntry.objects.create(
            client=client_a, phone="4155553734", contact_group_id=1320
        ),
        "b": DialtimeEntry.objects.create(
            client=client_b, phone="4155550000", contact_group_id=1320
        ),
    }


def stored() -> list[tuple]:
    return sorted(ContactGroup.objects.values_list("client_id", "group_id", "name"))


def form_errors(response) -> dict:
    assert response.status_code == 200, response.status_code
    return response.context["adminform"].form.errors


# --- adding a group ---------------------------------------------------------------------------


def test_the_admin_answers_an_id_another_client_holds_as_a_free_one(admin_as, groups):
    browser = admin_as("superuser")
    answers = []
    for group_id, name in ((TAKEN, "Retention"), (FREE, "Winback")):
        response = browser.post(f"{LIST}add/", {"group_id": str(group_id), "name": name})
        answers.append((response.status_code, response["Location"]))
    assert answers == [(302, LIST), (302, LIST)]
    # The client's own id is refused, in the words it always was.
    response = browser.post(f"{LIST}add/", {"group_id": str(TAKEN), "name": "Again"})
    assert form_errors(response) == {"__all__": [f"Contact group id {TAKEN} is taken"]}
    assert stored() == [
        (4199, 1320, "Collections"),
        (4199, TAKEN, "Retention"),
        (4199, FREE, "Winback"),
        (93119, 1320, "Beta collections"),
        (93119, TAKEN, "Beta"),
    ]


def test_a_sysadmin_adds_for_a_client_whatever_the_others_hold(admin_as, groups):
    browser = admin_as("sysadmin")
    response = browser.post(f"{LIST}add/", {"client": "4199", "group_id": str(TAKEN), "name": "X"})
    assert (response.status_code, response["Location"]) == (302, LIST)
    response = browser.post(f"{LIST}add/", {"client": "93119", "group_id": "1320", "name": "Y"})
    assert form_errors(response) == {"__all__": ["Contact group id 1320 is taken"]}
    assert ContactGroup.objects.get(client_id=4199, group_id=TAKEN).name == "X"


def test_the_service_checks_the_clients_own_ids_only(groups, client_a, client_b):
    assert group_services.contact_group_check(client=client_a, name="New", group_id=TAKEN) == "New"
    with pytest.raises(AlreadyExists, match=f"contact group id {TAKEN} is taken"):
        group_services.contact_group_check(client=client_b, name="New", group_id=TAKEN)
    made = group_services.contact_group_create(
        actor=ACTOR, client=client_a, name="Retention", group_id=TAKEN
    )
    assert (made.client_id, made.group_id) == (4199, TAKEN)
    # The stored key is random, never the vendor id; the audit names the vendor id and finds
    # the group's History by the key.
    assert made.pk >= GROUP_KEY_MIN
    entry = AuditEntry.objects.get(action="dnc.contactgroup.added")
    assert (entry.client_id, entry.object_id, entry.subject_id) == (4199, str(TAKEN), str(made.pk))
    assert entry.after == {"id": TAKEN, "client": 4199, "name": "Retention"}
    with pytest.raises(AlreadyExists):
        group_services.contact_group_create(
            actor=ACTOR, client=client_a, name="Other", group_id=TAKEN
        )


def test_a_group_given_no_id_gets_its_clients_next_free_id(admin_as, groups, client_a, client_b):
    # B holds 9001; A's largest is 1320: A's next is 1321, whatever B holds.
    response = admin_as("superuser").post(f"{LIST}add/", {"group_id": "", "name": "Retention"})
    assert response.status_code == 302
    made = group_services.contact_group_create(actor=ACTOR, client=client_b, name="Winback")
    assert made.group_id == TAKEN + 1
    newcomer = Client.objects.create(id=555, code="NEW", name="Newcomer")
    first = group_services.contact_group_create(actor=ACTOR, client=newcomer, name="First")
    assert first.group_id == 1
    assert stored() == [
        (555, 1, "First"),
        (4199, 1320, "Collections"),
        (4199, 1321, "Retention"),
        (93119, 1320, "Beta collections"),
        (93119, TAKEN, "Beta"),
        (93119, TAKEN + 1, "Winback"),
    ]
    # At the top of the range the next id must be given.
    ContactGroup.objects.create(group_id=2**31 - 1, client=newcomer, name="Last")
    with pytest.raises(InvalidValue, match="give one"):
        group_services.contact_group_create(actor=ACTOR, client=newcomer, name="Too many")


def test_an_id_taken_meanwhile_is_retried_or_refused(groups, client_a, monkeypatch):
    # Another writer stores the client's next free id between the look-up and the insert: the
    # insert fails on (client, id) and the next look-up gives a free one.
    answers = iter([1320, 1321])
    monkeypatch.setattr(group_services, "next_group_id", lambda client: next(answers))
    made = group_services.contact_group_create(actor=ACTOR, client=client_a, name="Retention")
    assert made.group_id == 1321
    # A given id taken meanwhile (the first check saw it free) is refused as one taken before.
    check = group_services._check_unique
    calls = []
    monkeypatch.setattr(
        group_services,
        "_check_unique",
        lambda **kw: calls.append(kw) if not calls else check(**kw),
    )
    with pytest.raises(AlreadyExists, match="contact group id 1320 is taken"):
        group_services.contact_group_create(
            actor=ACTOR, client=client_a, name="Winback", group_id=1320
        )
    assert stored() == [
        (4199, 1320, "Collections"),
        (4199, 1321, "Retention"),
        (93119, 1320, "Beta collections"),
        (93119, TAKEN, "Beta"),
    ]


# --- entries naming group 1320 ----------------------------------------------------------------


def test_the_api_checks_the_group_within_the_client(api, groups, entries):
    a, b = api("manager_with_dnc_power"), api("outsider")
    for who, phone in ((a, "2125550100"), (b, "2125550101")):
        response = who.post("/compliance/dialtime/dnc", {"phone": phone, "contactGroupId": 1320})
        assert response.status_code == 201, response.content
    # An id only another client holds is answered as one nobody holds.
    answers = [
        (response.status_code, response.json())
        for response in (
            a.post("/compliance/dialtime/dnc", {"phone": "2125550102", "contactGroupId": group})
            for group in (TAKEN, FREE)
        )
    ]
    invalid = {"code": 202, "message": "contactGroupId: Contact Group is not valid"}
    assert answers == [(400, invalid), (400, invalid)]
    assert sorted(DialtimeEntry.objects.values_list("client_id", "phone", "contact_group_id")) == [
        (4199, "2125550100", 1320),
        (4199, "4155553734", 1320),
        (93119, "2125550101", 1320),
        (93119, "4155550000", 1320),
    ]


def test_each_client_checks_its_own_groups(groups, client_a, client_b):
    assert ListRowChecker.for_client("dialtime", client_a).groups == {1320}
    assert ListRowChecker.for_client("dialtime", client_b).groups == {1320, TAKEN}
    assert list_services.check_contact_group(client_b, TAKEN) == TAKEN
    with pytest.raises(InvalidValue):
        list_services.check_contact_group(client_a, TAKEN)


def test_the_admin_names_each_entrys_own_group(admin_as, entries):
    def shown(who: str, params=None) -> list[tuple]:
        response = admin_as(who).get(ENTRIES, params or {})
        assert response.status_code == 200
        changelist = response.context["cl"]
        return [
            (row.client_id, changelist.model_admin.group(row)) for row in changelist.result_list
        ]

    assert shown("superuser") == [(4199, "Collections (1320)")]
    assert shown("outsider") == [(93119, "Beta collections (1320)")]
    assert sorted(shown("sysadmin")) == [
        (4199, "Collections (1320)"),
        (93119, "Beta collections (1320)"),
    ]
    # The filter: a client's own id; a Sysadmin's choices name the client too.
    assert shown("superuser", {"group": "1320"}) == [(4199, "Collections (1320)")]
    assert shown("sysadmin", {"group": "93119-1320"}) == [(93119, "Beta collections (1320)")]
    for crafted in ("1-2-3", "x-1320", "93119-", "-1320"):
        assert shown("sysadmin", {"group": crafted}) == [], crafted
    response = admin_as("sysadmin").get(ENTRIES)
    group_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if isinstance(spec, dnc_admin.ContactGroupFilter)
    )
    assert group_filter.lookup_choices == [
        ("0", "No group"),
        (f"93119-{TAKEN}", f"Beta ({TAKEN}), BETA"),
        ("93119-1320", "Beta collections (1320), BETA"),
        ("4199-1320", "Collections (1320), ACME"),
    ]


def test_the_entry_forms_offer_and_check_the_clients_groups(admin_as, entries):
    form = admin_as("superuser").get(f"{ENTRIES}add/").context["adminform"].form
    assert form.fields["contact_group_id"].choices == [
        (0, "No group"),
        (1320, "Collections (1320)"),
    ]
    browser = admin_as("sysadmin")
    form = browser.get(f"{ENTRIES}add/").context["adminform"].form
    assert form.fields["contact_group_id"].choices == [
        (0, "No group"),
        ("Acme (ACME)", [(1320, "Collections (1320)")]),
        ("Beta (BETA)", [(1320, "Beta collections (1320)"), (TAKEN, f"Beta ({TAKEN})")]),
    ]
    data = {"phone": "2125550100", "expiration_date": ""}
    response = browser.post(
        f"{ENTRIES}add/", {**data, "client": "4199", "contact_group_id": str(TAKEN)}
    )
    assert form_errors(response) == {"contact_group_id": ["Choose a contact group of Acme."]}
    response = browser.post(
        f"{ENTRIES}add/", {**data, "client": "93119", "contact_group_id": str(TAKEN)}
    )
    assert response.status_code == 302
    assert DialtimeEntry.objects.get(phone="2125550100").client_id == 93119


def test_a_group_is_in_use_by_its_own_clients_entries_only(admin_as, entries, groups):
    DialtimeEntry.objects.filter(pk=entries["a"].pk).delete()
    # B's entries name B's 1320, not A's: A's group goes.
    assert group_services.entries_in_group(groups["a"]) == 0
    assert group_services.entries_in_group(groups["b"]) == 1
    browser = admin_as("superuser")
    response = browser.post(f"{LIST}{groups['a'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert stored() == [(93119, 1320, "Beta collections"), (93119, TAKEN, "Beta")]
    entry = AuditEntry.objects.get(action="dnc.contactgroup.deleted")
    assert (entry.object_id, entry.subject_id, entry.object_name) == (
        "1320",
        str(groups["a"].pk),
        "Collections (1320)",
    )


# --- the migration ----------------------------------------------------------------------------

BEFORE = ("dnc", "0009_preview_visibility")
AFTER = ("dnc", "0010_contact_group_id_per_client")


@pytest.fixture
def at_0009():
    apps = migrate(BEFORE)
    try:
        yield apps
    finally:
        migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_stored_group_under_its_id(at_0009, client_a, client_b, api):
    old = at_0009.get_model("dnc", "ContactGroup")
    old.objects.create(id=1320, client_id=4199, name="Collections")
    old.objects.create(id=9001, client_id=93119, name="Beta group")
    DialtimeEntry.objects.create(
        id=7, client=client_a, phone="4155553734", contact_group_id=1320, expiration_date=None
    )

    migrate(AFTER)
    assert sorted(ContactGroup.objects.values_list("pk", "client_id", "group_id", "name")) == [
        (1320, 4199, 1320, "Collections"),
        (9001, 93119, 9001, "Beta group"),
    ]
    # The entries name them as before: the wire answers the same.
    response = api("manager_with_dnc_power").get("/compliance/dialtime/dnc/7")
    assert (response.status_code, response.json()) == (
        200,
        {"phone": "4155553734", "contactGroupId": 1320, "id": 7},
    )
    assert list_services.check_contact_group(client_a, 1320) == 1320
    # An id stored before is free for another client now, under a random key.
    new = group_services.contact_group_create(
        actor=ACTOR, client=client_b, name="Beta collections", group_id=1320
    )
    assert new.pk >= GROUP_KEY_MIN

    # Back to 0009 only while every key is its vendor id.
    with pytest.raises(IrreversibleError):
        migrate(BEFORE)
    ContactGroup.objects.filter(pk=new.pk).delete()
    old = migrate(BEFORE).get_model("dnc", "ContactGroup")
    assert sorted(old.objects.values_list("pk", "client_id", "name")) == [
        (1320, 4199, "Collections"),
        (9001, 93119, "Beta group"),
    ]
    # The key is a sequence again, past the stored keys.
    assert old.objects.create(client_id=4199, name="After").pk > 9001
