"""The contract between a drawing and the model, done the way MNIST itself was made.

MNIST digits were cropped to their ink, scaled (aspect kept, anti-aliased) to fit a 20x20 box and
placed in a 28x28 field with their centre of mass at the centre. Doing exactly that to a drawing
makes a digit drawn small, large or off-centre look like the same MNIST digit to the model.
Export writes these constants into the model's metadata and the engine checks them at load time.
"""

import math

import numpy as np
from PIL import Image

IMAGE_SIZE = 28  # the model's input is IMAGE_SIZE x IMAGE_SIZE x 1
INPUT_SHAPE = (IMAGE_SIZE, IMAGE_SIZE, 1)  # one image, as the model takes it after the batch axis
DIGIT_BOX = 20  # the longest side of the ink is scaled to this many pixels
POLARITY = "white-on-black"  # ink is 1.0, background 0.0
VALUE_RANGE = (0.0, 1.0)
INK_THRESHOLD = 0.15  # ink darker than this (as a fraction of full ink) is ignored when cropping
MIN_CONTRAST = 0.1  # an image file whose ink differs from its background by less is blank
# A picture's outermost ring is a frame when this share of it is within this of one grey
FRAME_SHARE, FRAME_TOLERANCE = 0.98, 0.15
# The drawing the model knows: strokes as wide as MODEL_STROKE of the drawing's longer side, as in
# MNIST digits. Strokes are drawn (runtime.canvas.render_strokes), and the strokes of an image
# file brought to that width, at MODEL_SIDE pixels across, several times the 20 px digit box so
# that area-averaging anti-aliases them.
MODEL_STROKE = 0.16
MODEL_SIDE = 100
BOLD = 1.6  # an image's strokes wider than this many times MODEL_STROKE are thinned to it
BLOB_DEPTH, BLOB_WIDE = 1.6, 1.5  # a filled loop's core, in the writing's half-widths (as tracing)


def to_model_input(ink: np.ndarray) -> np.ndarray | None:
    """Turn a 2-D ink image (0 = background, 1 = ink; float in [0, 1] or uint8) into the model's
    28x28 float32 input, or None when there is no ink: an empty canvas gets no prediction, and
    neither does ink too thin to survive the scaling (a hairline across a huge image).
    """
    crop = _ink_crop(ink)
    if crop is None:
        return None
    image = _scale_and_centre(crop)
    return image if image.max() >= INK_THRESHOLD else None


def image_to_model_input(ink: np.ndarray) -> np.ndarray | None:
    """An ink image from a file (0 = paper, 1 = ink) as the model's input, or None if blank.

    A scan, photo or screenshot has strokes of any width: a 3 px pen on a 1000 px page shrinks
    to a faint hairline in a 20 px digit, and the model reads hairlines as 1s. So the ink is first
    brought to the drawing the model knows (`MODEL_SIDE` across, strokes `MODEL_STROKE` of it
    wide, as the pad's strokes are drawn), then prepared as usual (`to_model_input`): thin ink is
    grown; bold ink (a marker) is peeled to that width without ever breaking or shutting it, which
    keeps a marker's 0 a ring and its 1 a line (thinning by erosion broke the ring apart and left
    a bar). Ink that vanishes at that size (a 1 px line across a huge image) is no drawing.
    """
    crop = _ink_crop(ink)
    if crop is None:
        return None
    height, width = crop.shape
    scale = MODEL_SIDE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resample = Image.Resampling.BOX if scale < 1 else Image.Resampling.BILINEAR
    small = np.asarray(Image.fromarray(crop).resize(size, resample))
    strongest = float(small.max())
    if strongest < INK_THRESHOLD:
        return None
    strokes = small >= strongest / 2
    width_now = _stroke_width(strokes)
    target = MODEL_STROKE * MODEL_SIDE
    if width_now < target:
        strokes = _dilated(strokes, (target - width_now) / 2)
    elif width_now > BOLD * target:
        strokes = thinned(_hollowed(strokes), round((width_now - target) / 2))
    return to_model_input(strokes.astype(np.float32))


def model_batch(images: np.ndarray) -> np.ndarray:
    """28x28 images already in MNIST's form (uint8 0..255, or float 0..1) as the model's float32
    [N, 28, 28, 1] batch: the normalisation half of the contract, for data sets and tests."""
    images = np.asarray(images)
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    return (images.astype(np.float32) / scale).reshape(-1, *INPUT_SHAPE)


def ink_from_grayscale(gray: np.ndarray) -> np.ndarray:
    """Map a grayscale picture (uint8, either polarity) to ink in [0, 1].

    The paper is the median grey of the picture's edge (`_paper`): a digit cropped tightly may be
    more ink than paper (the picture's median grey took a bold one's ink for its paper), but
    touches the edge at a few points only. The ink goes the way the picture strays furthest from
    the paper, so dark-on-light scans, light-on-dark screenshots, black ink on a dimly lit page
    and chalk on a light board all work. A picture with no contrast is all paper.
    """
    gray = np.asarray(gray, dtype=np.float32) / 255.0
    paper = _paper(gray)
    darker, lighter = paper - float(gray.min()), float(gray.max()) - paper
    ink = paper - gray if darker >= lighter else gray - paper
    strongest = float(ink.max())
    if strongest < MIN_CONTRAST:
        return np.zeros_like(gray)
    return np.maximum(ink / strongest, 0.0)


def _paper(gray: np.ndarray) -> float:
    """The median grey of the picture's edge, inside any frame: while the outermost ring of
    pixels is all of one grey and the picture is mostly of another (a scanner's dark border
    around a page), the ring is a frame, not the paper, and the next ring in is looked at."""
    middle = float(np.median(gray))
    for inset in range(min(gray.shape) // 4 + 1):
        ring = gray[inset : gray.shape[0] - inset, inset : gray.shape[1] - inset]
        edge = np.concatenate([ring[0], ring[-1], ring[1:-1, 0], ring[1:-1, -1]])
        paper = float(np.median(edge))
        framed = np.mean(np.abs(edge - paper) < FRAME_TOLERANCE) >= FRAME_SHARE
        if not framed or abs(paper - middle) < FRAME_TOLERANCE:
            break
    return paper


def _ink_crop(ink: np.ndarray) -> np.ndarray | None:
    """The ink's bounding box (ink above INK_THRESHOLD) as float32 in [0, 1]; None if none."""
    ink = np.asarray(ink)
    full_ink = 255.0 if ink.dtype == np.uint8 else 1.0
    rows = np.flatnonzero((ink > INK_THRESHOLD * full_ink).any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero((ink[rows[0] : rows[-1] + 1] > INK_THRESHOLD * full_ink).any(axis=0))
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32) / full_ink
    return np.clip(crop, 0.0, 1.0)


def _stroke_width(strokes: np.ndarray) -> float:
    """The mean width of the strokes in a binary image with some ink: twice the area over the
    outline's length (a long stroke of width w and length L has area wL and outline 2L). Pixel
    edges overcount a slanted outline; pi/4 is their mean excess over all directions."""
    padded = np.pad(strokes, 1)
    edges = np.count_nonzero(np.diff(padded, axis=0)) + np.count_nonzero(np.diff(padded, axis=1))
    return 2 * float(strokes.sum()) / (edges * math.pi / 4)


def _hollowed(strokes: np.ndarray) -> np.ndarray:
    """Bold ink with the cores of filled-in loops cut out, so that its centre line goes round
    them: a marker fills a small loop (a 9's, an 8's), and a reader still sees the loop. A core
    is ink deeper inside than BLOB_DEPTH times the writing's own half-width (the depth its centre
    line typically lies at), and at least BLOB_WIDE of it across: corners and crossings are deep
    only in a sliver."""
    depth = _depth(strokes)
    line = thinned(strokes)
    if not line.any():
        return strokes
    half_width = float(np.median(depth[line]))
    cores = depth > BLOB_DEPTH * half_width
    wide = _depth(cores) >= BLOB_WIDE * half_width / 2
    keep = np.zeros_like(cores)
    for label in np.unique(_labels(cores)[wide]):
        if label:
            keep |= _labels(cores) == label
    return strokes & ~keep


def _depth(mask: np.ndarray) -> np.ndarray:
    """How many steps in from the edge each pixel of `mask` is (a city-block distance to the
    paper), by eroding one step at a time."""
    depth = np.zeros(mask.shape, np.int32)
    inside = mask.copy()
    while inside.any():
        depth += inside
        padded = np.pad(inside, 1)
        inside = (
            inside & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
        )
    return depth


def _labels(mask: np.ndarray) -> np.ndarray:
    """4-connected components of a small mask, numbered from 1, by flooding label by label."""
    labels = np.zeros(mask.shape, np.int32)
    for number, (row, column) in enumerate(zip(*np.nonzero(mask), strict=True), 1):
        if labels[row, column]:
            continue
        region = np.zeros(mask.shape, bool)
        region[row, column] = True
        while True:
            padded = np.pad(region, 1)
            grown = mask & (
                region | padded[:-2, 1:-1] | padded[2:, 1:-1] | padded[1:-1, :-2] | padded[1:-1, 2:]
            )
            if (grown == region).all():
                break
            region = grown
        labels[region] = number
    return labels


def thinned(strokes: np.ndarray, passes: int | None = None) -> np.ndarray:
    """The strokes of a binary image peeled by up to `passes` pixels a side (all the way to their
    one-pixel centre lines when None), never broken apart, shut or shortened: Zhang and Suen's
    thinning (1984), each pass in whole-array steps."""
    image = np.pad(strokes.astype(bool), 1)
    done = 0
    while passes is None or done < passes:
        done += 1
        changed = False
        for step in (0, 1):
            north, south = image[:-2, 1:-1], image[2:, 1:-1]
            west, east = image[1:-1, :-2], image[1:-1, 2:]
            ring = [
                north,
                image[:-2, 2:],
                east,
                image[2:, 2:],
                south,
                image[2:, :-2],
                west,
                image[:-2, :-2],
            ]
            neighbours = sum(n.astype(np.int8) for n in ring)
            turns = sum(
                (~a & b).astype(np.int8) for a, b in zip(ring, ring[1:] + ring[:1], strict=True)
            )
            if step == 0:
                spare = ~(north & east & south) & ~(east & south & west)
            else:
                spare = ~(north & east & west) & ~(north & south & west)
            centre = image[1:-1, 1:-1]
            gone = centre & (neighbours >= 2) & (neighbours <= 6) & (turns == 1) & spare
            if gone.any():
                centre[gone] = False
                changed = True
        if not changed:
            break
    return image[1:-1, 1:-1]


def _dilated(strokes: np.ndarray, radius: float) -> np.ndarray:
    """The strokes grown by a round pen of `radius` pixels, on an image larger by the pen's
    reach on every side."""
    reach = math.ceil(radius)
    padded = np.pad(strokes, reach)
    grown = np.zeros_like(padded)
    height, width = padded.shape
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            if dx * dx + dy * dy <= radius * radius:
                grown[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)] |= padded[
                    max(-dy, 0) : height + min(-dy, 0), max(-dx, 0) : width + min(-dx, 0)
                ]
    return grown


def _scale_and_centre(crop: np.ndarray) -> np.ndarray:
    """Scale the crop so its longest side is DIGIT_BOX pixels and place it with its centre of
    mass at the centre of the field, in one resampling.

    Pillow's BOX filter averages the area each output pixel covers (the anti-aliasing MNIST
    has), and its `box` argument takes a fractional source region, so the centring is exact to
    a fraction of a pixel: the same strokes drawn anywhere give the same input.
    """
    height, width = crop.shape
    scale = DIGIT_BOX / max(height, width)
    mass = float(crop.sum())
    mass_y = float(crop.sum(axis=1) @ (np.arange(height) + 0.5)) / mass
    mass_x = float(crop.sum(axis=0) @ (np.arange(width) + 0.5)) / mass
    left, right, source_left, source_right = _axis(mass_x, width, scale)
    top, bottom, source_top, source_bottom = _axis(mass_y, height, scale)
    # The source interval reaches less than one output pixel beyond the crop: pad with paper.
    margin = math.ceil(1 / scale) + 1
    source = (source_left, source_top, source_right, source_bottom)
    digit = Image.fromarray(np.pad(crop, margin)).resize(
        (right - left, bottom - top), Image.Resampling.BOX, box=tuple(v + margin for v in source)
    )
    field = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    field[top:bottom, left:right] = np.asarray(digit)  # averages of [0, 1] stay in [0, 1]
    return field


def _axis(mass: float, length: int, scale: float) -> tuple[int, int, float, float]:
    """Along one axis: the output pixels [start, stop) the scaled ink covers, and the source
    interval they sample. The centre of mass lands on the field's centre unless that would push
    ink out of the field; then it moves just enough to keep all the ink in."""
    target = min(max(IMAGE_SIZE / 2, mass * scale), IMAGE_SIZE - (length - mass) * scale)
    start = max(0, math.floor(target - mass * scale))
    stop = min(IMAGE_SIZE, math.ceil(target + (length - mass) * scale))
    return start, stop, mass + (start - target) / scale, mass + (stop - target) / scale
