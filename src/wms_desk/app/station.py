"""What the GUI and the CLI both build: the database URL, the station, its resolved bindings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wms_desk.settings import Settings

if TYPE_CHECKING:
    from wms_desk.services.context import Actor, ServiceContext
    from wms_desk.services.database import Database
    from wms_desk.services.station_bindings import BindingOverrides, StationBindings
    from wms_desk.services.stations import StationInfo

EMBEDDED_FILE = "wms_desk.sqlite3"
DEMO_FILE = "demo.sqlite3"


def resolve_database_url(settings: Settings) -> str:
    """--db may be a URL or a plain file path; without it, the data folder's embedded file."""
    from wms_desk.db.engine import sqlite_url

    db = settings.db
    if db:
        return db if "://" in db else sqlite_url(Path(db).expanduser().resolve())
    name = DEMO_FILE if settings.demo else EMBEDDED_FILE
    return sqlite_url(settings.data_path / name)


def binding_overrides(settings: Settings) -> BindingOverrides:
    """The devices and printers this run's settings name (flag > env > config file)."""
    from wms_desk.services.station_bindings import BindingOverrides

    return BindingOverrides(
        scanner_url=settings.scanner_port,
        scanner_suffix=settings.scanner_suffix,
        scale_url=settings.scale_port,
        scale_protocol=settings.scale_protocol,
        label_printer=settings.label_printer,
        document_printer=settings.document_printer,
    )


@dataclass(frozen=True)
class Station:
    """This station once its database is open: where, which station, what is bound to it."""

    database: Database
    info: StationInfo
    bindings: StationBindings

    @property
    def system(self) -> ServiceContext:
        """The station itself acting (print worker, start-up work): never a signed-in user."""
        from wms_desk.services.context import ServiceContext, system_actor

        actor = system_actor(self.info.id, self.info.name)
        return ServiceContext(self.database, actor, self.bindings)

    def context_for(self, actor: Actor) -> ServiceContext:
        from wms_desk.services.context import ServiceContext

        return ServiceContext(self.database, actor, self.bindings)


def open_database(settings: Settings, prepare: bool = True) -> Database:
    """The database with its schema checked (embedded: upgraded; shared: only checked)."""
    from wms_desk.services.database import Database

    database = Database(resolve_database_url(settings))
    if prepare:
        database.prepare()
    return database


def open_station(settings: Settings, database: Database | None = None) -> Station:
    """Check (or, embedded, upgrade) the schema, register the station, resolve its bindings;
    in demo mode seed the demo database on first use. The GUI runs this on a worker."""
    from wms_desk.services.station_bindings import StationBindings
    from wms_desk.services.stations import ensure_station

    if database is None:
        database = open_database(settings)
    else:
        database.prepare()
    info = ensure_station(database, settings.station_name)
    if settings.demo:
        info = _prepare_demo(settings, database, info)
    bindings = StationBindings.resolve(info.bindings, binding_overrides(settings))
    return Station(database, info, bindings)


def _prepare_demo(settings: Settings, database: Database, info: StationInfo) -> StationInfo:
    from wms_desk.services.context import ServiceContext, system_actor
    from wms_desk.services.demo import has_catalogue, seed_demo
    from wms_desk.services.stations import merge_bindings

    system = ServiceContext(database, system_actor(info.id, info.name))
    if not has_catalogue(database):
        seed_demo(system)
    if "label_printer" in info.bindings:
        return info
    # Demo prints land as files you can open: no printer needed to try everything.
    prints = settings.data_path / "demo-prints"
    for folder in ("labels", "documents"):
        (prints / folder).mkdir(parents=True, exist_ok=True)
    return merge_bindings(
        system,
        info.id,
        {
            "label_printer": {"url": (prints / "labels").as_uri(), "format": "pdf", "dpi": 203},
            "document_printer": {"url": (prints / "documents").as_uri()},
        },
    )


def warm_up() -> None:
    """Load, on a worker while the first person signs in, what the first scan and the first
    COMPLETE would otherwise load while a packer waits: the GS1 parser, the packing and label
    services, the label renderers and their fonts (about 0.3 s, once per start); and argon2,
    for the first password typed."""
    import wms_desk.services.packing.finish
    import wms_desk.services.shipping.labels
    import wms_desk.services.shipping.rating  # noqa: F401
    from wms_desk.domain import scan
    from wms_desk.printing import fonts, pdf
    from wms_desk.services import auth

    auth.load_password_hasher()
    scan.warm_up()
    fonts.ensure_fonts()
    pdf.load_renderer()
