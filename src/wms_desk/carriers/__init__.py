"""Carrier adapters behind one interface (rates, labels, tracking, void, manifests).

Not built yet: until it is, labels show the order's requested service and a provisional
reference (see printing). The interface will live here so services never name a carrier.
"""
