"""Load for pick/pack concurrency tests and the bench: seed many picked orders, run stations."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, insert, select

from wms_desk.db.models import (
    AuditEvent,
    Bin,
    BinStock,
    Carton,
    Channel,
    Order,
    OrderLine,
    Product,
    ProductBarcode,
    Station,
    StockMove,
    User,
)
from wms_desk.domain.roles import Role
from wms_desk.domain.station_rules import Operation
from wms_desk.services import claims, packing
from wms_desk.services.context import Actor, ServiceContext
from wms_desk.services.database import Database
from wms_desk.services.demo import check_digit
from wms_desk.services.errors import ServiceError
from wms_desk.services.stock import reconcile

PRODUCTS = 12


def code_of(n: int) -> str:
    digits = f"400{n:09d}"
    return digits + check_digit(digits)


def seed(database: Database, orders: int, seed_value: int = 1) -> dict[int, str]:
    """`orders` picked orders (1-3 lines of 1-2 units) with their goods in staging; cartons."""
    rng = random.Random(seed_value)
    with database.write_session() as session, session.begin():
        channel = Channel(name=f"Load-{uuid.uuid4().hex[:6]}", kind="csv", settings={})
        session.add(channel)
        for code, dims, tare in (("S", (200, 150, 100), 120), ("M", (350, 250, 200), 250)):
            if session.scalar(select(Carton.id).where(Carton.code == code)) is None:
                session.add(
                    Carton(
                        code=code,
                        name=code,
                        barcode=f"CARTON-{code}",
                        length_mm=dims[0],
                        width_mm=dims[1],
                        height_mm=dims[2],
                        max_weight_g=Decimal(20000),
                        tare_g=Decimal(tare),
                    )
                )
        stage = Bin(code="STAGE", zone="TOTE", pick_sequence=0, active=False)
        session.add(stage)
        session.flush()
        codes = {}
        for n in range(PRODUCTS):
            product = Product(
                sku=f"LD-{n}",
                name=f"Load item {n}",
                unit_weight_g=Decimal(100 + n),
                length_mm=50,
                width_mm=40,
                height_mm=30,
            )
            product.barcodes.append(ProductBarcode(code=code_of(n), quantity=1))
            session.add(product)
            session.flush()
            codes[product.id] = code_of(n)
        pids = list(codes)
        need: dict[int, int] = dict.fromkeys(pids, 0)
        order_rows = [
            {
                "channel_id": channel.id,
                "external_id": str(i),
                "number": f"L{i}",
                "status": "picked",
                "priority": rng.choice((0, 0, 1)),
                "bill_to": {},
            }
            for i in range(orders)
        ]
        session.execute(insert(Order), order_rows)
        ids = list(session.scalars(select(Order.id).where(Order.channel_id == channel.id)))
        lines = []
        for order_id in ids:
            for line_no, pid in enumerate(rng.sample(pids, rng.randint(1, 3)), 1):
                qty = rng.randint(1, 2)
                need[pid] += qty
                lines.append(
                    {
                        "order_id": order_id,
                        "line_no": line_no,
                        "sku": f"LD-{pid}",
                        "product_id": pid,
                        "name": "x",
                        "qty": qty,
                        "picked_qty": qty,
                    }
                )
        session.execute(insert(OrderLine), lines)
        session.execute(
            insert(StockMove),
            [
                {
                    "product_id": p,
                    "to_bin_id": stage.id,
                    "qty": q,
                    "reason": "pick",
                    "reference": "load",
                }
                for p, q in need.items()
                if q
            ],
        )
        session.execute(
            insert(BinStock),
            [
                {"bin_id": stage.id, "product_id": p, "on_hand": q, "reserved": 0}
                for p, q in need.items()
                if q
            ],
        )
    return codes


def station_actor(database: Database, n: int) -> Actor:
    """A station and a packer for load worker `n` (no password hashing: it is load)."""
    name = f"load-{n}-{uuid.uuid4().hex[:4]}"
    with database.write_session() as session, session.begin():
        station = Station(name=name, bindings={})
        user = User(username=name, display_name=name, role=Role.PACKER.value)
        session.add_all([station, user])
        session.flush()
        return Actor(user.id, name, name, Role.PACKER, station.id, name)


@dataclass
class WorkerResult:
    packed: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    claim_seconds: list[float] = field(default_factory=list)
    scan_seconds: list[float] = field(default_factory=list)


def pack_until_done(url: str, actor: Actor, codes: dict[int, str]) -> WorkerResult:
    """One station: "next order", scan every unit, weigh, COMPLETE; until none is left."""
    database = Database(url)
    ctx = ServiceContext(database, actor)
    result = WorkerResult()
    try:
        while True:
            started = time.perf_counter()
            session = packing.open_next(ctx)
            result.claim_seconds.append(time.perf_counter() - started)
            if session is None:
                return result
            try:
                _pack(ctx, session, codes, result)
            except ServiceError as exc:  # a lost lease or any refusal is a failure here
                result.errors.append(f"{session.order_number}: {exc}")
                claims.release(ctx, session.order_id)
    finally:
        database.dispose()


def _pack(ctx: ServiceContext, session, codes: dict[int, str], result: WorkerResult) -> None:
    order_id = session.order_id
    with ctx.database.read_session() as s:
        units = s.execute(
            select(OrderLine.product_id, OrderLine.qty - OrderLine.packed_qty).where(
                OrderLine.order_id == order_id
            )
        ).all()
    for product_id, left in units:
        for _ in range(left):
            started = time.perf_counter()
            verdict = packing.verify_scan(ctx, order_id, codes[product_id], str(uuid.uuid4()))
            result.scan_seconds.append(time.perf_counter() - started)
            if verdict.outcome.value != "verified":
                result.errors.append(f"{session.order_number}: {verdict.message}")
    box = packing.pack_session(ctx, order_id).packages[-1]
    packing.record_weight(ctx, order_id, box.expected_weight_g, str(uuid.uuid4()))
    done = packing.complete(ctx, order_id, str(uuid.uuid4()))
    if not done.session.completed:
        result.errors.append(f"{session.order_number}: {done.message}")
        return
    result.packed.append(order_id)


@dataclass(frozen=True)
class Totals:
    orders: int
    packed: int
    completions: int  # "completed" events: exactly one per order
    min_on_hand: int
    mismatches: int


def totals(database: Database) -> Totals:
    with database.read_session() as s:
        completions = s.scalar(
            select(func.count()).where(
                AuditEvent.action == "pack.complete",
                AuditEvent.after["outcome"].as_string() == "completed",
            )
        )
        return Totals(
            s.scalar(select(func.count()).select_from(Order)) or 0,
            s.scalar(select(func.count()).where(Order.status == "packed")) or 0,
            completions or 0,
            s.scalar(select(func.min(BinStock.on_hand))) or 0,
            len(reconcile(s)),
        )


def run_claims(url: str, actor: Actor, operation: Operation, rounds: int) -> int:
    """Claim-and-release `rounds` times (the bench's claim rate)."""
    database = Database(url)
    ctx = ServiceContext(database, actor)
    done = 0
    try:
        for _ in range(rounds):
            claim = claims.claim_next(ctx, operation)
            if claim is None:
                break
            done += 1
    finally:
        database.dispose()
    return done
