import pytest

from dnc.demo import seed_contact_groups
from dnc.models import ContactGroup, DialtimeEntry, LegacyEntry


@pytest.mark.parametrize(
    "model",
    ["dialtimeentry", "emailentry", "smsentry", "legacyentry", "accountflag", "contactgroup"],
)
def test_pages(admin_as, client_a, client_b, model):
    seed_contact_groups(client_a)
    DialtimeEntry.objects.create(client=client_a, phone="4155553734", contact_group_id=1320)
    LegacyEntry.objects.create(client=client_a, phone="4155553734")
    b = admin_as("superuser" if model == "contactgroup" else "manager_with_dnc_power")
    for url in (
        f"/admin/dnc/{model}/",
        f"/admin/dnc/{model}/?q=(415) 555-3734",
        f"/admin/dnc/{model}/add/",
    ):
        r = b.get(url)
        assert r.status_code == 200, (url, r.status_code, r.content[:2000])


def test_add_dialtime(admin_as, client_a):
    seed_contact_groups(client_a)
    b = admin_as("manager_with_dnc_power")
    r = b.post(
        "/admin/dnc/dialtimeentry/add/",
        {"phone": "415-555-3734", "contact_group_id": "1320", "expiration_date": ""},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    e = DialtimeEntry.objects.get()
    assert e.phone == "4155553734" and e.contact_group_id == 1320
    r = b.post("/admin/dnc/dialtimeentry/add/", {"phone": "4155553734", "contact_group_id": "1320"})
    assert r.status_code == 200 and b"already listed" in r.content
    r = b.post(
        "/admin/dnc/dialtimeentry/", {"action": "set_expiration", "_selected_action": [e.pk]}
    )
    assert r.status_code == 200
    r = b.post(
        "/admin/dnc/dialtimeentry/",
        {
            "action": "set_expiration",
            "_selected_action": [e.pk],
            "apply": "1",
            "date": "2030-01-02",
        },
    )
    assert r.status_code == 302
    e.refresh_from_db()
    assert str(e.expiration_date) == "2030-01-02"
    r = b.post(
        "/admin/dnc/dialtimeentry/",
        {"action": "delete_selected_entries", "_selected_action": [e.pk]},
    )
    assert r.status_code == 302 and not DialtimeEntry.objects.exists()


def test_add_legacy_and_flag_and_group(admin_as, client_a):
    b = admin_as("manager_with_dnc_power")
    r = b.post(
        "/admin/dnc/legacyentry/add/",
        {"dnc_type": "PERMANENT", "service_id": "0", "phone": "", "account": "A1", "zip": ""},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    r = b.post(
        "/admin/dnc/legacyentry/add/",
        {"dnc_type": "PERMANENT", "service_id": "0", "phone": "", "account": "A1", "zip": ""},
    )
    assert r.status_code == 200 and b"already on the list" in r.content
    r = b.post("/admin/dnc/accountflag/add/", {"account": "A2", "do_not_dial": "DAILY"})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert b.post("/admin/dnc/contactgroup/add/", {"id": "77", "name": "G"}).status_code == 403
    s = admin_as("superuser")
    r = s.post("/admin/dnc/contactgroup/add/", {"id": "77", "name": "G"})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert ContactGroup.objects.get(pk=77).client == client_a
