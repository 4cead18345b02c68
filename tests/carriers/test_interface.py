"""Every adapter speaks the one Carrier interface and says what it supports."""

from __future__ import annotations

from datetime import timedelta

from wms_desk.carriers import Carrier, LabelFormat
from wms_desk.carriers.easypost import EasyPostCarrier, EasyPostConfig
from wms_desk.carriers.manual import ManualCarrier
from wms_desk.carriers.rate_card import MemorySerialSource, RateCardCarrier
from wms_desk.carriers.secrets import ApiKeySource
from wms_desk.domain.rates import RateCard


def test_all_adapters_are_carriers_with_capabilities(card: RateCard) -> None:
    adapters = [
        RateCardCarrier(card, MemorySerialSource()),
        EasyPostCarrier(EasyPostConfig(ApiKeySource("WMS_DESK_UNSET_KEY"))),
        ManualCarrier(),
    ]
    assert all(isinstance(a, Carrier) for a in adapters)
    caps = {a.code: a.capabilities() for a in adapters}
    assert caps["NORDPOST-2026"].label_formats == {LabelFormat.PDF, LabelFormat.ZPL}
    assert caps["easypost"].void_window == timedelta(days=30)
    assert not caps["easypost"].offline and caps["manual"].offline
    assert caps["manual"].label_formats == {LabelFormat.NONE}
