"""Domain errors: each says what was refused and why, in words a packer can act on."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused an action."""


class IllegalTransition(DomainError):
    """An order cannot move from one status to another."""

    def __init__(self, current: str, target: str, reason: str = "") -> None:
        self.current = current
        self.target = target
        message = f"An order cannot go from '{current}' to '{target}'"
        message += f": {reason}" if reason else "."
        super().__init__(message)


class PermissionDenied(DomainError):
    """The signed-in user's role does not allow an action."""

    def __init__(self, role: str, permission: str) -> None:
        self.role = role
        self.permission = permission
        super().__init__(
            f"A {role} may not {permission.replace('_', ' ')}. Ask a supervisor to do it."
        )
