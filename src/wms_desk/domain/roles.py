"""Roles and what each may do; services ask `require()` before they change anything."""

from __future__ import annotations

from enum import StrEnum

from wms_desk.domain.errors import PermissionDenied


class Role(StrEnum):
    PACKER = "packer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    SERVICE = "service"  # customer service: the service desk and RMAs, no warehouse work


class Permission(StrEnum):
    PICK_AND_PACK = "pick_and_pack"
    # Look up products, stock per bin and the ledger (read-only): a packer needs to find items.
    VIEW_STOCK = "view_stock"
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
    LOOK_UP_ORDERS = "look_up_orders"
    CREATE_RMAS = "create_rmas"
    ADD_NOTES = "add_notes"
    # Ship-to address and holds, only while packing has not started.
    AMEND_ORDERS = "amend_orders"
    RECEIVE_RETURNS = "receive_returns"
    RESOLVE_RETURNS = "resolve_returns"
    # Reports and their exports: throughput per packer is a supervisor's view.
    VIEW_REPORTS = "view_reports"


# What each permission lets a user do, in the words a refusal uses ("A packer may not ...").
ACTIONS: dict[Permission, str] = {
    Permission.PICK_AND_PACK: "pick, pack or ship orders",
    Permission.VIEW_STOCK: "look up products and stock",
    Permission.OVERRIDE_PACKING: "take over, short or approve other people's picking and packing",
    Permission.VIEW_QUEUE: "view the order queue",
    Permission.HOLD_ORDERS: "hold, release, prioritise, assign or wave orders",
    Permission.CANCEL_ORDERS: "cancel orders",
    Permission.IMPORT_ORDERS: "import orders, products or stock",
    Permission.EDIT_STOCK: "count or adjust stock",
    Permission.REPRINT: "reprint labels or documents",
    Permission.CHANGE_SETTINGS: "change this station's settings",
    Permission.MANAGE_USERS: "manage users",
    Permission.MANAGE_STATIONS: "manage stations",
    Permission.LOOK_UP_ORDERS: "look up orders at the service desk",
    Permission.CREATE_RMAS: "create returns (RMAs)",
    Permission.ADD_NOTES: "add notes to orders",
    Permission.AMEND_ORDERS: "change an order's address or hold it",
    Permission.RECEIVE_RETURNS: "receive or inspect returns",
    Permission.RESOLVE_RETURNS: "refund, credit or exchange returns",
    Permission.VIEW_REPORTS: "view or export reports",
}

# The returns station is a warehouse screen packers see: they receive and inspect returns.
_PACKER = frozenset({Permission.PICK_AND_PACK, Permission.VIEW_STOCK, Permission.RECEIVE_RETURNS})
_SUPERVISOR = _PACKER | {
    Permission.VIEW_QUEUE,
    Permission.HOLD_ORDERS,
    Permission.CANCEL_ORDERS,
    Permission.IMPORT_ORDERS,
    Permission.EDIT_STOCK,
    Permission.REPRINT,
    Permission.CHANGE_SETTINGS,
    Permission.OVERRIDE_PACKING,
    Permission.LOOK_UP_ORDERS,
    Permission.CREATE_RMAS,
    Permission.ADD_NOTES,
    Permission.AMEND_ORDERS,
    Permission.RESOLVE_RETURNS,
    Permission.VIEW_REPORTS,
}
_SERVICE = frozenset(
    {
        Permission.LOOK_UP_ORDERS,
        Permission.CREATE_RMAS,
        Permission.ADD_NOTES,
        Permission.AMEND_ORDERS,
        Permission.RESOLVE_RETURNS,
    }
)
_ADMIN = _SUPERVISOR | {Permission.MANAGE_USERS, Permission.MANAGE_STATIONS}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PACKER: _PACKER,
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.ADMIN: frozenset(_ADMIN),
    Role.SERVICE: _SERVICE,
}


def can(role: Role | str, permission: Permission) -> bool:
    return permission in PERMISSIONS[Role(role)]


def who_may(permission: Permission) -> Role:
    """The least senior role allowed `permission`: whom a refused user should ask."""
    return next(role for role in Role if permission in PERMISSIONS[role])


def require(role: Role | str, permission: Permission) -> None:
    if not can(role, permission):
        raise PermissionDenied(
            Role(role).value, permission.value, ACTIONS[permission], who_may(permission).value
        )
