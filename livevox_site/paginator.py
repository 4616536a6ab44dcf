"""An admin paginator that never counts a whole large table.

Django's admin counts the change list with ``COUNT(*)`` on every page view (twice, with
``show_full_result_count``). On a table of 10 million DNC entries that is a scan of seconds.
``EstimatedCountPaginator`` (the default of every tenant admin, see ``TenantAdminMixin``)
counts at most ``count_cap`` rows instead, and on PostgreSQL reads the planner's estimate for
an unfiltered large table:

- filtered (every non-Sysadmin's list is, by client) or on SQLite: ``SELECT COUNT(*) FROM
  (SELECT ... LIMIT cap + 1)``: exact up to the cap, else shown as "10,000+";
- unfiltered on PostgreSQL (a Sysadmin's list of every client): ``pg_class.reltuples`` when
  it says the table is larger than the cap, shown as "about 10,234,567" (the estimate is as
  fresh as the last autovacuum/ANALYZE); a small or never-analysed table is counted as above.

When the count is not exact, any page number may be asked for (``?p=``); a page past the real
end is simply empty. Page links reach the pages the count covers (101 pages of 100 at the cap);
refine with search and filters to go further.
"""

from functools import cached_property

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import QuerySet


class ApproximateCount(int):
    """A count the admin can compare and page with (an ``int``) that prints as what it is:
    ``"10,000+"`` or ``"about 1,234,567"``. Django's templates and messages print counts with
    ``str()``, so the change list, the "Select all" link and "All ... selected" say it
    without copies of the admin's templates."""

    def __new__(cls, value: int, label: str):
        count = super().__new__(cls, value)
        count.label = label
        return count

    def __str__(self) -> str:
        return self.label


class EstimatedCountPaginator(Paginator):
    """Counts at most ``count_cap`` rows (see the module docstring). ``count`` is an ``int``;
    an ``ApproximateCount`` when it is not exact (``count_is_exact`` False)."""

    count_cap = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        estimate = self._estimate(queryset)
        if estimate is not None and estimate > self.count_cap:
            return ApproximateCount(estimate, f"about {estimate:,}")
        counted = queryset.order_by()[: self.count_cap + 1].count()
        if counted <= self.count_cap:
            return counted
        return ApproximateCount(counted, f"{self.count_cap:,}+")

    @property
    def count_is_exact(self) -> bool:
        return not isinstance(self.count, ApproximateCount)

    def _estimate(self, queryset: QuerySet) -> int | None:
        """The planner's row count of the table, for an unfiltered queryset on PostgreSQL."""
        connection = connections[queryset.db]
        query = queryset.query
        if connection.vendor != "postgresql" or query.where or query.distinct or query.combinator:
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)",
                [connection.ops.quote_name(queryset.model._meta.db_table)],
            )
            row = cursor.fetchone()
        # -1: never vacuumed or analysed (PostgreSQL 14+); 0 may be just as stale.
        return int(row[0]) if row and row[0] > 0 else None

    def validate_number(self, number) -> int:
        if self.count_is_exact:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        if self.count_is_exact:
            return super().page(number)
        # Not clipped to the count: past the cap (or a low estimate) there are more rows.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)
