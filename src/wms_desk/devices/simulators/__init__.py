"""Simulated scales and scanners on pseudo-terminals or TCP, for users, demos and tests."""
