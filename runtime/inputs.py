"""What a user hands the predict CLI, turned into drawings: image files into ink, JSON into strokes.

Both refuse bad input with an InputError whose message fits on one line, so one bad input costs
one error line and the others are still read.
"""

import json
import math
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from runtime import preprocess
from runtime.errors import DigitsError

# A picture of a few digits needs few pixels. Larger images are read at a reduced size (JPEGs are
# decoded reduced, which costs no memory), and images that would take too much memory to decode
# on a small device (more than MAX_PIXELS, about 64 MB as RGBA) are refused.
WORKING_PIXELS = 4_000_000
MAX_PIXELS = 16_000_000
MAX_COORDINATE = 1e7  # a stroke coordinate beyond this is a unit error, not handwriting


class InputError(DigitsError):
    """This input cannot be read as a drawing."""


def load_ink(path: Path) -> np.ndarray:
    """The ink of an image file in [0, 1], whatever its format, size, orientation and polarity.

    Transparent images (ink on a clear background) use their alpha channel as the ink.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.draft("L", _reduced(image.size))  # JPEG: decode at a fraction of the size
                if image.width * image.height > MAX_PIXELS:
                    raise InputError(
                        f"image too large: {image.width}x{image.height} pixels "
                        f"(at most {MAX_PIXELS // 1_000_000} megapixels; scale it down)"
                    )
                image = ImageOps.exif_transpose(image)
                factor = math.ceil(math.sqrt(image.width * image.height / WORKING_PIXELS))
                if image.mode.startswith("I;16"):  # 16-bit grey: Pillow's "L" clips it, so scale it
                    image = image.point(lambda value: value / 257)
                if image.has_transparency_data and image.mode != "RGBA":
                    image = image.convert("RGBA")
                if image.mode == "RGBA" and image.getextrema()[3][0] < 255:
                    alpha = image.getchannel("A").reduce(factor)
                    return np.asarray(alpha, dtype=np.float32) / 255.0
                gray = image.convert("L").reduce(factor)
                return preprocess.ink_from_grayscale(np.asarray(gray))
    except FileNotFoundError:
        raise InputError("file not found") from None
    except PermissionError:
        raise InputError("permission denied") from None
    except IsADirectoryError:
        raise InputError("is a directory, not an image") from None
    except UnidentifiedImageError:
        raise InputError("not an image Pillow can read") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise InputError(f"image too large: {error}") from None
    except (OSError, ValueError, SyntaxError) as error:  # truncated or corrupt image data
        raise InputError(f"cannot decode image: {error}") from None


def parse_strokes(text: str) -> list[np.ndarray]:
    """`{"strokes": [[[x, y], ...], ...]}` (any units, y down) as (n, 2) float arrays."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"not JSON: {error.msg} at character {error.pos}") from None
    if not isinstance(document, dict) or "strokes" not in document:
        raise InputError('expected a JSON object {"strokes": [[[x, y], ...], ...]}')
    strokes = document["strokes"]
    if not isinstance(strokes, list) or not strokes:
        raise InputError('"strokes" must be a non-empty list of strokes')
    parsed = []
    for number, stroke in enumerate(strokes, 1):
        if not isinstance(stroke, list) or not stroke:
            raise InputError(f"stroke {number} must be a non-empty list of [x, y] points")
        if not all(_is_point(point) for point in stroke):
            raise InputError(f"stroke {number}: every point must be [x, y], two numbers")
        try:
            points = np.array(stroke, dtype=np.float64)
        except OverflowError:  # an integer beyond any float
            points = np.array([[np.inf, np.inf]])
        if not np.isfinite(points).all() or np.abs(points).max() > MAX_COORDINATE:
            raise InputError(
                f"stroke {number}: coordinates must be finite and within +-{MAX_COORDINATE:g}"
            )
        parsed.append(points)
    return parsed


def parse_label(text: str) -> int | None:
    """The digit a stroke line says it is (`"label": d`), or None when it says none."""
    document = json.loads(text)
    if "label" not in document:
        return None
    label = document["label"]
    if not (isinstance(label, int) and not isinstance(label, bool) and 0 <= label <= 9):
        raise InputError('"label" must be a digit, 0 to 9')
    return label


def _is_point(point) -> bool:
    return (
        isinstance(point, list)
        and len(point) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in point)
    )


def _reduced(size: tuple[int, int]) -> tuple[int, int]:
    """The size to ask a JPEG decoder for: no more than WORKING_PIXELS."""
    factor = max(1.0, math.sqrt(size[0] * size[1] / WORKING_PIXELS))
    return (max(1, int(size[0] / factor)), max(1, int(size[1] / factor)))
