"""Typed declarative models; importing this package registers every table on `Base.metadata`."""

from wms_desk.db.models.audit import AuditEvent
from wms_desk.db.models.base import Base
from wms_desk.db.models.catalog import Bin, Product, ProductBarcode
from wms_desk.db.models.channels import Channel, CsvProfile
from wms_desk.db.models.orders import Order, OrderLine, OrderTag, Package, PickBatch
from wms_desk.db.models.outbox import OutboxMessage
from wms_desk.db.models.packing import (
    Carton,
    LineShortage,
    PackageItem,
    PackCapture,
    PackProgress,
    PickProgress,
    StationRule,
)
from wms_desk.db.models.people import AppSetting, Station, User
from wms_desk.db.models.printing import Counter, PrintJob
from wms_desk.db.models.reports import LedgerCheckpoint, LedgerCheckpointSum, ReportRollup
from wms_desk.db.models.returns import OrderNote, Refund, Rma, RmaLine, RmaUnit
from wms_desk.db.models.shipping import (
    CarrierAccount,
    PurchaseIntent,
    Shipment,
    ShipmentLabel,
    ShippingManifest,
    ShippingRuleSet,
    TrackingCounter,
)
from wms_desk.db.models.stock import BinStock, Reservation, StockMove
from wms_desk.db.models.tracking import Alert, ShipmentEvent

__all__ = [
    "Alert",
    "AppSetting",
    "AuditEvent",
    "Base",
    "Bin",
    "BinStock",
    "CarrierAccount",
    "Carton",
    "Channel",
    "Counter",
    "CsvProfile",
    "LedgerCheckpoint",
    "LedgerCheckpointSum",
    "LineShortage",
    "Order",
    "OrderLine",
    "OrderNote",
    "OrderTag",
    "OutboxMessage",
    "PackCapture",
    "PackProgress",
    "Package",
    "PackageItem",
    "PickBatch",
    "PickProgress",
    "PrintJob",
    "Product",
    "ProductBarcode",
    "PurchaseIntent",
    "Refund",
    "ReportRollup",
    "Reservation",
    "Rma",
    "RmaLine",
    "RmaUnit",
    "Shipment",
    "ShipmentEvent",
    "ShipmentLabel",
    "ShippingManifest",
    "ShippingRuleSet",
    "Station",
    "StationRule",
    "StockMove",
    "TrackingCounter",
    "User",
]
