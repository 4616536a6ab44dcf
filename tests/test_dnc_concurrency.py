"""DNC writes under concurrent load, nothing lost under faults and load, on PostgreSQL: real
concurrent transactions, each thread with its own connection.

- Bulk requests and CSV imports of overlapping entries, while isBlocked is asked in a loop, end
  with exactly the expected entries, no 5xx, counters equal to the rows, and every isBlocked
  answer consistent with a committed state (an entry blocks from the moment its request
  returns, and once it blocks it keeps blocking while nothing removes it).
- Concurrent creates of one entry: one 201, the others 400 code 201.
- Concurrent creates and deletes of one entry end with counters equal to the rows.

The SIGKILL import test lives in ``tests/test_dnc_import.py``.
"""

import io
import random
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db import connection, connections

from dnc.imports import create_job, run_job
from dnc.models import DialtimeEntry, DncCounter, ImportStatus, LegacyEntry
from livevox_site import bulk
from livevox_site.audit import Actor

pytestmark = pytest.mark.django_db(transaction=True)

A = 4199  # DIAL_TIME
B = 93119  # LEGACY
SERVICE_A = 20180
IS_BLOCKED = "/compliance/complianceCheck/isBlocked"
ALREADY_EXISTS = {"code": 201, "message": "Element already exists"}
# Every thread must be done by then (seconds); the whole file takes well under a minute.
JOIN_TIMEOUT = 60


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: concurrent transactions on separate connections, which SQLite's "
            "in-memory test database (one connection, one writer) cannot give"
        )


@pytest.fixture(params=["sorted", "unsorted"])
def merges(request, monkeypatch) -> str:
    """Bulk merges as they run (API-sized merges in key order), or all unsorted as import
    batches above ``SORTED_MERGE_ROWS`` are: then deadlocks happen and the retry must absorb
    them."""
    if request.param == "unsorted":
        monkeypatch.setattr(bulk, "SORTED_MERGE_ROWS", 0)
    return request.param


def phone(prefix: int, i: int) -> str:
    return f"{prefix}555{i:04d}"


@dataclass
class Crew:
    """Threads that each speak through their own database connection. Any exception in a
    thread (a failed assertion included) is kept and stops the pollers."""

    failures: list[str] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    writers_done: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, work: Callable[[], None], name: str) -> None:
        def run() -> None:
            try:
                work()
            except BaseException:  # noqa: BLE001 - reported by finish()
                with self.lock:
                    self.failures.append(f"{name}: {traceback.format_exc()}")
                self.writers_done.set()
            finally:
                connections.close_all()  # this thread's connection

        thread = threading.Thread(target=run, name=name, daemon=True)
        self.threads.append(thread)
        thread.start()

    def join(self, threads: list[threading.Thread]) -> None:
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
            assert not thread.is_alive(), f"{thread.name} still runs after {JOIN_TIMEOUT} s"

    def finish(self, writers: int) -> None:
        """Wait for the first ``writers`` threads, stop the others (pollers), wait for them."""
        self.join(self.threads[:writers])
        self.writers_done.set()
        self.join(self.threads[writers:])
        assert not self.failures, "\n".join(self.failures)


def answered(response, *expected: int) -> dict | None:
    """The JSON body of a response whose status is one of ``expected``; anything else (a 5xx
    above all) fails with the body."""
    assert response.status_code in expected, (response.status_code, response.content[:2000])
    return response.json() if response.content else None


def is_blocked(api, service: int, number: str) -> bool:
    body = answered(api.get(f"{IS_BLOCKED}?service={service}&phone={number}"), 200)
    return body["result"]


def counters_equal_rows(client_id: int) -> None:
    """Every counter of the client equals the real number of rows it counts."""
    sizes = {
        (c.list, c.service_id): c.size
        for c in DncCounter.objects.filter(client_id=client_id)
        if c.size
    }
    rows: dict[tuple[str, int], int] = {}
    for dnc_type, service_id in LegacyEntry.objects.filter(client_id=client_id).values_list(
        "dnc_type", "service_id"
    ):
        key = (f"legacy:{dnc_type}", service_id)
        rows[key] = rows.get(key, 0) + 1
    dialtime = DialtimeEntry.objects.filter(client_id=client_id).count()
    if dialtime:
        rows[("dialtime", 0)] = dialtime
    assert sizes == rows


def run_import(client, list_name: str, text: str, batch_size: int) -> None:
    job = create_job(
        client=client,
        list_name=list_name,
        upload=io.BytesIO(text.encode()),
        original_name=f"{list_name}.csv",
        actor=Actor.command("test"),
        batch_size=batch_size,
    )
    job = run_job(job.pk)
    assert job.status == ImportStatus.SUCCEEDED, job.message
    assert job.failed == 0


class Poller:
    """Asks isBlocked in a loop until the writers are done. A number never written must never
    block; a number once seen blocking must block at every later answer (nothing removes)."""

    def __init__(self, api, service: int, written: list[str], never: list[str], seed: int):
        self.api, self.service, self.seed = api, service, seed
        self.numbers = written + never
        self.never = set(never)
        self.seen_blocking: set[str] = set()
        self.asked = 0

    def __call__(self, crew: Crew) -> None:
        pick = random.Random(self.seed).choice
        while not crew.writers_done.is_set():
            number = pick(self.numbers)
            blocked = is_blocked(self.api, self.service, number)
            self.asked += 1
            if number in self.never:
                assert not blocked, f"{number} was never written but blocks"
            elif number in self.seen_blocking:
                assert blocked, f"{number} blocked earlier, no longer does"
            elif blocked:
                self.seen_blocking.add(number)


# --- dial-time: bulk, import, single creates and isBlocked at once --------------------------


def test_dialtime_bulk_import_and_creates_of_overlapping_entries_lose_nothing(
    api, client_a, merges
):
    universe = [phone(415, i) for i in range(400)]  # every bulk writer and the import
    import_only = [phone(510, i) for i in range(60)]
    single = [phone(415, i) for i in range(0, 400, 20)] + [phone(650, i) for i in range(20)]
    never = [phone(707, i) for i in range(20)]
    expected = set(universe) | set(import_only) | set(single)
    crew = Crew()
    checker = api("manager_with_dnc_power")

    def bulk_writer(seed: int, expiration: str | None) -> Callable[[], None]:
        it = api("manager_with_dnc_power")
        numbers = universe[:]
        random.Random(seed).shuffle(numbers)  # the same keys in another order per writer

        def work() -> None:
            for start in range(0, len(numbers), 100):
                chunk = numbers[start : start + 100]
                entries = [
                    {"phone": p, **({"expirationDate": expiration} if expiration else {})}
                    for p in chunk
                ]
                body = answered(
                    it.post("/compliance/dialtime/dnc/bulk", {"dncEntries": entries}), 200
                )
                assert body == {"processedCount": len(chunk)}
                for p in chunk:  # committed when the answer came: blocks now
                    assert is_blocked(it, SERVICE_A, p), f"{p} does not block after its bulk"

        return work

    def single_creator() -> None:
        it = api("manager_with_dnc_power")
        for p in single:
            response = it.post("/compliance/dialtime/dnc", {"phone": p})
            if response.status_code != 201:
                assert answered(response, 400) == ALREADY_EXISTS
            assert is_blocked(it, SERVICE_A, p), f"{p} does not block after its create"

    csv_lines = "".join(f"{p},,\n" for p in [*reversed(universe), *import_only])
    writers = [
        (bulk_writer(1, None), "bulk-1"),
        (bulk_writer(2, "2099-01-01"), "bulk-2"),  # updates what the others insert
        (bulk_writer(3, None), "bulk-3"),
        (
            lambda: run_import(
                client_a, "dialtime", "phone,contactGroupId,expirationDate\n" + csv_lines, 50
            ),
            "import",
        ),
        (single_creator, "creates"),
    ]
    pollers = [
        Poller(api("manager_with_dnc_power"), SERVICE_A, universe + import_only, never, s)
        for s in (7, 8)
    ]
    for work, name in writers:
        crew.start(work, name)
    for n, poller in enumerate(pollers):
        crew.start(lambda p=poller: p(crew), f"poller-{n}")
    crew.finish(len(writers))

    phones = list(DialtimeEntry.objects.filter(client_id=A).values_list("phone", flat=True))
    assert len(phones) == len(set(phones))  # the unique key holds; no duplicate
    assert set(phones) == expected  # no lost line
    counters_equal_rows(A)
    assert all(is_blocked(checker, SERVICE_A, p) for p in sorted(expected)[::25])
    assert sum(p.asked for p in pollers) > 0


# --- legacy: Multiple Phone DNC, import, single creates and isBlocked at once -----------------


def legacy_services(i: int) -> list[int]:
    """The services of legacy phone number ``i`` (the same in every request and file)."""
    return [[], [123], [123, 456]][i % 3]


def test_legacy_bulk_import_and_creates_of_overlapping_entries_lose_nothing(api, client_b, merges):
    count = 300
    universe = [phone(415, i) for i in range(count)]
    import_only = [phone(510, i) for i in range(60)]
    single = [phone(650, i) for i in range(20)]
    never = [phone(707, i) for i in range(20)]
    expected = {
        (universe[i], s or 0, "PERMANENT")
        for i in range(count)
        for s in (legacy_services(i) or [0])
    }
    expected |= {(p, 0, "PERMANENT") for p in import_only}
    expected |= {(p, 123, "PERMANENT") for p in single}
    crew = Crew()

    def bulk_writer(seed: int) -> Callable[[], None]:
        it = api("outsider")
        order = list(range(count))
        random.Random(seed).shuffle(order)

        def work() -> None:
            for start in range(0, count, 100):
                chunk = order[start : start + 100]
                entries = [
                    {"phone": universe[i], "service": [{"id": s} for s in legacy_services(i)]}
                    for i in chunk
                ]
                response = it.post(
                    "/compliance/dnc/multiplePhoneDnc",
                    {"block": "PERMANENT", "phoneDncEntry": entries},
                )
                body = answered(response, 200)
                assert body["successfulEntries"] + body["duplicateEntries"] == len(chunk), body
                for i in chunk:
                    assert is_blocked(it, 123, universe[i]), f"{universe[i]} does not block"

        return work

    def single_creator() -> None:
        it = api("outsider")
        for p in [*single, *universe[1:60:3]]:  # new ones, and ones the bulk writers send
            service = 123
            response = it.post(
                "/compliance/dnc", {"type": "PERMANENT", "phone": p, "serviceId": service}
            )
            if response.status_code != 201:
                assert answered(response, 400) == ALREADY_EXISTS
            assert is_blocked(it, service, p), f"{p} does not block after its create"

    rows = [
        f"PERMANENT,{s or ''},{universe[i]},,\n"
        for i in reversed(range(count))
        for s in (legacy_services(i) or [0])
    ]
    rows += [f"PERMANENT,,{p},,\n" for p in import_only]
    text = "type,serviceId,phone,account,zip\n" + "".join(rows)
    writers = [
        (bulk_writer(1), "bulk-1"),
        (bulk_writer(2), "bulk-2"),
        (bulk_writer(3), "bulk-3"),
        (lambda: run_import(client_b, "legacy", text, 50), "import"),
        (single_creator, "creates"),
    ]
    pollers = [Poller(api("outsider"), 123, universe + import_only, never, s) for s in (7, 8)]
    for work, name in writers:
        crew.start(work, name)
    for n, poller in enumerate(pollers):
        crew.start(lambda p=poller: p(crew), f"poller-{n}")
    crew.finish(len(writers))

    found = list(
        LegacyEntry.objects.filter(client_id=B).values_list("phone", "service_id", "dnc_type")
    )
    assert len(found) == len(set(found))
    assert set(found) == expected
    assert not LegacyEntry.objects.filter(client_id=B).exclude(account="", zip="").exists()
    counters_equal_rows(B)


# --- the same entry created at once by several requests --------------------------------------


def create_at_once(make_api, path: str, bodies: list[dict], threads: int = 6) -> list:
    """Each body POSTed by ``threads`` threads released together; the responses per body."""
    apis = [make_api() for _ in range(threads)]
    results: list[list] = [[] for _ in bodies]
    crew = Crew()
    barrier = threading.Barrier(threads)

    def work(it) -> None:
        for n, body in enumerate(bodies):
            barrier.wait(timeout=JOIN_TIMEOUT)
            response = it.post(path, body)
            with crew.lock:
                results[n].append((response.status_code, response.json()))

    for n, it in enumerate(apis):
        crew.start(lambda it=it: work(it), f"creator-{n}")
    crew.finish(threads)
    return results


@pytest.mark.parametrize(
    ("who", "path", "body_of", "model"),
    [
        (
            "manager_with_dnc_power",
            "/compliance/dialtime/dnc",
            lambda p: {"phone": p},
            DialtimeEntry,
        ),
        (
            "outsider",
            "/compliance/dnc",
            lambda p: {"type": "PERMANENT", "phone": p, "serviceId": 123},
            LegacyEntry,
        ),
    ],
    ids=["dialtime", "legacy"],
)
def test_one_entry_created_at_once_gives_one_201_and_already_exists(
    api, client_a, client_b, who, path, body_of, model
):
    numbers = [phone(415, i) for i in range(8)]
    results = create_at_once(lambda: api(who), path, [body_of(p) for p in numbers])

    for number, answers in zip(numbers, results, strict=True):
        created = [body for status, body in answers if status == 201]
        assert len(created) == 1, (number, answers)
        assert sorted(answers, key=lambda a: a[0])[1:] == [(400, ALREADY_EXISTS)] * 5
        assert model.objects.get(phone=number).pk == created[0]["id"]
    counters_equal_rows(A)
    counters_equal_rows(B)


# --- creates and deletes of the same entries at once -----------------------------------------


@dataclass
class Churn:
    """Creates, deletes and bulk writes of a few entries by several threads at once."""

    create_path: str
    delete_path: str  # with {id}
    create_body: Callable[[str], dict]
    bulk: Callable[[object, list[str], bool], None]  # (api, phones, remove)
    numbers: list[str]
    ids: list[int] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses of the creates and deletes

    def creator_deleter(self, it, seed: int) -> Callable[[], None]:
        rand = random.Random(seed)

        def work() -> None:
            for _ in range(25):
                number = rand.choice(self.numbers)
                response = it.post(self.create_path, self.create_body(number))
                self.answers.append(response.status_code)
                if response.status_code == 201:
                    self.ids.append(response.json()["id"])
                else:
                    assert answered(response, 400) == ALREADY_EXISTS
                if self.ids and rand.random() < 0.7:
                    entry_id = rand.choice(self.ids)
                    response = it.delete(self.delete_path.format(id=entry_id))
                    answered(response, 204, 404)
                    self.answers.append(response.status_code)

        return work

    def bulk_writer(self, it, seed: int) -> Callable[[], None]:
        rand = random.Random(seed)

        def work() -> None:
            for n in range(10):
                chosen = rand.sample(self.numbers, 3)
                self.bulk(it, chosen, n % 2 == 1)

        return work


def dialtime_bulk(it, numbers: list[str], remove: bool) -> None:
    if remove:
        # The dial-time API removes by id: find them, then delete each (gone already: 404).
        for number in numbers:
            found = answered(
                it.post("/compliance/dialtime/dnc/search?count=10&offset=0", {"phone": number}),
                200,
            )
            for entry in found["dncEntries"]:
                answered(it.delete(f"/compliance/dialtime/dnc/{entry['id']}"), 204, 404)
        return
    entries = [{"phone": p} for p in numbers]
    body = answered(it.post("/compliance/dialtime/dnc/bulk", {"dncEntries": entries}), 200)
    assert body == {"processedCount": len(numbers)}


def legacy_bulk(it, numbers: list[str], remove: bool) -> None:
    # Several services per line: one statement then moves several counters at once.
    entries = [{"phone": p, "service": [{"id": 456}, {"id": 123}, {"id": 789}]} for p in numbers]
    block = "NONE" if remove else "PERMANENT"
    body = answered(
        it.post("/compliance/dnc/multiplePhoneDnc", {"block": block, "phoneDncEntry": entries}),
        200,
    )
    assert body["successfulEntries"] + body["duplicateEntries"] == len(numbers), body


@pytest.mark.parametrize(
    ("who", "churn", "model", "client_id"),
    [
        (
            "manager_with_dnc_power",
            Churn(
                "/compliance/dialtime/dnc",
                "/compliance/dialtime/dnc/{id}",
                lambda p: {"phone": p},
                dialtime_bulk,
                [phone(415, i) for i in range(4)],
            ),
            DialtimeEntry,
            A,
        ),
        (
            "outsider",
            Churn(
                "/compliance/dnc",
                "/compliance/dnc/{id}",
                lambda p: {"type": "PERMANENT", "phone": p, "serviceId": 123},
                legacy_bulk,
                [phone(415, i) for i in range(4)],
            ),
            LegacyEntry,
            B,
        ),
    ],
    ids=["dialtime", "legacy"],
)
def test_creates_and_deletes_of_the_same_entries_end_consistent(
    api, client_a, client_b, who, churn, model, client_id
):
    churn.ids, churn.answers = [], []
    crew = Crew()
    for n in range(3):
        crew.start(churn.creator_deleter(api(who), n), f"churn-{n}")
    for n in range(2):
        crew.start(churn.bulk_writer(api(who), 9 + n), f"bulk-{n}")
    crew.finish(5)

    assert {201, 400, 204} <= set(churn.answers)  # creates won, lost, and deletes removed
    # (phone, service) of legacy entries, (phone, contact group) of dial-time ones.
    other = "service_id" if model is LegacyEntry else "contact_group_id"
    found = list(model.objects.filter(client_id=client_id).values_list("phone", other))
    assert len(found) == len(set(found))  # one entry per key at most
    assert {number for number, _ in found} <= set(churn.numbers)
    counters_equal_rows(client_id)
    it = api(who)
    service = SERVICE_A if client_id == A else 123
    blocking = {number for number, where in found if where in (0, service)}
    for number in churn.numbers:  # what isBlocked says is what is stored
        assert is_blocked(it, service, number) == (number in blocking)
