"""digits-predict: read digits from image files, one JSON line per file (`python -m
runtime.predict`, or `python path/to/runtime/predict.py`).

A file that cannot be used gets a line with an "error" and the others are still read; the exit
code is then 1. A bad model is different: nothing can be read, so one stderr line and exit 2.
"""

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

if not __package__:  # run as a script (python path/to/runtime...): import the folder as a package
    _folder = Path(__file__).resolve().parent
    sys.path[:] = [str(_folder.parent), *(p for p in sys.path if Path(p).resolve() != _folder)]

from runtime import preprocess
from runtime.engine import DEFAULT_MODEL, Engine
from runtime.errors import DigitsError

PROG = "digits-predict"


class ImageError(DigitsError):
    """This file cannot be read as a digit image."""


def load_ink(path: Path) -> np.ndarray:
    """The ink of an image file in [0, 1], whatever its format, orientation and polarity.

    Transparent images (ink on a clear background) use their alpha channel as the ink.
    Pillow's decompression-bomb limit stays on, and its warning tier counts as an error too:
    a picture of a digit has no business being tens of megapixels.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image = ImageOps.exif_transpose(image)
                if image.has_transparency_data and image.mode != "RGBA":
                    image = image.convert("RGBA")
                if image.mode == "RGBA" and image.getextrema()[3][0] < 255:
                    return np.asarray(image.getchannel("A"), dtype=np.float32) / 255.0
                return preprocess.ink_from_grayscale(np.asarray(image.convert("L")))
    except FileNotFoundError:
        raise ImageError("file not found") from None
    except PermissionError:
        raise ImageError("permission denied") from None
    except IsADirectoryError:
        raise ImageError("is a directory, not an image") from None
    except UnidentifiedImageError:
        raise ImageError("not an image Pillow can read") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageError(f"image too large: {error}") from None
    except (OSError, ValueError, SyntaxError) as error:  # truncated or corrupt image data
        raise ImageError(f"cannot decode image: {error}") from None


def image_input(path: Path) -> np.ndarray | None:
    """The model input for an image file; None when it holds no ink."""
    return preprocess.to_model_input(load_ink(path))


def predict_file(engine: Engine, path: Path) -> dict:
    """The JSON-ready result for one file; a blank image gets no prediction (nulls), not a guess."""
    try:
        image = image_input(path)
    except ImageError as error:
        return {"file": str(path), "error": str(error)}
    if image is None:
        return {"file": str(path), "digit": None, "confidence": None, "probabilities": None}
    prediction = engine.predict(image)
    return {
        "file": str(path),
        "digit": prediction.digit,
        "confidence": round(prediction.confidence, 4),
        "probabilities": [round(p, 4) for p in prediction.probabilities],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Predict the digit in each image file (JSON lines on stdout)."
    )
    parser.add_argument("images", nargs="+", type=Path, metavar="IMAGE")
    parser.add_argument(
        "--model", type=Path, default=DEFAULT_MODEL, help="ONNX model (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        engine = Engine(args.model)
    except DigitsError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    failed = False
    for path in args.images:
        result = predict_file(engine, path)
        failed |= "error" in result
        print(json.dumps(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
