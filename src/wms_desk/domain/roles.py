"""Roles and what each may do; services ask `require()` before they change anything."""

from __future__ import annotations

from enum import StrEnum

from wms_desk.domain.errors import PermissionDenied


class Role(StrEnum):
    PACKER = "packer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Permission(StrEnum):
    PICK_AND_PACK = "pick_and_pack"
    # Take over another station's work, short a line, approve an off weight, confirm by hand.
    OVERRIDE_PACKING = "override_packing"
    VIEW_QUEUE = "view_queue"
    HOLD_ORDERS = "hold_orders"
    CANCEL_ORDERS = "cancel_orders"
    IMPORT_ORDERS = "import_orders"
    EDIT_STOCK = "edit_stock"
    REPRINT = "reprint"
    CHANGE_SETTINGS = "change_settings"
    MANAGE_USERS = "manage_users"
    MANAGE_STATIONS = "manage_stations"


_PACKER = frozenset({Permission.PICK_AND_PACK})
_SUPERVISOR = _PACKER | {
    Permission.VIEW_QUEUE,
    Permission.HOLD_ORDERS,
    Permission.CANCEL_ORDERS,
    Permission.IMPORT_ORDERS,
    Permission.EDIT_STOCK,
    Permission.REPRINT,
    Permission.CHANGE_SETTINGS,
    Permission.OVERRIDE_PACKING,
}
_ADMIN = _SUPERVISOR | {Permission.MANAGE_USERS, Permission.MANAGE_STATIONS}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PACKER: _PACKER,
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.ADMIN: frozenset(_ADMIN),
}


def can(role: Role | str, permission: Permission) -> bool:
    return permission in PERMISSIONS[Role(role)]


def require(role: Role | str, permission: Permission) -> None:
    if not can(role, permission):
        raise PermissionDenied(Role(role).value, permission.value)
