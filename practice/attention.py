"""What staff should look at first: the “Needs attention” box on the admin's index page.

Each app contributes its checks from its AppConfig.ready(). A check takes the user and
returns an AttentionItem, or None when there is nothing to see or the user may not see it.
This module knows no app.
"""

from dataclasses import dataclass

# The box's order: what keeps a patient waiting, then what went wrong, then upkeep.
PATIENTS_WAITING = 0
FAILURES = 1
UPKEEP = 2


@dataclass(frozen=True)
class AttentionItem:
    message: str
    url: str


CHECKS = []


def register(check, *, order):
    """Show what `check(user)` finds in the box, among the checks of the same `order`
    in the order they were registered."""
    if all(registered is not check for _, registered in CHECKS):
        CHECKS.append((order, check))


def attention_items(user):
    ordered = sorted(CHECKS, key=lambda entry: entry[0])
    return [item for _, check in ordered if (item := check(user))]
