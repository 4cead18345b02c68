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

    def __init__(
        self, role: str, permission: str, action: str = "", ask: str = "supervisor"
    ) -> None:
        self.role = role
        self.permission = permission
        self.action = action or permission.replace("_", " ")
        # "A packer may not count or adjust stock; ask a supervisor."
        super().__init__(f"{_a(role).capitalize()} may not {self.action}; ask {_a(ask)}.")


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"
