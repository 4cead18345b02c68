"""Codes for the demo scan pad: a few product barcodes, and orders ready to pick and to pack."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import Order, Product, ProductBarcode
from wms_desk.domain.roles import Permission
from wms_desk.domain.station_rules import Operation
from wms_desk.services import claims
from wms_desk.services.context import ServiceContext
from wms_desk.services.uow import read_only


@dataclass(frozen=True)
class ProductCode:
    code: str
    sku: str
    name: str
    product_id: int


@dataclass(frozen=True)
class DemoCodes:
    products: tuple[ProductCode, ...]  # unit barcodes, to scan a wrong item with
    to_pack: tuple[str, ...]  # order numbers
    to_pick: tuple[str, ...]


@read_only
def _codes(session: Session, limit: int, skus: tuple[str, ...]) -> DemoCodes:
    query = (
        select(ProductBarcode.code, Product.sku, Product.name, Product.id)
        .join(Product, Product.id == ProductBarcode.product_id)
        .where(ProductBarcode.quantity == 1)
    )
    wanted = session.execute(query.where(Product.sku.in_(skus))).all() if skus else []
    products = [*wanted, *session.execute(query.order_by(Product.id).limit(limit * 4)).all()]

    def orders(operation: Operation) -> tuple[str, ...]:
        return tuple(
            session.scalars(
                select(Order.number)
                .where(
                    Order.status.in_(claims.ELIGIBLE[operation]),
                    Order.claimed_by_station_id.is_(None),
                )
                .order_by(Order.priority.desc(), Order.id)
                .limit(limit)
            )
        )

    return DemoCodes(
        tuple(ProductCode(*row) for row in products),
        orders(Operation.PACK),
        orders(Operation.PICK),
    )


def demo_codes(ctx: ServiceContext, skus: tuple[str, ...] = (), limit: int = 5) -> DemoCodes:
    """What the demo scan pad offers besides the screen's own codes (read only): the unit
    barcodes of `skus` (what the pick screen asks for) and a few others."""
    ctx.actor.require(Permission.PICK_AND_PACK)
    return _codes(ctx, limit, skus)
