"""The bulk write helper: every line checked, the good ones saved, the bad ones named by line,
duplicates within the input dropped, one transaction, one audit entry. Run against real models
with unique constraints (outcomes per strategy and result, strategies per client and name) on
SQLite (executemany) and PostgreSQL (COPY)."""

import csv
import io
from unittest import mock

import psycopg
import pytest
from django.db import connection

from livevox_site.audit import Actor
from livevox_site.bulk import (
    BulkReport,
    BulkUpsert,
    RowError,
    RowInvalid,
    bulk_upsert,
    copy_text,
    csv_lines,
    numbered,
)
from livevox_site.lenient import parse_int, present
from livevox_site.models import AuditEntry, Service
from strategies.models import DialingStrategy, Outcome, Result

ACTOR = Actor(source="import", user_id=7, name="someone@ACME")


@pytest.fixture
def strategy(client_a) -> DialingStrategy:
    return DialingStrategy.objects.create(client=client_a, name="Collections")


@pytest.fixture
def check_outcome(strategy, client_b):
    """A plain row checker: raw CSV/JSON row -> outcome values, or RowInvalid."""
    other = DialingStrategy.objects.create(client=client_b, name="Theirs")
    mine = {strategy.pk}  # strategies of the importing client only
    results = set(Result.objects.values_list("id", flat=True))
    assert other.pk not in mine

    def check(raw: dict) -> dict:
        strategy_id = parse_int(raw.get("strategy"), "strategy")  # raises InvalidInput
        if strategy_id not in mine:
            raise RowInvalid(f"no dialing strategy {strategy_id}")
        if not present(raw.get("result")):
            raise RowInvalid("result is required")
        result_id = parse_int(raw["result"], "result")
        if result_id not in results:
            raise RowInvalid(f"no call result {result_id}")
        retries = raw.get("retries") or "0"
        if not retries.isdigit():
            raise RowInvalid("retries is not a number")
        requeue = (raw.get("requeue") or "false").strip().lower()
        if requeue not in ("true", "false"):
            raise RowInvalid("requeue is not true or false")
        return {
            "strategy": strategy_id,
            "result": result_id,
            "max_number_of_retries": int(retries),
            "requeue": requeue == "true",
        }

    return check


def upsert_outcomes(rows, check, client, **options) -> BulkReport:
    return bulk_upsert(
        model=Outcome,
        rows=rows,
        check=check,
        key_fields=["strategy", "result"],
        update_fields=["max_number_of_retries", "requeue"],
        client=client,
        actor=ACTOR,
        action="strategies.outcome.imported",
        source_name="outcomes.csv",
        **options,
    )


def csv_file(text: str) -> io.StringIO:
    return io.StringIO(text, newline="")


def outcomes(strategy) -> list[tuple]:
    return list(
        Outcome.objects.filter(strategy=strategy)
        .order_by("result_id")
        .values_list("result_id", "max_number_of_retries", "requeue", "dial_another_number")
    )


def audit_rows() -> list[tuple]:
    return [
        (e.client_id, e.source, e.actor_id, e.action, e.object_type, e.object_id, e.details)
        for e in AuditEntry.objects.filter(action__endswith=".imported").order_by("id")
    ]


# --- good lines saved, bad lines named --------------------------------------------------------


def test_it_saves_the_good_lines_and_names_the_bad_ones_by_line(strategy, check_outcome, client_a):
    s = strategy.pk
    text = (
        "Strategy,Result,Retries,Requeue\n"  # line 1
        f"{s},316,3,true\n"  # 2
        f"{s},999,1,false\n"  # 3: unknown result
        "\n"  # 4: blank, skipped but counted
        f"{s},320,x,false\n"  # 5: bad number
        f"{s},322,0,false\n"  # 6
        f"{s},316,5,false\n"  # 7: same key as line 2
        f"abc,316,1,false\n"  # 8: not a number (the services' own parser)
        f"{s + 1000},316,1,false\n"  # 9: not this client's strategy
        f"{s},320,2,maybe\n"  # 10
    )
    report = upsert_outcomes(csv_lines(csv_file(text)), check_outcome, client_a)
    assert report == BulkReport(
        received=8,
        created=2,
        updated=0,
        unchanged=0,
        errors=[
            RowError(3, "no call result 999"),
            RowError(5, "retries is not a number"),
            RowError(8, "strategy must be a whole number"),
            RowError(9, f"no dialing strategy {s + 1000}"),
            RowError(10, "requeue is not true or false"),
        ],
        duplicates=[RowError(7, "duplicate of line 2")],
        written=True,
    )
    assert [str(error) for error in report.errors[:1]] == ["line 3: no call result 999"]
    # First line wins; defaults for the columns the import does not name.
    assert outcomes(strategy) == [(316, 3, True, False), (322, 0, False, False)]
    assert audit_rows() == [
        (
            4199,
            "import",
            7,
            "strategies.outcome.imported",
            "strategies.outcome",
            "",
            {
                "counts": {
                    "received": 8,
                    "created": 2,
                    "updated": 0,
                    "unchanged": 0,
                    "duplicates": 1,
                    "failed": 5,
                },
                "source": "outcomes.csv",
            },
        )
    ]


def test_it_reads_json_entries_numbered_from_one(strategy, check_outcome, client_a):
    body = [
        {"strategy": strategy.pk, "result": 316},
        {"strategy": strategy.pk},
        {"strategy": strategy.pk, "result": "320", "retries": "2"},
    ]
    report = upsert_outcomes(numbered(body), check_outcome, client_a)
    assert (report.created, report.errors) == (2, [RowError(2, "result is required")])
    assert outcomes(strategy) == [(316, 0, False, False), (320, 2, False, False)]


# --- re-runs --------------------------------------------------------------------------------

FIRST = "strategy,result,retries,requeue\n{s},316,3,true\n{s},320,1,false\n{s},322,0,false\n"


def test_it_changes_nothing_and_logs_nothing_when_run_again(strategy, check_outcome, client_a):
    text = FIRST.format(s=strategy.pk)
    upsert_outcomes(csv_lines(csv_file(text)), check_outcome, client_a)
    before = list(Outcome.objects.order_by("id").values())
    report = upsert_outcomes(csv_lines(csv_file(text)), check_outcome, client_a)
    assert report == BulkReport(received=3, unchanged=3, written=True)
    assert list(Outcome.objects.order_by("id").values()) == before
    assert len(audit_rows()) == 1  # the first run only: nothing changed since


def test_it_updates_only_the_rows_that_differ(strategy, check_outcome, client_a):
    upsert_outcomes(csv_lines(csv_file(FIRST.format(s=strategy.pk))), check_outcome, client_a)
    s = strategy.pk
    text = f"strategy,result,retries,requeue\n{s},316,3,true\n{s},320,4,false\n{s},339,1,true\n"
    report = upsert_outcomes(csv_lines(csv_file(text)), check_outcome, client_a)
    assert report == BulkReport(received=3, created=1, updated=1, unchanged=1, written=True)
    assert outcomes(strategy) == [
        (316, 3, True, False),
        (320, 4, False, False),
        (322, 0, False, False),  # not in the second file: left alone
        (339, 1, True, False),
    ]
    assert [row[6]["counts"]["updated"] for row in audit_rows()] == [0, 1]


def test_it_leaves_existing_keys_alone_without_update_fields(strategy, check_outcome, client_a):
    upsert_outcomes(csv_lines(csv_file(FIRST.format(s=strategy.pk))), check_outcome, client_a)
    text = (
        f"strategy,result,retries,requeue\n{strategy.pk},316,9,false\n{strategy.pk},301,9,false\n"
    )
    report = bulk_upsert(
        model=Outcome,
        rows=csv_lines(csv_file(text)),
        check=lambda raw: {
            k: v for k, v in check_outcome(raw).items() if k in ("strategy", "result")
        },
        key_fields=["strategy", "result"],
        client=client_a,
        actor=ACTOR,
        action="strategies.outcome.imported",
    )
    assert (report.created, report.updated, report.unchanged) == (1, 0, 1)
    assert outcomes(strategy) == [
        (301, 0, False, False),
        (316, 3, True, False),
        (320, 1, False, False),
        (322, 0, False, False),
    ]


# --- transactions ---------------------------------------------------------------------------


def test_it_writes_nothing_in_strict_mode_when_a_line_fails(strategy, check_outcome, client_a):
    text = f"strategy,result\n{strategy.pk},316\n{strategy.pk},999\n{strategy.pk},320\n"
    report = upsert_outcomes(csv_lines(csv_file(text)), check_outcome, client_a, strict=True)
    assert report == BulkReport(
        received=3, errors=[RowError(3, "no call result 999")], written=False
    )
    assert outcomes(strategy) == []
    assert audit_rows() == []


def test_it_rolls_everything_back_when_the_checker_has_a_bug(strategy, check_outcome, client_a):
    def buggy(raw):
        if raw["result"] == "320":
            raise KeyError("oops")
        return check_outcome(raw)

    text = f"strategy,result\n{strategy.pk},316\n{strategy.pk},320\n"
    with pytest.raises(KeyError):
        upsert_outcomes(csv_lines(csv_file(text)), buggy, client_a, batch_size=1)
    assert outcomes(strategy) == []
    assert audit_rows() == []


def test_it_writes_in_batches_with_the_same_result(strategy, check_outcome, client_a):
    ids = list(Result.objects.order_by("id").values_list("id", flat=True))
    text = "strategy,result,retries\n" + "".join(
        f"{strategy.pk},{result_id},{n}\n" for n, result_id in enumerate(ids)
    )
    report = upsert_outcomes(csv_lines(csv_file(text)), check_outcome, client_a, batch_size=4)
    assert (report.received, report.created) == (len(ids), len(ids))
    assert [row[:2] for row in outcomes(strategy)] == [(r, n) for n, r in enumerate(ids)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_it_stages_rows_with_copy_on_postgresql(strategy, check_outcome, client_a):
    copies = []
    real_copy = psycopg.Cursor.copy

    def spy(cursor, statement, *args, **kwargs):
        copies.append(str(statement))
        return real_copy(cursor, statement, *args, **kwargs)

    ids = list(Result.objects.order_by("id").values_list("id", flat=True))[:5]
    rows = numbered({"strategy": strategy.pk, "result": r} for r in ids)
    with mock.patch.object(psycopg.Cursor, "copy", spy):
        report = upsert_outcomes(rows, check_outcome, client_a, batch_size=2)
    assert report.created == 5
    # Only the per-row columns (key and update fields) are staged; the constants (the defaults
    # of the other fields) join in the merge.
    assert (
        copies
        == [
            'COPY lv_bulk_stage (lv_line, "strategy_id", "result_id", "max_number_of_retries", '
            '"requeue") FROM STDIN'
        ]
        * 3
    )
    assert [row[0] for row in outcomes(strategy)] == ids


# --- tenant-owned models --------------------------------------------------------------------


def test_it_upserts_a_clients_rows_by_their_unique_key(client_a, client_b, strategy):
    theirs = DialingStrategy.objects.create(
        client=client_b, name="Collections", dialing_sequence=[9]
    )
    lines = [("Collections", [1, 2]), ("Sales", [3]), ("Bad", "x")]

    def check(raw):
        name, sequence = raw
        if not isinstance(sequence, list):
            raise RowInvalid("dialingSequenceItem must be a list")
        return {"name": name, "dialing_sequence": sequence}

    report = bulk_upsert(
        model=DialingStrategy,
        rows=numbered(lines),
        check=check,
        key_fields=["client", "name"],
        update_fields=["dialing_sequence"],
        fixed={"client": client_a.pk},
        client=client_a,
        actor=ACTOR,
        action="strategies.strategy.imported",
    )
    assert (report.created, report.updated, report.errors) == (
        1,
        1,
        [RowError(3, "dialingSequenceItem must be a list")],
    )
    assert list(
        DialingStrategy.objects.order_by("client_id", "name").values_list(
            "client_id", "name", "dialing_sequence"
        )
    ) == [(4199, "Collections", [1, 2]), (4199, "Sales", [3]), (93119, "Collections", [9])]
    theirs.refresh_from_db()
    assert theirs.dialing_sequence == [9]


@pytest.mark.parametrize(
    "model, key_fields, fixed, message",
    [
        (Service, ["id"], {"client": 4199}, "give the client in key_fields and fixed"),
        (DialingStrategy, ["client", "name"], {}, "give the client in key_fields and fixed"),
        (DialingStrategy, ["name"], {"client": 4199}, "no unique constraint on"),
        (Outcome, ["strategy"], {}, "no unique constraint on"),
    ],
)
def test_it_refuses_keys_that_could_reach_other_rows(client_a, model, key_fields, fixed, message):
    with pytest.raises(ValueError, match=message):
        bulk_upsert(
            model=model,
            rows=[],
            check=dict,
            key_fields=key_fields,
            fixed=fixed,
            client=client_a,
            actor=ACTOR,
            action="x",
        )


# --- reading CSV ------------------------------------------------------------------------------


def test_it_numbers_csv_lines_as_a_spreadsheet_does():
    text = 'Phone , Name\n5551234567,Ann\n\n5559876543,"Bob\nJr"\n5550000000,Cy,extra\n5551111111\n'
    assert list(csv_lines(csv_file(text))) == [
        (2, {"phone": "5551234567", "name": "Ann"}),
        (4, {"phone": "5559876543", "name": "Bob\nJr"}),
        (6, {"phone": "5550000000", "name": "Cy"}),
        (7, {"phone": "5551111111"}),
    ]
    assert list(csv_lines(csv_file("a,b\nc,d\n"), header=False)) == [
        (1, ["a", "b"]),
        (2, ["c", "d"]),
    ]


def test_it_names_the_line_of_an_unreadable_csv_record():
    text = "phone\n1\n" + "x" * 200_000 + "\n"  # past csv.field_size_limit() (131072)
    with pytest.raises(csv.Error, match="line 3"):
        list(csv_lines(csv_file(text)))


# --- two steps, and plain inserts into an empty scope ---------------------------------------


def outcome_writer(new_keys: bool) -> BulkUpsert:
    return BulkUpsert(
        model=Outcome,
        key_fields=["strategy", "result"],
        update_fields=["max_number_of_retries", "requeue"],
        new_keys=new_keys,
    )


def write_outcomes(writer: BulkUpsert, text: str, check, client) -> BulkReport:
    checked = writer.check_rows(csv_lines(csv_file(text)), check)
    return writer.write(checked, client=client, actor=ACTOR, action="strategies.outcome.imported")


def test_new_keys_inserts_plainly_while_no_key_exists(strategy, check_outcome, client_a):
    s = strategy.pk
    writer = outcome_writer(new_keys=True)

    report = write_outcomes(
        writer, f"strategy,result,retries\n{s},316,3\n{s},320,1\n", check_outcome, client_a
    )

    assert report == BulkReport(received=2, created=2, written=True)
    assert writer.new_keys is True
    assert outcomes(strategy) == [(316, 3, False, False), (320, 1, False, False)]


def test_new_keys_falls_back_to_the_merge_when_a_key_exists_and_stays_off(
    strategy, check_outcome, client_a
):
    s = strategy.pk
    writer = outcome_writer(new_keys=True)
    write_outcomes(writer, f"strategy,result,retries\n{s},316,3\n", check_outcome, client_a)

    # 316 exists now: the plain insert fails, the merge updates it and adds 322.
    report = write_outcomes(
        writer,
        f"strategy,result,retries\n{s},322,0\n{s},316,5\n{s},320,1\n",
        check_outcome,
        client_a,
    )

    assert report == BulkReport(received=3, created=2, updated=1, written=True)
    assert writer.new_keys is False
    assert outcomes(strategy) == [
        (316, 5, False, False),
        (320, 1, False, False),
        (322, 0, False, False),
    ]
    assert [entry[6]["counts"] for entry in audit_rows()] == [
        {"received": 1, "created": 1, "updated": 0, "unchanged": 0, "duplicates": 0, "failed": 0},
        {"received": 3, "created": 2, "updated": 1, "unchanged": 0, "duplicates": 0, "failed": 0},
    ]


def test_checking_happens_without_the_database(strategy, check_outcome, client_a):
    """check_rows may run in a thread with no database access (the CSV import's reader)."""
    s = strategy.pk
    writer = outcome_writer(new_keys=False)
    with mock.patch.object(connection, "cursor", side_effect=AssertionError("no database")):
        checked = writer.check_rows(
            csv_lines(csv_file(f"strategy,result,retries\n{s},316,3\n{s},999,1\n{s},316,2\n")),
            check_outcome,
        )
    assert checked.report == BulkReport(
        received=3,
        errors=[RowError(3, "no call result 999")],
        duplicates=[RowError(4, "duplicate of line 2")],
    )
    assert checked.last_line == 4
    assert len(checked.rows) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_text_reads_back_as_the_values_it_was_given(db):
    from datetime import UTC, date, datetime
    from decimal import Decimal

    rows = [
        (
            1,
            "plain",
            True,
            date(2030, 1, 2),
            datetime(2026, 11, 24, 3, 4, 5, 6, UTC),
            Decimal("1.50"),
        ),
        (2, "tab\there, new\nline, cr\rend", False, None, None, None),
        (3, "back\\slash \\N \\t and é ✓", None, date(1999, 12, 31), None, Decimal("-0")),
        (4, "", False, None, None, None),
        (5, None, None, None, None, None),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE copy_back (n int, t text, b boolean, d date,"
            " at timestamptz, x numeric)"
        )
        with cursor.cursor.copy("COPY copy_back FROM STDIN") as copy:
            copy.write(copy_text(rows))
        cursor.execute("SELECT n, t, b, d, at, x FROM copy_back ORDER BY n")
        assert cursor.fetchall() == rows
        cursor.execute("DROP TABLE copy_back")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_rows_checked_as_copy_text_write_as_rows_do(strategy, check_outcome, client_a):
    s = strategy.pk
    writer = outcome_writer(new_keys=False)
    text = f"strategy,result,retries,requeue\n{s},316,3,true\n{s},320,1,false\n"
    checked = writer.check_rows(csv_lines(csv_file(text)), check_outcome, copy_ready=True)
    assert (checked.rows, checked.copy_text) == ([], f"2\t{s}\t316\t3\tt\n3\t{s}\t320\t1\tf\n")

    report = writer.write(checked, client=client_a, actor=ACTOR, action="x.imported")

    assert report == BulkReport(received=2, created=2, written=True)
    assert outcomes(strategy) == [(316, 3, True, False), (320, 1, False, False)]


def test_copy_text_writes_str_subclasses_as_their_strings():
    from django.utils.safestring import mark_safe

    from dnc.models import DncType

    assert copy_text([(DncType.DAILY, mark_safe("a\tb"), 7)]) == "DAILY\ta\\tb\t7\n"
    with pytest.raises(TypeError):
        copy_text([(b"bytes",)])
