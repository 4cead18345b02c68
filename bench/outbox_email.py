"""Deliver N queued e-mails through the outbox to a local SMTP server (aiosmtpd); one JSON line.

Every message is its own claim, SMTP session, hand-over and record (three short transactions),
so this is the outbox's own cost per e-mail, not a batch figure.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

# `python bench/x.py` puts bench/ first on the path; keep the standard library's modules first.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from wms_desk.db import schema  # noqa: E402
from wms_desk.db.engine import create_db_engine, sqlite_url  # noqa: E402
from wms_desk.domain.emails import EmailKind, OutgoingEmail  # noqa: E402
from wms_desk.services import outbox  # noqa: E402
from wms_desk.services.context import ServiceContext, system_actor  # noqa: E402
from wms_desk.services.database import Database  # noqa: E402
from wms_desk.services.emails import settings, smtp  # noqa: E402
from wms_desk.services.uow import run_unit_of_work  # noqa: E402


class Count:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.received += 1
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument(
        "--pg",
        metavar="URL",
        help="a PostgreSQL server: a scratch database is created there and dropped after "
        "(default: a new SQLite file)",
    )
    args = parser.parse_args()
    if args.pg is None:
        run(sqlite_url(Path(tempfile.mkdtemp()) / "bench.sqlite3"), args.messages)
        return
    name = f"wms_bench_outbox_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
        run(url, args.messages)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(url: str, messages: int) -> None:
    engine = create_db_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    database = Database(url)
    ctx = ServiceContext(database, system_actor())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Count()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.save_settings(
            ctx, host="127.0.0.1", port=port, security="none", from_address="shop@example.com"
        )

        def queue(uow: outbox.UnitOfWork) -> None:
            for i in range(messages):
                email = OutgoingEmail(
                    f"c{i}@example.com", f"Order {i}", "Hello", EmailKind.SHIPMENT
                )
                outbox.enqueue(uow, outbox.OutboxKind.EMAIL, f"bench:{i}", email.to_json())

        started = time.perf_counter()
        run_unit_of_work(ctx, queue)
        queued_s = time.perf_counter() - started
        worker = outbox.OutboxWorker(
            database, deliveries={outbox.OutboxKind.EMAIL: smtp.SmtpDelivery.from_context}
        )
        started = time.perf_counter()
        done = worker.drain()
        drained_s = time.perf_counter() - started
    finally:
        controller.stop()
        database.dispose()
    print(
        json.dumps(
            {
                "backend": "sqlite" if url.startswith("sqlite") else "postgresql",
                "messages": messages,
                "sent": sum(1 for m in done if m.status is outbox.OutboxStatus.SENT),
                "server_received": handler.received,
                "enqueue_ms_per_message": round(queued_s * 1000 / messages, 3),
                "deliver_ms_per_message": round(drained_s * 1000 / messages, 2),
                "messages_per_second": round(messages / drained_s, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
