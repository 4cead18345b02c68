"""Stations and users."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from wms_desk.db.models.base import Base, utcnow


class Station(Base):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    # Device and printer bindings for this station: {"scanner": {...}, "scale": {...}, ...}
    bindings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('packer', 'supervisor', 'admin', 'service')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # Keyed hash (HMAC) of the badge code: a badge is a bearer credential, never stored in clear.
    badge_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class AppSetting(Base):
    """Database-wide settings every station shares (the badge-hash key, company details)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SignInThrottle(Base):
    """Failed sign-ins in a row for one user name or one station; after a few, tries must wait."""

    __tablename__ = "sign_in_throttles"
    __table_args__ = (CheckConstraint("scope IN ('user', 'station')", name="scope"),)

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    # The user name as typed (lower case; unknown names too, so probing them is slowed alike),
    # or the station id.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
