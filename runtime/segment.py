"""Segmentation: a drawing of a number -> one group of ink per digit, left to right.

The pad knows the strokes: strokes whose pen paths cross or come close belong to one digit
(`strokes_touch`; `runtime.writing` keeps them joined as they come and go), and so do pieces
whose horizontal extents overlap enough, whenever they were written (a 7's crossbar or a 5's
flag added after the next digit still lands on its own digit), while neighbours that merely
touch or overlap a little stay apart. Image files have no strokes: their pieces are the
connected components of the ink, grouped the same way; a frame around the writing (a box on a
form) is dropped. Specks, tiny next to the writing, are dropped too: a dot is not a digit.

Everything is measured in the writing's own line height, or for two strokes in their own
heights, so the rules hold at any size.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SPECK = 0.12  # a piece smaller than this share of the line height (both ways) is a speck
MIN_WIDTH = 0.25  # a piece narrower than this share of the line height counts as this wide
OVERLAP = 0.35  # pieces merge when their x-ranges overlap by this share of the narrower one
LINE_GAP = 0.5  # ...and when they are no further apart vertically than this share of the line
TALL = 0.5  # the line height is the median height of pieces at least this share of the tallest
SHORT = 0.4  # a piece shorter than this share of the line height that overlaps nothing...
ATTACH = 0.25  # ...joins the nearest digit if it is at most this share of the line height away
TOUCH = 0.1  # strokes this close (share of the taller one's height) belong to one digit
FRAME_FILL = 0.5  # a component enclosing others, with less of its box inked than this, is a frame
FRAME_CORNER = 0.1  # ...if it has ink this near (a share of its side) each corner of its box


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


def group(spans: Sequence[Box], height: float | None = None) -> list[list[int]]:
    """The indices of the pieces of each digit, digits left to right; specks outside every
    digit are left out.

    `spans` are the extents of pieces already known to belong together (a stroke, strokes that
    touch, a connected component of ink); `height` is the line height, by default theirs.
    Pieces whose horizontal extents overlap enough are one digit; a piece much shorter than the
    line that is still alone (a 5's flag written to the right of its stem, a 7's bar) joins
    the digit it touches or nearly touches; a speck inside a digit (a smiley's eye) is kept.
    """
    if not spans:
        return []
    if height is None:
        height = line_height([span.height for span in spans], [span.width for span in spans])
    sizes = [max(span.width, span.height) for span in spans]
    kept = [i for i, size in enumerate(sizes) if size >= SPECK * height]
    groups = _overlapping(spans, kept, height)
    merged = [span_of(spans, members) for members in groups]

    def merge(a: int, b: int) -> None:
        groups[a] += groups.pop(b)
        merged[a] = merged[a].union(merged.pop(b))

    while pair := _short_and_near(merged, height):
        merge(*pair)
    for speck in sorted(set(range(len(spans))) - set(kept)):
        inside = [g for g, span in enumerate(merged) if span.contains(spans[speck])]
        if inside:  # a smiley's eye, not a stray dot
            groups[inside[0]].append(speck)
    order = sorted(range(len(merged)), key=lambda g: merged[g].left + merged[g].right)
    return [sorted(groups[g]) for g in order]


def line_height(heights: Sequence[float], widths: Sequence[float] = ()) -> float:
    """The height of a digit in this writing: the median height of its taller pieces (a 7's
    crossbar or a dot says nothing about it). Writing with no height at all (flat strokes,
    dots) is as tall as its widest piece, or one unit."""
    heights = np.asarray(heights, dtype=float)
    tallest = float(heights.max())
    if tallest <= 0:
        return max(float(np.max(widths, initial=0.0)), 1.0)
    return float(np.median(heights[heights >= TALL * tallest]))


def _overlapping(spans: Sequence[Box], kept: list[int], height: float) -> list[list[int]]:
    """The kept pieces joined wherever two belong to one digit by their overlap (`_same_digit`),
    until no two groups do: compared all at once, so a canvas of many pieces costs numpy's
    time, not Python's."""
    groups = [[i] for i in kept]
    while len(groups) > 1:
        edges = np.array(
            [(s.left, s.top, s.right, s.bottom) for s in (span_of(spans, g) for g in groups)]
        )
        pairs = _same_digit(edges, height)
        if not pairs.any():
            break
        pairs = zip(*np.nonzero(np.triu(pairs, 1)), strict=True)
        joined = _connected(len(groups), pairs)
        groups = [[i for g in members for i in groups[g]] for members in joined]
    return groups


def _connected(count: int, pairs) -> list[list[int]]:
    """0..count-1 joined along `pairs`, each set in order and the sets in order of their first
    member."""
    root = list(range(count))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    for a, b in pairs:
        first, second = sorted((find(int(a)), find(int(b))))
        root[second] = first
    joined: dict[int, list[int]] = {}
    for i in range(count):
        joined.setdefault(find(i), []).append(i)
    return list(joined.values())


def _same_digit(edges: np.ndarray, height: float) -> np.ndarray:
    """For every two spans (rows of left, top, right, bottom): overlapping by OVERLAP of the
    narrower, counting a narrow span (a 1, a stem) as MIN_WIDTH of the line wide, around its
    middle; and on the same line."""
    left, top, right, bottom = edges.T
    middle, floor = (left + right) / 2, MIN_WIDTH * height
    narrow = right - left < floor
    left = np.where(narrow, middle - floor / 2, left)
    right = np.where(narrow, middle + floor / 2, right)
    overlap = np.minimum(right[:, None], right[None]) - np.maximum(left[:, None], left[None])
    narrower = np.minimum((right - left)[:, None], (right - left)[None])
    apart = np.maximum(top[:, None], top[None]) - np.minimum(bottom[:, None], bottom[None])
    same = (overlap >= OVERLAP * narrower) & (apart <= LINE_GAP * height)
    np.fill_diagonal(same, False)
    return same


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


def _gap(a: Box, b: Box) -> float:
    """How far apart two boxes are (0 if they touch or overlap)."""
    across = max(a.left - b.right, b.left - a.right, 0.0)
    down = max(a.top - b.bottom, b.top - a.bottom, 0.0)
    return float(np.hypot(across, down))


def span_of(boxes: Sequence[Box], members: Sequence[int]) -> Box:
    """The box around the pieces `members`."""
    chosen = [boxes[i] for i in members]
    return Box(
        min(b.left for b in chosen),
        min(b.top for b in chosen),
        max(b.right for b in chosen),
        max(b.bottom for b in chosen),
    )


def reach(height_a: float, height_b: float) -> float:
    """How close two strokes' paths must come to belong to one digit: TOUCH of the taller
    stroke, so a digit's strokes meet at any size and neighbouring digits keep apart."""
    return TOUCH * max(height_a, height_b)


def strokes_touch(a: np.ndarray, b: np.ndarray, within: float) -> bool:
    """Whether two pen paths ((n, 2) arrays) cross or come `within` of each other. Only the
    parts of each path near the other's extent are compared, point by point, with points added
    along each so that a crossing between two points is not missed."""
    a, b = _near(a, b, within), _near(b, a, within)
    if not (len(a) and len(b)):
        return False
    a, b = _densified(a, within), _densified(b, within)
    squared = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    return bool(squared.min() <= within * within)


def _near(path: np.ndarray, other: np.ndarray, within: float) -> np.ndarray:
    """The stretch of `path` from its first to its last segment that reaches within `within` of
    `other`'s extent (empty if none does)."""
    path = np.asarray(path, dtype=float)
    low, high = np.min(other, axis=0) - within, np.max(other, axis=0) + within
    ends = np.concatenate([path[:-1], path[1:]], axis=1) if len(path) > 1 else np.tile(path, 2)
    segment_low = np.minimum(ends[:, :2], ends[:, 2:])
    segment_high = np.maximum(ends[:, :2], ends[:, 2:])
    close = np.flatnonzero(((segment_high >= low) & (segment_low <= high)).all(axis=1))
    if not close.size:
        return path[:0]
    return path[close[0] : close[-1] + 2]


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


def stroke_box(stroke: np.ndarray) -> Box:
    """The extent of a stroke, in its own coordinates."""
    low, high = np.min(stroke, axis=0), np.max(stroke, axis=0)
    return Box(float(low[0]), float(low[1]), float(high[0]), float(high[1]))


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
    """The components to read: all but frames, hollow pieces drawn around the others with ink
    in every corner of their box (a box on a form; a 0 written round a loop has none). What a
    frame holds is writing, not a speck: a thin 3 around a pen tap is still a digit."""
    keep = []
    for i, box in enumerate(found.boxes):
        least = SPECK * min(box.width, box.height)
        encloses = any(
            j != i and box.contains(other) and max(other.width, other.height) >= least
            for j, other in enumerate(found.boxes)
        )
        hollow = found.areas[i] < FRAME_FILL * box.width * box.height
        if not (encloses and hollow and _cornered(found.labels == i + 1, box)):
            keep.append(i)
    return keep


def _cornered(mask: np.ndarray, box: Box) -> bool:
    """Whether the piece has ink near each corner of its box (within FRAME_CORNER of its
    sides): a rectangle does, a ring or a loop does not."""
    top, bottom, left, right = int(box.top), int(box.bottom), int(box.left), int(box.right)
    piece = mask[top:bottom, left:right]
    reach_y = max(1, round(FRAME_CORNER * piece.shape[0]))
    reach_x = max(1, round(FRAME_CORNER * piece.shape[1]))
    corners = (
        piece[:reach_y, :reach_x],
        piece[:reach_y, -reach_x:],
        piece[-reach_y:, :reach_x],
        piece[-reach_y:, -reach_x:],
    )
    return all(corner.any() for corner in corners)
