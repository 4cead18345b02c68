"""Scale protocols, one module each, behind one driver interface; `create_scale` picks one."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

PROTOCOL_MODULES = {
    "mt-sics": ("wms_desk.devices.scales.mt_sics", "MtSicsScale"),
    "nci": ("wms_desk.devices.scales.nci", "NciScale"),
    "toledo-continuous": ("wms_desk.devices.scales.toledo", "ToledoContinuousScale"),
    "cas": ("wms_desk.devices.scales.cas", "CasScale"),
    "regex": ("wms_desk.devices.scales.regex", "RegexScale"),
}
PROTOCOLS = tuple(PROTOCOL_MODULES)


def protocol_module(protocol: str) -> ModuleType:
    """The module holding a protocol's parser and its simulator encoder."""
    if protocol not in PROTOCOL_MODULES:
        raise ValueError(f"unknown scale protocol {protocol!r}; known: {', '.join(PROTOCOLS)}")
    return importlib.import_module(PROTOCOL_MODULES[protocol][0])


def driver_class(protocol: str) -> Any:
    return getattr(protocol_module(protocol), PROTOCOL_MODULES[protocol][1])


def create_scale(
    protocol: str,
    on_reading: Callable[[Any], None],
    options: Any = None,
    *,
    pattern: str | None = None,
    unit: str | None = None,
    request: str | None = None,
    checksum: bool | None = None,
) -> Any:
    """A ScaleDriver for the protocol. The regex protocol takes its pattern, unit and request;
    toledo-continuous takes checksum=False for terminals that send 17-byte frames."""
    cls = driver_class(protocol)
    if protocol == "toledo-continuous" and checksum is not None:
        return cls(on_reading, options, with_checksum=bool(checksum))
    if protocol != "regex":
        return cls(on_reading, options)
    extra: dict[str, Any] = {}
    if pattern:
        extra["pattern"] = pattern
    if unit:
        extra["unit"] = unit
    if request:
        extra["request"] = request.encode("latin-1").decode("unicode_escape").encode("latin-1")
    return cls(on_reading, options, **extra)


def scale_from_binding(
    binding: dict[str, Any], on_reading: Callable[[Any], None]
) -> tuple[Any, Any]:
    """(driver, PortSettings) for a station's `scale` binding; protocol defaults fill the gaps."""
    from decimal import Decimal

    from wms_desk.devices.scales.base import ScaleOptions
    from wms_desk.devices.transport import PortSettings

    protocol = str(binding.get("protocol") or "mt-sics")
    # Optional keys for scales without a stable flag: N equal readings within a tolerance.
    options = ScaleOptions(
        stable_count=int(binding.get("stable_count") or 3),
        tolerance_g=Decimal(str(binding.get("tolerance_g") or 0)),
    )
    driver = create_scale(
        protocol,
        on_reading,
        options,
        pattern=binding.get("pattern"),
        unit=binding.get("unit"),
        request=binding.get("request"),
        checksum=binding.get("checksum"),
    )
    settings = PortSettings.from_binding(binding, driver.port_defaults)
    return driver, settings
