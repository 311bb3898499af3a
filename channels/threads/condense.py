"""A condensed thread: the whole units that fit, chosen by rank, packed in reading order, never cut."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from channels.threads import split
from channels.threads.units import Atom, Unit, label

Packed = list[str]


def joins_before(previous: Unit | None, unit: Unit) -> str:
    """How a unit follows the one before it in a post: on the same line when they are neighbouring sentences of
    one paragraph, else after a blank line."""
    if previous is not None and previous.kind == unit.kind == "sentence" and previous.block == unit.block \
            and previous.order + 1 == unit.order:
        return " "
    return "\n\n"


def pack(
    opening: Atom, units: Sequence[Unit], closing: Atom | None, budget_for: Callable[[int], int],
    short: int | None = None,
) -> Packed | None:
    """Post texts: the opening, the units in reading order (a unit of several atoms moves to a new post whole when
    it fits one), then the closing; None when an atom fits no post. A `short` thread (of at most that many posts)
    keeps the closing's room in its last post and puts a one-sentence unit in the first post with room for it."""
    if opening.weight > budget_for(0):
        return None
    posts, weights = [opening.text], [opening.weight]
    kept = [split.plain_weight("\n\n") + closing.weight if closing is not None and short else 0]

    budgets: list[int] = []

    def room(index: int) -> int:
        while len(budgets) <= index:
            budgets.append(budget_for(len(budgets)))
        return budgets[index] - (kept[0] if index == (short or 0) - 1 else 0)

    def backfill(atom: Atom) -> bool:
        for index, weight in enumerate(weights):
            if posts[index] and weight + 2 + atom.weight <= room(index):
                posts[index] += "\n\n" + atom.text
                weights[index] += 2 + atom.weight
                return True
        return False

    def place(atom: Atom, joins: str, back: bool = False) -> bool:
        if back and backfill(atom):
            return True
        if posts[-1]:
            extra = split.plain_weight(joins) + atom.weight
            if weights[-1] + extra <= room(len(posts) - 1):
                posts[-1] += joins + atom.text
                weights[-1] += extra
                return True
            posts.append("")
            weights.append(0)
        if atom.weight > room(len(posts) - 1):
            return False
        posts[-1], weights[-1] = atom.text, atom.weight
        return True

    previous = None
    for unit in units:
        joins = joins_before(previous, unit)
        moves = weights[-1] + split.plain_weight(joins) + unit.weight > room(len(posts) - 1)
        if len(unit.atoms) > 1 and moves and unit.weight <= room(len(posts)):
            posts.append("")
            weights.append(0)
        for number, atom in enumerate(unit.atoms):
            if not place(atom, joins if number == 0 else atom.joins, bool(short) and len(unit.atoms) == 1):
                return None
        previous = unit
    kept[0] = 0
    if closing is not None and not place(closing, "\n\n"):
        return None
    return posts


def choose(
    opening: Atom, units: Sequence[Unit], closing: Atom | None, pinned: Sequence[Unit],
    budget_for: Callable[[int], int], most: int, short: bool = False,
) -> list[Unit]:
    """The units that fit `most` posts: pinned ones first, then by rank, each whole or not at all."""
    chosen: list[Unit] = []
    first = {unit.order for unit in pinned}
    capacity = sum(budget_for(index) for index in range(most)) - opening.weight - (closing.weight if closing else 0)
    used = 0
    for unit in sorted(units, key=lambda unit: (unit.order not in first, unit.rank, unit.order)):
        if used + unit.weight > capacity:
            continue  # cannot fit, however packed
        trial = sorted([*chosen, unit], key=lambda unit: unit.order)
        packed = pack(opening, trial, closing, budget_for, most if short else None)
        if packed is not None and len(packed) <= most:
            chosen, used = trial, used + unit.weight
    return chosen


def left_out(units: Sequence[Unit], chosen: Sequence[Unit], sections: Sequence[str], images: Sequence[str]) -> tuple[
        str, ...]:
    """What a reviewer should know the thread leaves out: whole sections, lists and quotes, images."""
    taken = {unit.order for unit in chosen}
    carried = {unit.section for unit in chosen}
    out = [f"section: {title}" for title in sections if title not in carried]
    gone = set(sections) - carried
    out += [f"{unit.kind}: {unit.label}" for unit in units
            if unit.order not in taken and unit.kind in ("list", "quote") and unit.section not in gone]
    out += [f"image: {label(alt)}" for alt in images]
    return tuple(out)
