"""wms_desk: a Qt desktop client for pick, pack, ship and returns at packing stations."""

__version__ = "0.1.0"
