"""What a queue action did, in a sentence naming the orders: the status line and the toast."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

# More numbers than this read as "1042, 1043, 1044, 1045, 1046 and 7 more".
MAX_NAMED = 5


class Act(Enum):
    HOLD = "put on hold"
    RELEASE = "released"
    CANCEL = "cancelled"
    PRIORITY = "priority"
    ASSIGN = "assigned"
    WAVE = "wave"
    SLIPS = "slips"
    PICK_LISTS = "pick lists"
    EXPORT = "exported"


@dataclass(frozen=True)
class Outcome:
    """The one-line message (status line), and a headline plus detail for the toast."""

    message: str
    headline: str
    detail: str


def named(numbers: Sequence[str]) -> str:
    """'1042', '1042 and 1043', '1042, 1043 and 1044', '1042, … and 7 more'."""
    shown = list(numbers[:MAX_NAMED])
    rest = len(numbers) - len(shown)
    if rest:
        return ", ".join(shown) + f" and {rest} more"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _orders(numbers: Sequence[str]) -> str:
    """'Order 1042' or '3 orders'."""
    return f"Order {numbers[0]}" if len(numbers) == 1 else f"{len(numbers)} orders"


def describe(
    act: Act, numbers: Sequence[str], note: str = "", target: str = "", count: int = 0
) -> Outcome:
    """The sentence for `act` done to the orders `numbers`.

    `note` is the reason given, `target` the priority, assignee, wave or file, `count` the
    print jobs or rows written when those differ from the orders.
    """
    who = _orders(numbers)
    which = named(numbers) if len(numbers) > 1 else ""
    if act in (Act.HOLD, Act.RELEASE, Act.CANCEL):
        headline = f"{who} {act.value}"
        message = headline + (f": {note}" if note else "")
    elif act is Act.PRIORITY:
        headline = f"{who}: priority set to {target}"
        message = headline
    elif act is Act.ASSIGN:
        headline = f"{who} assigned to {target or 'nobody'}"
        message = headline
    elif act is Act.WAVE:
        headline = f"Wave {target} created with {len(numbers)} order{'s' * (len(numbers) != 1)}"
        message = headline
    elif act in (Act.SLIPS, Act.PICK_LISTS):
        what = "packing slip" if act is Act.SLIPS else "pick list"
        headline = f"{count} {what}{'s' * (count != 1)} queued for the document printer"
        message = f"{headline} ({who.lower() if len(numbers) > 1 else who})"
    else:
        headline = f"{count:,} order{'s' * (count != 1)} written to {target}"
        message = headline
    detail = f"Orders {which}." if which else (f"Order {numbers[0]}." if numbers else "")
    if len(numbers) > 1 and act is not Act.EXPORT:
        message += f" — {which}"
    return Outcome(message, headline, detail if len(numbers) > 1 else note)
