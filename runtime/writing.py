"""The strokes on one canvas, kept joined into clusters of touching strokes as they come and go.

The pad's writing changes one stroke at a time: a stroke is added, or the last one is undone.
Joining strokes whose paths touch is the costly part of segmentation (pen paths compared point by
point), so it is done once, when a stroke arrives, and only against the strokes near it: the
cost of a stroke does not grow with the strokes already on the canvas. An undo takes back
exactly what adding the stroke did. Whether two strokes touch depends on them alone
(`runtime.segment.strokes_touch`, within `segment.reach` of their heights), so the clusters are
the same whatever order the strokes came in, and the same as reading all the strokes at once
(`runtime.reader.Reader.read_strokes` adds them one by one).

The clusters are grouped into digits when the writing is read (`runtime.segment.group`), which
looks at clusters, not strokes.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from runtime import segment
from runtime.segment import Box


@dataclass
class Cluster:
    """Strokes that touch, directly or through each other."""

    members: list[int]
    span: Box


@dataclass(frozen=True)
class Part:
    """A group of strokes read as one digit: which strokes, and where."""

    members: tuple[int, ...]
    span: Box


@dataclass(frozen=True)
class _Joined:
    """What adding one stroke did, so that undo can take it back: the cluster that grew (or
    None if the stroke started one), its size and span before, and the clusters it absorbed."""

    grown: int | None
    size: int = 0
    span: Box | None = None
    absorbed: list[tuple[int, Cluster]] = field(default_factory=list)


class Writing:
    """Strokes in writing order ((n, 2) arrays of x, y in any units, y down), kept clustered."""

    def __init__(self):
        self.strokes: list[np.ndarray] = []
        self.boxes: list[Box] = []
        self.clusters: dict[int, Cluster] = {}
        self._keys: list[bytes] = []
        self._edges = np.zeros((0, 4))  # left, top, right, bottom of each stroke
        self._owner = np.zeros(0, dtype=np.int64)  # the cluster of each stroke
        self._history: list[_Joined] = []

    def __len__(self) -> int:
        return len(self.strokes)

    def add(self, stroke: np.ndarray) -> None:
        """A stroke written: it joins every cluster whose strokes it touches, or starts one."""
        stroke = np.asarray(stroke, dtype=float)
        box = segment.stroke_box(stroke)
        touched = self._touched(stroke, box)
        index = len(self.strokes)
        self.strokes.append(stroke)
        self.boxes.append(box)
        self._keys.append(_digest(stroke))
        self._edges = np.concatenate([self._edges, [[box.left, box.top, box.right, box.bottom]]])
        self._owner = np.append(self._owner, index)
        if not touched:
            self.clusters[index] = Cluster([index], box)
            self._history.append(_Joined(None))
            return
        grown = max(touched, key=lambda c: len(self.clusters[c].members))
        cluster = self.clusters[grown]
        joined = _Joined(grown, len(cluster.members), cluster.span)
        for other in touched:
            if other != grown:
                absorbed = self.clusters.pop(other)
                joined.absorbed.append((other, absorbed))
                cluster.members.extend(absorbed.members)
                cluster.span = cluster.span.union(absorbed.span)
                self._owner[absorbed.members] = grown
        cluster.members.append(index)
        cluster.span = cluster.span.union(box)
        self._owner[index] = grown
        self._history.append(joined)

    def pop(self) -> None:
        """The last stroke undone: the clusters are as they were before it came."""
        if not self.strokes:
            return
        index = len(self.strokes) - 1
        joined = self._history.pop()
        if joined.grown is None:
            del self.clusters[index]
        else:
            cluster = self.clusters[joined.grown]
            del cluster.members[joined.size :]
            cluster.span = joined.span
            for number, absorbed in joined.absorbed:
                self.clusters[number] = absorbed
                self._owner[absorbed.members] = number
        for kept in (self.strokes, self.boxes, self._keys):
            kept.pop()
        self._edges, self._owner = self._edges[:index], self._owner[:index]

    def clear(self) -> None:
        self.__init__()

    @contextmanager
    def with_stroke(self, stroke: np.ndarray) -> Iterator["Writing"]:
        """The writing with one more stroke for as long as this lasts: a stroke still being
        drawn, read live."""
        self.add(stroke)
        try:
            yield self
        finally:
            self.pop()

    @property
    def line_height(self) -> float | None:
        """The height of a digit in this writing (see `segment.line_height`); None when blank."""
        if not self.strokes:
            return None
        edges = self._edges
        return segment.line_height(edges[:, 3] - edges[:, 1], edges[:, 2] - edges[:, 0])

    def parts(self) -> list[Part]:
        """The strokes grouped into digits, left to right (`runtime.segment.group`)."""
        if not self.strokes:
            return []
        clusters = list(self.clusters.values())
        digits = segment.group([c.span for c in clusters], self.line_height)
        parts = []
        for chosen in digits:
            members = tuple(sorted(i for c in chosen for i in clusters[c].members))
            span = segment.span_of([clusters[c].span for c in chosen], range(len(chosen)))
            parts.append(Part(members, span))
        return parts

    def key_of(self, members: tuple[int, ...]) -> bytes:
        """A digest of these strokes' content, in order: the key of their model inputs."""
        digest = hashlib.blake2b(digest_size=16)
        for index in members:
            digest.update(self._keys[index])
        return digest.digest()

    def _touched(self, stroke: np.ndarray, box: Box) -> list[int]:
        """The clusters with a stroke that `stroke` touches: the strokes whose extents come
        within reach are found at once, then paths are compared, the likeliest first, until one
        touch per cluster."""
        if not self.strokes:
            return []
        left, top, right, bottom = self._edges.T
        within = segment.TOUCH * np.maximum(bottom - top, box.height)
        across = np.maximum(np.maximum(left - box.right, box.left - right), 0.0)
        down = np.maximum(np.maximum(top - box.bottom, box.top - bottom), 0.0)
        gaps = across**2 + down**2
        near = np.flatnonzero(gaps <= within**2)
        centres = (left + right - box.left - box.right) ** 2 + (
            top + bottom - box.top - box.bottom
        ) ** 2
        near = near[np.lexsort((centres[near], gaps[near]))]  # the likeliest to touch first
        touched: list[int] = []
        for cluster in dict.fromkeys(self._owner[near].tolist()):
            candidates = near[self._owner[near] == cluster]
            if any(
                segment.strokes_touch(stroke, self.strokes[i], float(within[i])) for i in candidates
            ):
                touched.append(cluster)
        return touched


def _digest(stroke: np.ndarray) -> bytes:
    return hashlib.blake2b(
        np.ascontiguousarray(stroke, dtype=float).tobytes(), digest_size=16
    ).digest()
