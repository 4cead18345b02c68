"""What the Reports filter bar offers: channels, carriers, stations and packers by name."""

from __future__ import annotations

from dataclasses import dataclass

from wms_desk.services.context import ServiceContext

Choice = tuple[str, str]  # (what the filter takes, what the person reads)


@dataclass(frozen=True)
class ReportChoices:
    channels: tuple[Choice, ...]
    carriers: tuple[Choice, ...]
    stations: tuple[Choice, ...]
    packers: tuple[Choice, ...]


def load_choices(ctx: ServiceContext) -> ReportChoices:
    """Runs on a worker: the names the report filters take (a packer by username, shown by
    display name), from the queue's choices, the carrier accounts and the users (short reads)."""
    from wms_desk.services.queue import filter_choices
    from wms_desk.services.shipping.accounts import list_carriers
    from wms_desk.services.users import list_users

    choices = filter_choices(ctx)
    users = sorted((u for u in list_users(ctx) if u.active), key=lambda u: u.display_name)
    return ReportChoices(
        tuple((name, name) for _id, name in choices.channels),
        tuple((c.code, f"{c.name} ({c.code})" if c.name else c.code) for c in list_carriers(ctx)),
        tuple((name, name) for _id, name in choices.stations),
        tuple((u.username, f"{u.display_name} ({u.username})") for u in users),
    )
