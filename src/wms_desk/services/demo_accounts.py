"""The demo's sample accounts, light enough for the login window to show before the DB loads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    password: str
    badge: str


# Shown on the login screen in demo mode only; never created outside `seed_demo`.
DEMO_USERS = (
    DemoUser("pat", "Pat Packer", "packer", "packer123", "PACK-0001"),
    DemoUser("sam", "Sam Supervisor", "supervisor", "super123", "SUPV-0001"),
    DemoUser("ada", "Ada Admin", "admin", "admin123", "ADMN-0001"),
)
