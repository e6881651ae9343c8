"""MNIST images traced back into the pen strokes that drew them.

An MNIST digit is a scanned pen stroke; thinning it to its centre line and walking that line as a
hand would gives strokes the runtime's renderer can draw again, at any size, with any brush, and
with a flag, slash or bar added (`training.styles`). The drawn-digit evaluation draws them on the
pad's canvas; training adds continental styles to them.
"""

import math

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage.measure import approximate_polygon
from skimage.morphology import skeletonize

# Tracing. Upsampling before thinning gives a smoother skeleton with fewer false junctions.
UPSAMPLE = 4
INK_LEVEL = 0.5  # an MNIST pixel at least this bright (of 1.0) is part of the pen's path
SPUR_LENGTH = 1.0  # side branches shorter than this (in 28x28 pixels) are thinning noise
SIMPLIFY_TOLERANCE = 0.2  # in 28x28 pixels: straight runs become one mouse move, as when drawn fast
DIRECTION_LOOKBACK = 4  # skeleton steps used to judge which way the pen is heading at a junction
# Filled loops, measured in the digit's own typical stroke half-width (the median distance from the
# skeleton to the paper). Ink deeper inside than this is the core of a loop the pen filled in...
BLOB_DEPTH = 1.6
# ...if the core is at least this wide its narrowest way: thick corners, crossings and pen blots
# are deep only in a sliver. Both chosen by looking at every digit they change in two samples
# of 1,000 (--seed 1 and 2): lower, corners and crossings grow loops a hand would not draw.
BLOB_WIDTH = 1.5


Pixel = tuple[int, int]
_OFFSETS = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]


def trace_strokes(image: np.ndarray) -> list[np.ndarray]:
    """The pen strokes along the centre line of a 28x28 digit (uint8 0..255 or float 0..1).

    Each stroke is an (n, 2) float array of (x, y) points in the order a pen visits them, in the
    image's pixel coordinates (pixel [r, c] spans x in [c, c + 1), y in [r, r + 1)). Strokes run
    from the skeleton's end points first, continuing straight through junctions as a hand
    would; closed loops such as a "0" start and end at the same point. A blank image has none.
    """
    image = np.asarray(image)
    image = image.astype(np.float32) / (255.0 if image.dtype == np.uint8 else 1.0)
    big = Image.fromarray(image).resize(
        (image.shape[1] * UPSAMPLE, image.shape[0] * UPSAMPLE), Image.Resampling.BILINEAR
    )
    skeleton = skeletonize(_hollow_blobs(np.asarray(big) > INK_LEVEL))
    graph = _prune_spurs(_pixel_graph(skeleton), round(SPUR_LENGTH * UPSAMPLE))
    strokes = []
    for path in _walk(graph):
        rows_cols = approximate_polygon(
            np.array(path, dtype=np.float64), SIMPLIFY_TOLERANCE * UPSAMPLE
        )
        strokes.append((rows_cols[:, ::-1] + 0.5) / UPSAMPLE)
    return strokes


def _hollow_blobs(ink: np.ndarray) -> np.ndarray:
    """`ink` (a boolean image) with the cores of filled-in loops cut out, leaving a ring about a
    stroke wide around each, which thins to a loop.

    A bold pen, or one that circles a small loop, fills the loop's hole: a "9" whose top is a
    solid blob. Thinning collapses a blob to a line, and the redrawn "9" becomes a "1", where a
    person with a mouse draws the loop. Depth is judged against the digit's own stroke, so a
    uniformly bold digit is left whole.
    """
    depth = ndimage.distance_transform_edt(ink)
    half_width = float(np.median(depth[skeletonize(ink)])) if ink.any() else 0.0
    cores, count = ndimage.label(depth > BLOB_DEPTH * half_width)
    if not count:
        return ink
    widths = 2 * ndimage.maximum(ndimage.distance_transform_edt(cores), cores, range(1, count + 1))
    blobs = np.flatnonzero(np.asarray(widths) >= BLOB_WIDTH * half_width) + 1
    return ink & ~np.isin(cores, blobs)


def _pixel_graph(skeleton: np.ndarray) -> dict[Pixel, set[Pixel]]:
    """8-connected neighbours, minus diagonals that cut a corner the skeleton already turns:
    those make triangles that look like junctions but are just a bend."""
    pixels = {(int(r), int(c)) for r, c in zip(*np.nonzero(skeleton), strict=True)}
    graph: dict[Pixel, set[Pixel]] = {}
    for r, c in pixels:
        neighbours = set()
        for dr, dc in _OFFSETS:
            if (r + dr, c + dc) not in pixels:
                continue
            if dr and dc and ((r + dr, c) in pixels or (r, c + dc) in pixels):
                continue
            neighbours.add((r + dr, c + dc))
        graph[(r, c)] = neighbours
    return graph


def _prune_spurs(graph: dict[Pixel, set[Pixel]], max_length: int) -> dict[Pixel, set[Pixel]]:
    """Remove short branches from an end point to a junction: thinning leaves them at blunt
    stroke ends and corners, and nobody draws them."""
    graph = {pixel: set(neighbours) for pixel, neighbours in graph.items()}
    for end in [pixel for pixel, neighbours in graph.items() if len(neighbours) == 1]:
        if len(graph.get(end, ())) != 1:
            continue
        branch = [end, *graph[end]]
        while len(graph[branch[-1]]) == 2 and len(branch) <= max_length:
            branch.extend(graph[branch[-1]] - {branch[-2]})
        if len(graph[branch[-1]]) >= 3 and len(branch) - 1 <= max_length:
            for pixel in branch[:-1]:
                for neighbour in graph.pop(pixel):
                    graph[neighbour].discard(pixel)
    return graph


def _walk(graph: dict[Pixel, set[Pixel]]) -> list[list[Pixel]]:
    """Cover every skeleton edge once with as few, as straight, strokes as a hand would draw.

    Strokes start at end points (top first, as people write), then at junctions with edges left
    (odd degree first), then anywhere on what remains: loops.
    """
    unused = {pixel: set(neighbours) for pixel, neighbours in graph.items()}

    def starts() -> list[Pixel]:
        return sorted(
            (p for p in unused if unused[p]),
            key=lambda p: (len(graph[p]) != 1, len(unused[p]) % 2 == 0, p),
        )

    strokes = [[pixel] for pixel, neighbours in graph.items() if not neighbours]
    while remaining := starts():
        path = [remaining[0]]
        while unused[path[-1]]:
            current = path[-1]
            following = min(unused[current], key=lambda p: _turn(path, p))
            unused[current].discard(following)
            unused[following].discard(current)
            path.append(following)
        strokes.append(path)
    return strokes


def _turn(path: list[Pixel], following: Pixel) -> float:
    """How sharply the pen turns to go on to `following`: 0 straight on, 2 straight back.
    At a stroke's first point there is no heading yet, so every way counts as straight on."""
    (r0, c0), (r1, c1) = path[max(0, len(path) - 1 - DIRECTION_LOOKBACK)], path[-1]
    heading_r, heading_c = r1 - r0, c1 - c0
    step_r, step_c = following[0] - r1, following[1] - c1
    lengths = math.hypot(heading_r, heading_c) * math.hypot(step_r, step_c)
    return 1.0 - (heading_r * step_r + heading_c * step_c) / lengths if lengths else 0.0
