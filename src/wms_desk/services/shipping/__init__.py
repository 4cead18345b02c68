"""Shipping services: carrier accounts, rate shop, labels, void, manifests, handover."""
