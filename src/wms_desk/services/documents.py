"""Document data from the database: label, slip, pick list, SSCC label, bin and badge cards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from wms_desk.db.models import (
    Bin,
    BinStock,
    Order,
    OrderLine,
    Package,
    PickBatch,
    Product,
    ProductBarcode,
    Reservation,
    User,
)
from wms_desk.db.models.base import utcnow
from wms_desk.domain.codes import (
    StationCommand,
    badge_barcode,
    code128_safe,
    command_barcode,
    order_barcode,
)
from wms_desk.domain.roles import Permission
from wms_desk.printing.model import (
    Address,
    BadgeCard,
    BinLabel,
    CommandCard,
    PackingSlip,
    PickLine,
    PickList,
    ProductLabel,
    ShippingLabel,
    SlipLine,
    SsccLabel,
)
from wms_desk.services.auth import hash_badge
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.order_detail import resolve_order
from wms_desk.services.print_queue import enqueue
from wms_desk.services.sscc import assign_sscc, next_sscc
from wms_desk.services.station_bindings import PrinterBinding
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work

NO_BIN = "—"
NO_BIN_SEQUENCE = 10**9  # lines with no bin at all are listed last


def company_address(settings: Any) -> Address:
    """Ship-from / slip header from settings: company_name and company_address ('|' lines)."""
    return Address(settings.company_name, lines=tuple(settings.company_address_lines))


def ship_to(order: Order) -> Address:
    streets = tuple(s for s in (order.ship_street1, order.ship_street2, order.ship_street3) if s)
    return Address(
        order.ship_name or order.customer_name,
        order.ship_company,
        streets,
        order.ship_city,
        order.ship_region,
        order.ship_postal_code,
        order.ship_country,
        order.ship_phone,
    )


def bill_to(order: Order) -> Address | None:
    b = order.bill_to or {}
    if not b.get("name"):
        return None
    streets = tuple(str(b[k]) for k in ("street1", "street2", "street3") if b.get(k))
    return Address(
        str(b.get("name", "")),
        str(b.get("company", "")),
        streets,
        str(b.get("city", "")),
        str(b.get("region", "")),
        str(b.get("postal_code", "")),
        str(b.get("country", "")),
    )


def find_order(session: Session, ref: str, channel: str | None = None) -> Order:
    """By order number (a scanned `ORD:` slip barcode works too), in `channel` when given;
    unknown -> NotFound, a number two channels use -> AmbiguousOrder naming them."""
    order_id = resolve_order(session, ref, channel)
    return session.scalars(
        select(Order)
        .where(Order.id == order_id)
        .options(selectinload(Order.lines), selectinload(Order.packages))
    ).one()


def _package(order: Order, seq: int | None) -> Package | None:
    if not order.packages:
        if seq not in (None, 1):
            raise NotFound(f"Order {order.number} has no packages yet, so no package {seq}.")
        return None
    if seq is None:
        return order.packages[0]
    for package in order.packages:
        if package.seq == seq:
            return package
    raise NotFound(f"Order {order.number} has packages 1-{len(order.packages)}, not {seq}.")


def provisional_reference(order: Order, seq: int) -> str:
    """`PRV-<number>-<seq>`, or `PRV-ID<id>-<seq>` when Code 128 cannot carry the number."""
    if code128_safe(order.number) and order.number.strip() == order.number:
        return f"PRV-{order.number}-{seq}"
    return f"PRV-ID{order.id}-{seq}"


def _label(order: Order, package: Package | None, ship_from: Address, today: date) -> ShippingLabel:
    seq = package.seq if package else 1
    tracking = package.tracking_number if package else None
    return ShippingLabel(
        ship_from=ship_from,
        ship_to=ship_to(order),
        service=order.requested_service or "STANDARD",
        order_number=order.number,
        ship_date=today,
        tracking_number=tracking or provisional_reference(order, seq),
        package_seq=seq,
        package_count=max(len(order.packages), 1),
        weight_g=package.weight_g if package else None,
        provisional=not tracking,
    )


@read_only
def shipping_label(
    session: Session,
    order_ref: str,
    package_seq: int | None,
    ship_from: Address,
    today: date | None = None,
    channel: str | None = None,
) -> ShippingLabel:
    """Until carriers exist the tracking number is a provisional reference, marked as such."""
    order = find_order(session, order_ref, channel)
    return _label(order, _package(order, package_seq), ship_from, today or utcnow().date())


def _shipped(line: OrderLine) -> int:
    """What really goes in this shipment: what was packed (0 before packing, never a guess)."""
    return line.packed_qty


def _bins(session: Session, line_ids: Sequence[int]) -> dict[int, list[tuple[Bin, int]]]:
    rows = session.execute(
        select(Reservation.order_line_id, Bin, Reservation.qty)
        .join(Bin, Bin.id == Reservation.bin_id)
        .where(Reservation.order_line_id.in_(list(line_ids)))
    )
    out: dict[int, list[tuple[Bin, int]]] = {}
    for line_id, bin_, qty in rows:
        out.setdefault(line_id, []).append((bin_, qty))
    return out


@read_only
def packing_slip(
    session: Session,
    order_ref: str,
    company: Address,
    today: date | None = None,
    channel: str | None = None,
) -> PackingSlip:
    order = find_order(session, order_ref, channel)
    return _slip(session, order, company, today or utcnow().date())


@read_only
def packing_slip_pdf_for(
    session: Session, order_id: int, company: Address, paper: str = "letter"
) -> bytes:
    """The slip an order's print job would carry, rendered: for a preview before printing."""
    from wms_desk.printing.slip import packing_slip_pdf

    order = _order_by_id(session, order_id)
    return packing_slip_pdf(_slip(session, order, company, utcnow().date()), paper)


def _slip_bin(
    line: OrderLine, reserved: dict[int, list[tuple[Bin, int]]], best: dict[int, Bin]
) -> str:
    """The bins reserved for the line, else the product's best bin to pick from."""
    places = reserved.get(line.id)
    if places:
        return ", ".join(b.code for b, _ in places)
    stocked = best.get(line.product_id or -1)
    return stocked.code if stocked else ""


def _slip(session: Session, order: Order, company: Address, today: date) -> PackingSlip:
    bins = _bins(session, [line.id for line in order.lines])
    best = _stock_bins(session, {line.product_id for line in order.lines if line.product_id})
    lines = tuple(
        SlipLine(
            line.sku or "",
            line.name,
            _slip_bin(line, bins, best),
            line.qty,
            _shipped(line),
            line.unit_price,
        )
        for line in order.lines
    )
    return PackingSlip(
        company=company,
        order_number=order.number,
        order_barcode=order_barcode(order.number, order.id),
        order_date=order.ordered_at.date() if order.ordered_at else None,
        ship_date=today,
        ship_to=ship_to(order),
        bill_to=bill_to(order),
        lines=lines,
        gift=order.is_gift,
        gift_message=order.gift_message,
        currency=order.currency,
        subtotal=order.subtotal,
        shipping=order.shipping_total,
        tax=order.tax_total,
        total=order.total,
        service=order.requested_service,
        before_packing=not any(line.packed_qty for line in order.lines),
    )


def _product_codes(session: Session, product_ids: set[int]) -> dict[int, str]:
    """The code to scan for each product: its single-unit barcode, else its SKU."""
    codes: dict[int, str] = {}
    rows = session.execute(
        select(ProductBarcode.product_id, ProductBarcode.code)
        .where(ProductBarcode.product_id.in_(list(product_ids)), ProductBarcode.quantity == 1)
        .order_by(ProductBarcode.id)
    )
    for product_id, code in rows:
        codes.setdefault(product_id, code)
    return codes


def _stock_bins(session: Session, product_ids: set[int]) -> dict[int, Bin]:
    """Per product, the bin earliest in the pick walk with stock not yet reserved."""
    rows = session.execute(
        select(BinStock.product_id, Bin)
        .join(Bin, Bin.id == BinStock.bin_id)
        .where(
            BinStock.product_id.in_(list(product_ids)),
            BinStock.on_hand > BinStock.reserved,
            Bin.active.is_(True),
        )
        .order_by(Bin.pick_sequence, Bin.code)
    )
    found: dict[int, Bin] = {}
    for product_id, bin_ in rows:
        found.setdefault(product_id, bin_)
    return found


def _pick_lines(session: Session, orders: Sequence[Order]) -> tuple[PickLine, ...]:
    all_lines = [(o, line) for o in orders for line in o.lines if line.pickable]
    bins = _bins(session, [line.id for _, line in all_lines])
    codes = _product_codes(session, {line.product_id for _, line in all_lines if line.product_id})
    stock = _stock_bins(session, {line.product_id for _, line in all_lines if line.product_id})
    out = []
    for order, line in all_lines:
        code = codes.get(line.product_id or -1) or line.sku or ""
        remaining = line.qty - line.picked_qty
        if remaining <= 0:
            continue
        places = bins.get(line.id) or []
        if not places:  # not allocated yet: send the picker to the first bin holding it
            stocked = stock.get(line.product_id or -1)
            out.append(
                PickLine(
                    stocked.code if stocked else NO_BIN,
                    stocked.pick_sequence if stocked else NO_BIN_SEQUENCE,
                    line.sku or "",
                    code,
                    line.name,
                    remaining,
                    order.number,
                    order.tote or "",
                )
            )
        for bin_, qty in places:
            out.append(
                PickLine(
                    bin_.code,
                    bin_.pick_sequence,
                    line.sku or "",
                    code,
                    line.name,
                    qty,
                    order.number,
                    order.tote or "",
                )
            )
    return tuple(out)


def pick_list_data(
    session: Session, ref: str, now: datetime | None = None, channel: str | None = None
) -> PickList:
    """In the caller's session: `ref` is a batch name (wave) or an order number."""
    ref = ref.strip()
    batch = None if channel else session.scalar(select(PickBatch).where(PickBatch.name == ref))
    if batch is None:
        order = find_order(session, ref, channel)
        return PickList(
            f"Order {order.number}",
            now or utcnow(),
            _pick_lines(session, [order]),
            order_barcodes=((order.number, order_barcode(order.number, order.id), ""),),
        )
    orders = list(
        session.scalars(
            select(Order)
            .where(Order.batch_id == batch.id)
            .order_by(Order.tote, Order.number)
            .options(selectinload(Order.lines))
        )
    )
    if not orders:
        raise NotFound(f"Batch {batch.name} has no orders.")
    return PickList(
        f"Batch {batch.name} ({len(orders)} orders)",
        now or utcnow(),
        _pick_lines(session, orders),
        batch.name,
        tuple((o.number, order_barcode(o.number, o.id), o.tote or "") for o in orders),
    )


# The same, in a read session of its own (CLI, screens).
pick_list = read_only(pick_list_data)


@unit_of_work()
def sscc_label(
    uow: UnitOfWork,
    order_ref: str,
    package_seq: int | None,
    ship_from: Address,
    company_prefix: str,
    today: date | None = None,
    channel: str | None = None,
) -> SsccLabel:
    """Assigns the package's SSCC on first print (stored, so reprints match)."""
    order = find_order(uow.session, order_ref, channel)
    package = _package(order, package_seq)
    if package is not None:
        sscc = assign_sscc(uow, package, company_prefix)
    else:  # nothing packed yet: a fresh number, recorded in the audit log only
        sscc = next_sscc(uow.session, company_prefix)
        uow.audit("sscc.allocated", "order", order.id, after={"sscc": sscc})
    return SsccLabel(
        sscc,
        ship_from,
        ship_to(order),
        order.number,
        today or uow.now.date(),
        package.seq if package else 1,
        max(len(order.packages), 1),
        package.weight_g if package else None,
    )


@read_only
def bin_labels(session: Session, zone: str | None = None) -> list[BinLabel]:
    query = select(Bin).where(Bin.active.is_(True)).order_by(Bin.pick_sequence, Bin.code)
    if zone:
        query = query.where(Bin.zone == zone)
    return [BinLabel(b.code, b.zone) for b in session.scalars(query)]


@read_only
def product_labels(session: Session, skus: Sequence[str]) -> list[ProductLabel]:
    products = session.scalars(select(Product).where(Product.sku.in_(list(skus))))
    found = {p.sku: p for p in products}
    missing = [s for s in skus if s not in found]
    if missing:
        raise NotFound(f"Unknown SKU(s): {', '.join(missing)}")
    codes = _product_codes(session, {p.id for p in found.values()})
    return [ProductLabel(s, found[s].name, codes.get(found[s].id, s)) for s in skus]


@unit_of_work(Permission.MANAGE_USERS)
def badge_card(uow: UnitOfWork, user_id: int, badge_code: str, company: str = "") -> BadgeCard:
    """A badge card for a code being issued: only the code's keyed hash is stored, so the
    caller passes the code and we check it belongs to this user before printing it."""
    user = uow.session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} does not exist.")
    if not user.badge_hash or hash_badge(uow.session, badge_code) != user.badge_hash:
        raise ValidationFailed(f"That badge code is not {user.username}'s badge.")
    uow.audit("user.badge_printed", "user", user.id)
    return BadgeCard(
        user.display_name, user.username, user.role, badge_barcode(badge_code), company
    )


# -- enqueue from the caller's unit of work (the outbox) ---------------------------------


def enqueue_shipping_label(
    uow: UnitOfWork,
    order_id: int,
    package_seq: int | None,
    printer: PrinterBinding,
    ship_from: Address,
) -> str:
    """Render the package's label for `printer` and queue it with the caller's change."""
    from wms_desk.printing.label import shipping_label_pdf, shipping_label_zpl

    order = _order_by_id(uow.session, order_id)
    package = _package(order, package_seq)
    data = _label(order, package, ship_from, uow.now.date())
    payload = (
        shipping_label_zpl(data, printer.dpi)
        if printer.format == "zpl"
        else shipping_label_pdf(data)
    )
    return enqueue(
        uow,
        document="label",
        payload=payload,
        fmt=printer.format,
        printer_url=printer.url,
        title=f"Label {order.number} {data.package_seq}/{data.package_count}",
        order_id=order.id,
        package_id=package.id if package else None,
    )


def enqueue_packing_slip(
    uow: UnitOfWork,
    order_id: int,
    printer: PrinterBinding,
    company: Address,
    paper: str = "letter",
) -> str:
    from wms_desk.printing.slip import packing_slip_pdf

    order = _order_by_id(uow.session, order_id)
    data = _slip(uow.session, order, company, uow.now.date())
    return enqueue(
        uow,
        document="slip",
        payload=packing_slip_pdf(data, paper),
        fmt="pdf",
        printer_url=printer.url,
        title=f"Packing slip {order.number}",
        order_id=order.id,
    )


def _order_by_id(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.")
    return order


def command_card(title: str = "Pack station commands") -> CommandCard:
    return CommandCard(title, tuple((c.label, command_barcode(c)) for c in StationCommand))
