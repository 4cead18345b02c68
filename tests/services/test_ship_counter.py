"""Tracking numbers from the database counter: valid check digits, never reused, 16 stations."""

from __future__ import annotations

import threading

from tests.services.shipdata import import_nordpost
from wms_desk.domain.tracking_numbers import CheckRule, TrackingRange
from wms_desk.services.shipping.accounts import DbSerialSource
from wms_desk.services.uow import run_unit_of_work

S10 = TrackingRange("RR", 10000000, 10999999, CheckRule.S10, "SE", 8)
STATIONS = 16
TAKES = 15


def test_sixteen_stations_never_share_a_number(any_db_url) -> None:
    from wms_desk.services.context import ServiceContext, system_actor
    from wms_desk.services.database import Database
    from wms_desk.services.stations import ensure_station

    database = Database(any_db_url)
    station = ensure_station(database, "counter-test")
    ctx = ServiceContext(database, system_actor(station.id, station.name))
    import_nordpost(ctx)
    start = threading.Barrier(STATIONS)
    taken: list[list[str]] = [[] for _ in range(STATIONS)]
    errors: list[BaseException] = []

    def station_work(i: int) -> None:
        try:
            start.wait()
            for n in range(TAKES):
                count = 1 + (i + n) % 3  # single and multi-piece shipments mixed
                serials = run_unit_of_work(
                    ctx,
                    lambda uow, c=count: DbSerialSource(uow.session).take("NORDPOST-2026", S10, c),
                )
                taken[i] += [S10.format(s) for s in serials]
        except BaseException as exc:  # reported below: a thread must not fail silently
            errors.append(exc)

    threads = [threading.Thread(target=station_work, args=(i,)) for i in range(STATIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    database.dispose()
    assert not errors, errors
    numbers = [n for per in taken for n in per]
    expected = sum(1 + (i + n) % 3 for i in range(STATIONS) for n in range(TAKES))
    assert len(numbers) == expected == len(set(numbers))
    assert all(S10.validate(n) for n in numbers)
    serials = sorted(S10.parse(n) for n in numbers)
    assert serials == list(range(10000000, 10000000 + expected))  # no gaps, no reuse
