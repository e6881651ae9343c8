"""python -m export.evaluation.pictures: how pictures of real writing are read, as users take them.

The same digits, turned into the pictures people scan, photograph and crop, each saved as a file
and read by the predict CLI's own code: MNIST test images (enlarged 4x from their 28 px, dark
ink on white, as a scan of a form) and the pendigits test writers' digits (31-44, drawn with a
drawing app's round brush, as a screenshot), in each variant:
- as drawn: the picture as it is;
- thick marker: the ink grown until its strokes are about MARKER of the digit's height (the
  plain pen pictures' are about 17%), small loops nearly shut;
- fine pen: a 3 px pen on a 1000 px picture (the pen digits, redrawn so);
- tight crop: cropped to the ink, no paper around it;
- 32 px scan, 16 px scan: cropped to the digit and shrunk to 32 or 16 pixels square, grey;
- grey paper: ink 40 on paper 180 with a little noise, as a photo in poor light;
- dark board: light ink on dark paper;
- JPEG: saved at quality 40.
A digit is right when the picture reads as exactly that digit. With --errors, a contact sheet of
what the model saw of every error, per variant.
"""

import io
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from export.evaluation import cli
from export.evaluation.pen import (
    IMAGE_BRUSH,
    IMAGE_CANVAS,
    THIN_BRUSH,
    THIN_CANVAS,
    _positions,
    contact_sheet,
)
from export.evaluation.report import Headline, Result, Table
from runtime.canvas import Canvas
from runtime.cli import positive_int
from runtime.inputs import load_ink
from runtime.reader import Reader
from training.accuracy import share
from training.data import load_mnist, sample_indices
from training.files import atomic_write
from training.pen import TEST_WRITERS, load_pendigits
from training.sources import MNIST, PENDIGITS

PROG = "python -m export.evaluation.pictures"
TITLE = "Pictures of real writing"
DEFAULT_MNIST = 3000  # MNIST test images, a fixed sample
ENLARGE = 4  # an MNIST image as a scan: 112 px
MARKER = 0.22  # the thick marker's strokes, as a share of the digit's height
PLAIN = "as drawn"
Picture = np.ndarray  # uint8, dark ink (0) on white paper (255)


def _ink_box(picture: Picture) -> tuple[int, int, int, int]:
    rows = np.flatnonzero((picture < 128).any(axis=1))
    cols = np.flatnonzero((picture < 128).any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def thick_marker(picture: Picture) -> Picture:
    """The ink grown until its strokes are about MARKER of the digit's height."""
    top, bottom, _, _ = _ink_box(picture)
    ink = picture < 128
    width = (
        2
        * ink.sum()
        / max(1, np.count_nonzero(np.diff(ink, axis=0)) + np.count_nonzero(np.diff(ink, axis=1)))
    )
    grow = max(1, round((MARKER * (bottom - top) - width * 4 / np.pi) / 2))
    return np.asarray(Image.fromarray(picture).filter(ImageFilter.MinFilter(2 * grow + 1)))


def tight_crop(picture: Picture) -> Picture:
    top, bottom, left, right = _ink_box(picture)
    return picture[top:bottom, left:right]


def scan(side: int) -> Callable[[Picture], Picture]:
    def scanned(picture: Picture) -> Picture:
        top, bottom, left, right = _ink_box(picture)
        extent = max(bottom - top, right - left)
        middle_y, middle_x = (top + bottom) // 2, (left + right) // 2
        half = extent // 2 + 1
        padded = np.pad(picture, half, constant_values=255)
        square = padded[middle_y : middle_y + 2 * half, middle_x : middle_x + 2 * half]
        return np.asarray(Image.fromarray(square).resize((side, side), Image.Resampling.BOX))

    scanned.__name__ = f"scan_{side}"
    return scanned


def grey_paper(picture: Picture) -> Picture:
    noise = np.random.default_rng(int(picture.sum()) % 2**32).normal(0, 8, picture.shape)
    return np.clip(40 + (picture.astype(float) / 255) * 140 + noise, 0, 255).astype(np.uint8)


def dark_board(picture: Picture) -> Picture:
    return (40 + (255 - picture.astype(float)) / 255 * 190).astype(np.uint8)


VARIANTS: dict[str, Callable[[Picture], Picture] | None] = {
    PLAIN: lambda picture: picture,
    "thick marker": thick_marker,
    "fine pen": None,  # redrawn, for the pen digits only
    "tight crop": tight_crop,
    "32 px scan": scan(32),
    "16 px scan": scan(16),
    "grey paper": grey_paper,
    "dark board": dark_board,
    "JPEG": lambda picture: picture,  # saved as a JPEG instead of a PNG
}


def mnist_pictures(images: np.ndarray) -> list[Picture]:
    enlarged = [
        Image.fromarray(255 - image).resize((28 * ENLARGE,) * 2, Image.Resampling.BICUBIC)
        for image in images
    ]
    return [np.asarray(picture) for picture in enlarged]


def pen_pictures(drawings, side: int = IMAGE_CANVAS, brush: float = IMAGE_BRUSH) -> list[Picture]:
    pictures = []
    for strokes in drawings:
        canvas = Canvas((side, side), brush)
        canvas.replay(_positions(strokes, side))
        pictures.append(255 - canvas.ink())
    return pictures


def read_pictures(reader: Reader, pictures: list[Picture], variant: str, folder: Path):
    """Each picture in the variant, saved and read back as the predict CLI reads a file."""
    make = VARIANTS[variant]
    suffix = ".jpg" if variant == "JPEG" else ".png"
    path = folder / f"picture{suffix}"
    readings = []
    for picture in pictures:
        made = Image.fromarray(make(picture) if make is not None else picture)
        if suffix == ".jpg":
            buffer = io.BytesIO()
            made.save(buffer, format="JPEG", quality=40)
            path.write_bytes(buffer.getvalue())
        else:
            made.save(path)
        readings.append(reader.read_ink(load_ink(path)))
    return readings


def evaluate(engine, mnist_images, mnist_labels, pen) -> tuple[dict, dict]:
    reader = Reader(engine)
    sets = {
        "MNIST test": (mnist_pictures(mnist_images), mnist_labels),
        "writers 31-44": (pen_pictures(pen.strokes), pen.labels),
    }
    figures, readings = {}, {}
    with tempfile.TemporaryDirectory() as folder:
        for name, (pictures, labels) in sets.items():
            figures[name] = {}
            for variant in VARIANTS:
                if variant == "fine pen":
                    if name != "writers 31-44":
                        continue
                    found = read_pictures(
                        reader,
                        pen_pictures(pen.strokes, THIN_CANVAS, THIN_BRUSH),
                        PLAIN,
                        Path(folder),
                    )
                else:
                    found = read_pictures(reader, pictures, variant, Path(folder))
                right = [r.number == str(label) for r, label in zip(found, labels, strict=True)]
                figures[name][variant] = share(right)
                readings[(name, variant)] = (found, labels)
    return figures, readings


def result(figures: dict, counts: dict[str, int]) -> Result:
    variants = list(VARIANTS)
    rows = [
        [
            variant,
            *(
                f"{figures[name][variant]:.2%}" if variant in figures[name] else "-"
                for name in figures
            ),
        ]
        for variant in variants
    ]
    table = Table(["picture", *(f"{name} ({counts[name]})" for name in figures)], rows)
    worst = {name: min(figures[name], key=figures[name].get) for name in figures}
    below = {
        name: max(figures[name][PLAIN] - value for value in figures[name].values())
        for name in figures
    }
    headline = [
        Headline(
            f"pictures of MNIST test digits, worst variant ({worst['MNIST test']})",
            figures["MNIST test"][worst["MNIST test"]],
            bar="pictures: MNIST variants",
        ),
        Headline(
            f"pictures of writers 31-44, worst variant ({worst['writers 31-44']})",
            figures["writers 31-44"][worst["writers 31-44"]],
            bar="pictures: pen variants",
        ),
        Headline(
            "pictures: most below the plain picture",
            max(below.values()),
            bar="pictures: below the plain image path",
        ),
        Headline(
            "writers 31-44, fine pen (3 px on 1000 px)",
            figures["writers 31-44"]["fine pen"],
            bar="pen: thin-pen path",
        ),
    ]
    return Result(
        name="pictures",
        title=TITLE,
        command=f"{PROG} --errors artifacts/evaluation/picture-errors.png --publish",
        intro=__doc__.split("\n\n", 1)[1],
        tables=[table],
        headline=headline,
        figures=figures,
    )


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(PROG, "Accuracy on pictures as users take them.", MNIST, PENDIGITS)
    parser.add_argument(
        "--count", type=positive_int, default=DEFAULT_MNIST, help="MNIST test images"
    )
    parser.add_argument(
        "--errors", type=Path, help="contact sheets of the errors: PATH-<variant>.png"
    )

    def measure(args) -> Result:
        mnist = load_mnist(args.data)
        chosen = sample_indices(len(mnist.y_test), args.count, 0)
        pen = load_pendigits(args.pen_data).of_groups(TEST_WRITERS)
        figures, readings = evaluate(
            cli.engine(args), mnist.x_test[chosen], mnist.y_test[chosen], pen
        )
        if args.errors:
            for (name, variant), (found, labels) in readings.items():
                sheet = contact_sheet(found, np.asarray(labels))
                slug = f"{name}-{variant}".replace(" ", "-")
                target = args.errors.with_name(f"{args.errors.stem}-{slug}.png")
                atomic_write(target, lambda tmp, s=sheet: s.save(tmp, format="PNG"))
        return result(figures, {"MNIST test": len(chosen), "writers 31-44": len(pen)})

    return cli.main(PROG, parser, measure, argv)


if __name__ == "__main__":
    sys.exit(main())
