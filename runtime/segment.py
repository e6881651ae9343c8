"""Segmentation: a drawing of a number -> one group of ink per digit, left to right.

The pad knows the strokes: each stroke is a piece, and pieces whose horizontal extents overlap
enough belong to one digit, whenever they were written (a 7's crossbar or a 5's flag added after
the next digit still lands on its own digit), while neighbours that merely touch or overlap a
little stay apart. Image files have no strokes: their pieces are the connected components of the
ink, grouped the same way; a frame around the writing (a box on a form) is dropped. Specks, tiny
next to the writing, are dropped too: a dot is not a digit.

Everything is measured in the writing's own line height, so the rules hold at any size.
"""

from dataclasses import dataclass

import numpy as np

SPECK = 0.12  # a piece smaller than this share of the line height (both ways) is a speck
MIN_WIDTH = 0.25  # a piece narrower than this share of the line height counts as this wide
OVERLAP = 0.35  # pieces merge when their x-ranges overlap by this share of the narrower one
LINE_GAP = 0.5  # ...and when they are no further apart vertically than this share of the line
TALL = 0.5  # the line height is the median height of pieces at least this share of the tallest
SHORT = 0.4  # a piece shorter than this share of the line height that overlaps nothing...
ATTACH = 0.25  # ...joins the nearest digit if it is at most this share of the line height away
TOUCH = 0.1  # strokes that come this close (share of the line height) belong to one digit
FRAME_FILL = 0.5  # a component enclosing others, with less of its box inked than this, is a frame


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in the input's pixels: left, top, right, bottom (right/bottom
    exclusive for images, the extreme pen positions for strokes)."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def union(self, other: "Box") -> "Box":
        return Box(
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )

    def contains(self, other: "Box") -> bool:
        return (
            self.left <= other.left
            and self.top <= other.top
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def as_xywh(self) -> list[int]:
        """[x, y, w, h] in whole pixels, for the JSON contract."""
        left, top = int(np.floor(self.left)), int(np.floor(self.top))
        return [left, top, int(np.ceil(self.right)) - left, int(np.ceil(self.bottom)) - top]


def group(boxes: list[Box], touching: set[tuple[int, int]] = frozenset()) -> list[list[int]]:
    """The indices of the pieces of each digit, digits left to right; specks outside every
    digit are left out.

    Pieces that touch (`touching`: pairs of indices, for strokes that cross or meet, as a 4's
    two strokes do) are one digit, and so are pieces whose horizontal extents overlap enough.
    A piece much shorter than the line that is still alone (a 5's flag written to the right of
    its stem, a 7's bar) joins the digit it touches or nearly touches.
    """
    if not boxes:
        return []
    height = line_height(boxes)
    kept = [i for i, box in enumerate(boxes) if max(box.width, box.height) >= SPECK * height]
    groups = _connected(kept, touching)
    spans = [span_of(boxes, members) for members in groups]

    def merge(a: int, b: int) -> None:
        groups[a] += groups.pop(b)
        spans[a] = spans[a].union(spans.pop(b))

    while pair := _overlapping(spans, height):
        merge(*pair)
    while pair := _short_and_near(spans, height):
        merge(*pair)
    for speck in sorted(set(range(len(boxes))) - set(kept)):
        inside = [g for g, span in enumerate(spans) if span.contains(boxes[speck])]
        if inside:  # a smiley's eye, not a stray dot
            groups[inside[0]].append(speck)
    order = sorted(range(len(spans)), key=lambda g: spans[g].left + spans[g].right)
    return [sorted(groups[g]) for g in order]


def line_height(boxes: list[Box]) -> float:
    """The height of a digit in this writing: the median height of its taller pieces (a 7's
    crossbar or a dot says nothing about it)."""
    heights = np.array([box.height for box in boxes])
    tallest = float(heights.max())
    if tallest <= 0:
        return max(max(box.width for box in boxes), 1.0)
    return float(np.median(heights[heights >= TALL * tallest]))


def _overlapping(spans: list[Box], height: float) -> tuple[int, int] | None:
    """The first pair of spans that belong to one digit by their overlap, if any."""
    for a in range(len(spans)):
        for b in range(a + 1, len(spans)):
            if _same_digit(spans[a], spans[b], height):
                return a, b
    return None


def _short_and_near(spans: list[Box], height: float) -> tuple[int, int] | None:
    """The closest pair of a short span and another span within ATTACH of the line height."""
    pairs = [
        (_gap(spans[short], spans[other]), min(short, other), max(short, other))
        for short in range(len(spans))
        if spans[short].height < SHORT * height
        for other in range(len(spans))
        if other != short
    ]
    if not pairs:
        return None
    gap, first, second = min(pairs)
    return (first, second) if gap <= ATTACH * height else None


def _same_digit(a: Box, b: Box, height: float) -> bool:
    """Overlapping by OVERLAP of the narrower, counting a narrow piece (a 1, a stem) as
    MIN_WIDTH of the line wide, around its middle; and on the same line."""
    floor = MIN_WIDTH * height
    a_left, a_right = _widened(a, floor)
    b_left, b_right = _widened(b, floor)
    overlap = min(a_right, b_right) - max(a_left, b_left)
    narrower = min(a_right - a_left, b_right - b_left)
    apart = max(a.top, b.top) - min(a.bottom, b.bottom)
    return overlap >= OVERLAP * narrower and apart <= LINE_GAP * height


def _widened(box: Box, floor: float) -> tuple[float, float]:
    if box.width >= floor:
        return box.left, box.right
    middle = (box.left + box.right) / 2
    return middle - floor / 2, middle + floor / 2


def _gap(a: Box, b: Box) -> float:
    """How far apart two boxes are (0 if they touch or overlap)."""
    across = max(a.left - b.right, b.left - a.right, 0.0)
    down = max(a.top - b.bottom, b.top - a.bottom, 0.0)
    return float(np.hypot(across, down))


def _connected(pieces: list[int], pairs: set[tuple[int, int]]) -> list[list[int]]:
    """`pieces` joined along `pairs` (pairs with other pieces are ignored), each group in
    order and the groups in the order of their first pieces."""
    root = {piece: piece for piece in pieces}

    def find(piece: int) -> int:
        while root[piece] != piece:
            root[piece] = root[root[piece]]
            piece = root[piece]
        return piece

    for a, b in pairs:
        if a in root and b in root:
            first, second = sorted((find(a), find(b)))
            root[second] = first
    groups: dict[int, list[int]] = {}
    for piece in pieces:
        groups.setdefault(find(piece), []).append(piece)
    return list(groups.values())


def span_of(boxes: list[Box], members: list[int]) -> Box:
    """The box around the pieces `members`."""
    span = boxes[members[0]]
    for i in members[1:]:
        span = span.union(boxes[i])
    return span


def touching_strokes(strokes: list[np.ndarray], boxes: list[Box]) -> set[tuple[int, int]]:
    """Pairs of strokes (with their `stroke_boxes`) whose pen paths cross or come within TOUCH
    of the line height, enough of them to join every such stroke to its digit: strokes of one
    digit meet, strokes of neighbouring digits keep apart.

    Not every touching pair: a pair already joined through others is not compared, so a canvas
    covered in strokes costs a comparison per stroke, not one per pair.
    """
    if not boxes:
        return set()
    reach = TOUCH * line_height(boxes)
    left, top, right, bottom = np.array([(b.left, b.top, b.right, b.bottom) for b in boxes]).T
    joined = np.arange(len(strokes))  # a label per set of strokes already known to touch
    paths: dict[int, np.ndarray] = {}

    def path(i: int) -> np.ndarray:
        if i not in paths:
            paths[i] = _densified(strokes[i], reach)
        return paths[i]

    pairs, apart = set(), len(strokes)  # apart: how many sets of strokes there are
    for a in range(len(strokes)):
        if apart == 1:
            break  # everything is joined already
        across = np.maximum(np.maximum(left - right[a], left[a] - right), 0.0)
        down = np.maximum(np.maximum(top - bottom[a], top[a] - bottom), 0.0)
        near = (across**2 + down**2 <= reach * reach) & (joined != joined[a])
        near[: a + 1] = False  # earlier strokes compared themselves with this one
        for b in np.flatnonzero(near):
            if joined[b] == joined[a]:
                continue  # joined through another stroke meanwhile
            squared = ((path(a)[:, None, :] - path(int(b))[None, :, :]) ** 2).sum(axis=2)
            if squared.min() <= reach * reach:
                pairs.add((a, int(b)))
                joined[joined == joined[b]] = joined[a]
                apart -= 1
    return pairs


def _densified(stroke: np.ndarray, spacing: float) -> np.ndarray:
    """Points along the stroke no further apart than `spacing`, so crossings are not missed."""
    stroke = np.asarray(stroke, dtype=float)
    if len(stroke) < 2:
        return stroke
    starts, ends = stroke[:-1], stroke[1:]
    steps = np.maximum(1, np.ceil(np.abs(ends - starts).max(axis=1) / max(spacing, 1e-9)))
    steps = steps.astype(int)
    segment = np.repeat(np.arange(len(steps)), steps)
    fraction = (
        np.arange(steps.sum()) - np.repeat(np.cumsum(steps) - steps, steps) + 1
    ) / np.repeat(steps, steps)
    along = starts[segment] + (ends[segment] - starts[segment]) * fraction[:, None]
    return np.concatenate([stroke[:1], along])


def stroke_boxes(strokes: list[np.ndarray]) -> list[Box]:
    """The extent of each stroke, in its own coordinates."""
    boxes = []
    for stroke in strokes:
        low, high = stroke.min(axis=0), stroke.max(axis=0)
        boxes.append(Box(float(low[0]), float(low[1]), float(high[0]), float(high[1])))
    return boxes


@dataclass(frozen=True)
class Components:
    """The connected pieces of an ink image: `labels` (0 = paper, 1..count) and their boxes."""

    labels: np.ndarray
    boxes: list[Box]
    areas: np.ndarray


def components(ink_mask: np.ndarray) -> Components:
    """8-connected components of a boolean image, found run by run (no SciPy on the device)."""
    height, width = ink_mask.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = ink_mask
    changes = np.diff(padded, axis=1)
    rows_start, cols_start = np.nonzero(changes == 1)
    _, cols_end = np.nonzero(changes == -1)
    parent = list(range(len(rows_start)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    row_first = np.searchsorted(rows_start, np.arange(height))
    for run in range(len(rows_start)):
        row = rows_start[run]
        if row == 0:
            continue
        for above in range(row_first[row - 1], row_first[row]):
            # 8-connected: runs touch if they overlap or meet at a corner
            if cols_start[above] <= cols_end[run] and cols_start[run] <= cols_end[above]:
                parent[root(run)] = root(above)
    roots = [root(run) for run in range(len(rows_start))]
    numbering = {r: n + 1 for n, r in enumerate(dict.fromkeys(roots))}
    labels = np.zeros((height, width), dtype=np.int32)
    count = len(numbering)
    lefts, tops = np.full(count, np.inf), np.full(count, np.inf)
    rights, bottoms = np.zeros(count), np.zeros(count)
    areas = np.zeros(count, dtype=np.int64)
    for run, r in enumerate(roots):
        label, row = numbering[r], rows_start[run]
        start, stop = cols_start[run], cols_end[run]
        labels[row, start:stop] = label
        k = label - 1
        lefts[k], rights[k] = min(lefts[k], start), max(rights[k], stop)
        tops[k], bottoms[k] = min(tops[k], row), max(bottoms[k], row + 1)
        areas[k] += stop - start
    boxes = [Box(*map(float, b)) for b in np.column_stack((lefts, tops, rights, bottoms))]
    return Components(labels, boxes, areas)


def without_frames(found: Components) -> list[int]:
    """The components to read: all but frames, hollow pieces drawn around the others. What a
    frame holds is writing, not a speck: a thin 3 around a pen tap is still a digit."""
    keep = []
    for i, box in enumerate(found.boxes):
        least = SPECK * min(box.width, box.height)
        encloses = any(
            j != i and box.contains(other) and max(other.width, other.height) >= least
            for j, other in enumerate(found.boxes)
        )
        hollow = found.areas[i] < FRAME_FILL * box.width * box.height
        if not (encloses and hollow):
            keep.append(i)
    return keep
