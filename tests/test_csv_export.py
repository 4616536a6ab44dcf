import csv
import io

import pytest

from livevox_site.audit import Actor, audit_record
from livevox_site.csv_export import safe_cell


@pytest.mark.parametrize(
    "value, cell",
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@x", "'@x"), ("plain", "plain"),
     (None, ""), (42, "42")],
)  # fmt: skip
def test_it_defuses_spreadsheet_formulas(value, cell):
    assert safe_cell(value) == cell


def test_it_exports_the_selected_audit_entries_of_the_own_client_only(admin_as, client_a, client_b):
    mine = audit_record(
        actor=Actor.command("t"), client=client_a, action="x.mine", obj_type="livevox_site.service",
        obj_id=1,
        after={"name": "=cmd"},
    )  # fmt: skip
    theirs = audit_record(actor=Actor.command("t"), client=client_b, action="x.theirs")
    response = admin_as("manager").post(
        "/admin/livevox_site/auditentry/",
        {"action": "export_csv", "_selected_action": [mine.pk, theirs.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "at", "client", "actor", "source", "action", "object_type", "object_id",
        "before", "after", "details", "what happened",
    ]  # fmt: skip
    assert rows[1:] == [
        [mine.at.isoformat(), "4199", "t", "command", "x.mine", "livevox_site.service", "1", "null",
         '{"name": "=cmd"}', "null", "t mine the service =cmd"],
    ]  # fmt: skip
