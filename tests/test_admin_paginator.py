"""The tenant admins page without ever counting a whole table: a capped count ("10,000+"), or
on PostgreSQL the planner's estimate for an unfiltered large table."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from livevox_site.audit import Actor, audit_record
from livevox_site.models import Service
from livevox_site.paginator import ApproximateCount, EstimatedCountPaginator

SERVICES = "/admin/livevox_site/service/"
A_SERVICES = [11458, 17797, 17885, 18892, 20180, 20575, 26881, 30853]  # client A's, by id


@pytest.fixture
def three_per_page(monkeypatch):
    monkeypatch.setattr(admin.site._registry[Service], "list_per_page", 3)


def listed(response) -> list[int]:
    assert response.status_code == 200
    return [service.pk for service in response.context["cl"].result_list]


def counts_in(queries) -> list[str]:
    # Queries that count rows (a page's per-row aggregates, such as a strategy's number of
    # outcomes, are columns of the page query, not counts of the table).
    return [q["sql"] for q in queries if q["sql"].upper().startswith("SELECT COUNT(")]


def test_it_pages_the_change_list_with_an_exact_count_below_the_cap(admin_as, three_per_page):
    browser = admin_as("superuser")
    pages = [listed(browser.get(f"{SERVICES}?p={p}")) for p in (1, 2, 3)]
    assert pages == [A_SERVICES[:3], A_SERVICES[3:6], A_SERVICES[6:]]
    response = browser.get(SERVICES)
    assert response.context["cl"].result_count == 8
    assert response.context["cl"].paginator.count_is_exact
    assert "8 services" in response.content.decode()
    assert browser.get(f"{SERVICES}?p=4").status_code == 302  # past the end: Django's redirect


def test_it_shows_a_capped_count_and_still_reaches_every_page(
    admin_as, three_per_page, monkeypatch
):
    monkeypatch.setattr(EstimatedCountPaginator, "count_cap", 5)
    browser = admin_as("superuser")
    response = browser.get(SERVICES)
    count = response.context["cl"].result_count
    assert (count, str(count), isinstance(count, ApproximateCount)) == (6, "5+", True)
    html = response.content.decode()
    assert "5+ services" in html
    assert "Select all 5+ services" in html
    pages = [listed(browser.get(f"{SERVICES}?p={p}")) for p in (1, 2, 3, 4)]
    assert pages == [A_SERVICES[:3], A_SERVICES[3:6], A_SERVICES[6:], []]
    # Searching narrows below the cap: exact again.
    assert browser.get(f"{SERVICES}?q=S2").context["cl"].result_count == 3


@pytest.mark.parametrize(
    "who, url",
    [
        ("superuser", SERVICES),
        ("superuser", f"{SERVICES}?q=S1&p=2"),
        ("sysadmin", SERVICES),  # every client: unfiltered
        ("sysadmin", f"{SERVICES}?client__id__exact=4199"),
        ("superuser", "/admin/livevox_site/user/"),
        ("manager", "/admin/livevox_site/auditentry/"),
        ("sysadmin", "/admin/livevox_site/auditentry/?_facets=1"),
        ("manager_with_strategies_power", "/admin/strategies/dialingstrategy/"),
    ],
)
def test_it_never_counts_a_whole_table(admin_as, client_a, who, url, three_per_page):
    audit_record(actor=Actor.command("t"), client=client_a, action="x", obj_type="site.login")
    browser = admin_as(who)
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    counts = counts_in(captured.captured_queries)
    assert counts, "the change list counts (capped)"
    for sql in counts:
        assert re.search(r"COUNT\(\*\).*FROM \(SELECT .* LIMIT 10001\)", sql, re.S), sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_class.reltuples is PostgreSQL's")
def test_it_reads_the_planners_estimate_for_an_unfiltered_large_table(
    admin_as, client_a, client_b, three_per_page, monkeypatch
):
    monkeypatch.setattr(EstimatedCountPaginator, "count_cap", 5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE livevox_site_service")  # 8 + 4 services, this transaction's
    browser = admin_as("sysadmin")
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(SERVICES)
    assert str(response.context["cl"].result_count) == "about 12"
    assert counts_in(captured.captured_queries) == []
    assert len(listed(browser.get(f"{SERVICES}?p=4"))) == 3
    # Filtered (one client): counted, capped.
    filtered = browser.get(f"{SERVICES}?client__id__exact=93119")
    assert filtered.context["cl"].result_count == 4
