"""Rules every imported order must meet before it is stored, whichever source it came from."""

from __future__ import annotations

from collections.abc import Collection

from wms_desk.channels.records import OrderRecord, RecordError, short

# ISO 3166-1 alpha-2, so a typo or a country name is caught at import, not at the carrier.
_CODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM
DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS
GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ
MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV
SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI
VN VU WF WS XK YE YT ZA ZM ZW
"""
_ISO_COUNTRIES = frozenset(_CODES.split())


def is_country_code(code: str) -> bool:
    return code in _ISO_COUNTRIES


def needs_ship_to(record: OrderRecord, digital_skus: Collection[str] = ()) -> bool:
    """The order still has physical goods to send (not cancelled, not fulfilled already)."""
    return not (record.cancelled or record.fulfilled) and any(
        line.sku and line.requires_shipping and line.sku not in digital_skus
        for line in record.lines
    )


def lacks_ship_to(record: OrderRecord, digital_skus: Collection[str] = ()) -> bool:
    """Goods to send and no address: held for review (a pickup, or an address to add)."""
    blank = record.ship_to is None or record.ship_to.is_blank
    return blank and needs_ship_to(record, digital_skus)


def validate_order(
    record: OrderRecord,
    known_skus: Collection[str] | None = None,
    digital_skus: Collection[str] = (),
) -> list[RecordError]:
    """Every problem with one order, each naming the field; empty when it may be stored."""
    problems: list[str] = []
    if not record.external_id.strip():
        problems.append("order id is missing")
    if not record.lines:
        problems.append("the order has no lines")
    seen_line_ids: dict[str, int] = {}
    for line in record.lines:
        label = f"line {line.line_no}" + (f" (SKU {short(line.sku)})" if line.sku else "")
        if not isinstance(line.qty, int) or line.qty <= 0:
            problems.append(f"{label}: quantity {short(str(line.qty))!r} is not a positive integer")
        if line.external_line_id:
            first = seen_line_ids.setdefault(line.external_line_id, line.line_no)
            if first != line.line_no:
                line_id = short(line.external_line_id)
                problems.append(f"{label}: duplicate line: line id {line_id} is also line {first}")
        if line.sku and known_skus is not None and line.sku not in known_skus:
            problems.append(f"{label}: unknown SKU {short(line.sku)!r}; import the product first")
    # A missing address holds the order (lacks_ship_to); an address without a country cannot
    # be shipped to or guessed.
    ship_to = record.ship_to
    has_street = ship_to is not None and not ship_to.is_blank
    if (
        has_street
        and ship_to is not None
        and not ship_to.country
        and needs_ship_to(record, digital_skus)
    ):
        problems.append("ship-to country is missing")
    country = record.ship_to.country if record.ship_to is not None else ""
    if country and not is_country_code(country):
        problems.append(f"ship-to country {short(country)!r} is not an ISO two-letter code")
    return [RecordError(record.ref, problem) for problem in problems]
