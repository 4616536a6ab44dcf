"""CSV export of the DNC lists: the import's header and cells, so that an export imports back
unchanged (0 created, 0 updated), streamed in constant memory at 10 million rows.

The formula rule (spreadsheet programs run a cell starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return, ``livevox_site.csv_export.FORMULA_STARTS``):

- export: a cell starting with one of those, or with a quote ``'``, gets one more leading
  quote: the account ``=SUM(A1)`` is written ``'=SUM(A1)``, the account ``'x`` is ``''x``;
- import (``unquote_cell``): a cell starting with a quote loses that one quote.

So every value reads back exactly, a spreadsheet shows ``'=SUM(A1)`` as the text it is, and
a hand-made file's cells are read as written unless they start with a quote. Phones are
digits and dates ``yyyy-MM-dd``, never touched; emails and accounts may start with any of
those characters.
"""

from collections.abc import Iterator

from livevox_site.csv_export import FORMULA_STARTS

# Rows fetched per round trip of the server-side cursor (PostgreSQL) or chunk (SQLite).
CHUNK_SIZE = 5000
_QUOTED = (*FORMULA_STARTS, "'")


def export_cell(value) -> str:
    """The cell as written: text, with one more leading quote where a spreadsheet would run
    it as a formula, or where the import would drop one."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_QUOTED) else text


def unquote_cell(value):
    """A cell as the import reads it: one leading quote dropped (``export_cell``'s guard)."""
    if isinstance(value, str) and value.startswith("'"):
        return value[1:]
    return value


def export_rows(spec, client_id: int) -> Iterator[list[str]]:
    """Every entry of one list of one client as CSV cells under ``spec.header``, read with a
    server-side cursor (PostgreSQL) in index order, never all at once."""
    return export_queryset(spec, spec.model.objects.filter(client_id=client_id))


def export_queryset(spec, rows) -> Iterator[list[str]]:
    """The entries of ``rows`` (a queryset of ``spec.model``: a client's list, or the admin's
    selection) as CSV cells under ``spec.header``, streamed."""
    model = spec.model
    if spec.name == "legacy":
        # The (client, dnc_type, service_id, id) index gives this order without a sort.
        rows = rows.order_by("dnc_type", "service_id", "id").values_list(
            "dnc_type", "service_id", "phone", "account", "zip"
        )
        for dnc_type, service_id, phone, account, zip_code in rows.iterator(CHUNK_SIZE):
            yield [
                dnc_type,
                str(service_id) if service_id else "",
                phone,
                export_cell(account),
                zip_code,
            ]
        return
    # (client, id) index.
    rows = rows.order_by("id").values_list(model.value_field, "contact_group_id", "expiration_date")
    for value, group, expires in rows.iterator(CHUNK_SIZE):
        yield [
            export_cell(value),
            str(group) if group else "",
            expires.isoformat() if expires else "",
        ]
