"""Fixtures the CLI tests share with other folders."""

from tests.printing.conftest import make_order

__all__ = ["make_order"]
