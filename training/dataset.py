"""The training set: MNIST, real pen digits, continental styles, and drawings that are not digits.

Both models learn from the same drawings. Every drawing made of strokes becomes an image through
the runtime's one renderer (`runtime.canvas.render_strokes`) and preprocessing
(`runtime.preprocess.to_model_input`), and a trajectory through the stroke model's contract
(`runtime.trajectory`), so each model learns from exactly what the pad will feed it. MNIST's
scans have no strokes: the image model reads them as they are, and a sample of them traced back
into strokes (`training.trace`) teaches both models MNIST's writers as pen writing. Validation is
split by writer for the pen digits and by contributor for the letters, never at random (MNIST
has no writer ids: its hold-out is a seeded, class-stratified draw).
"""

from dataclasses import dataclass, field, replace

import numpy as np

from runtime import trajectory
from runtime.canvas import render_strokes
from runtime.engine import NUM_DIGITS
from runtime.preprocess import IMAGE_SIZE, to_model_input
from training import shapes, styles
from training.data import Mnist
from training.pen import (
    TEST_LETTER_SOURCES,
    TRAIN_WRITERS,
    VALIDATION_LETTER_SOURCES,
    VALIDATION_WRITERS,
    PenSamples,
)
from training.stroke_augment import StrokeAugmentation, augment
from training.trace import trace_strokes

NOT_A_DIGIT = NUM_DIGITS  # the class of everything that is not a digit: the eleventh logit
MNIST = "MNIST"
TRACED = "traced MNIST"
PEN_DIGITS = "pen digits"
LETTERS = "letters"
Strokes = list[np.ndarray]


@dataclass(frozen=True)
class Mix:
    """How much of each kind of drawing goes into training."""

    pen_variants: int = field(
        default=8,
        metadata={"help": "randomly varied renderings of each training writer's digit, plus it"},
    )
    styled_per_digit: int = field(
        default=1500,
        metadata={"help": "of each made style (slashed 0s, flagged 1s, crossed 7s, ...)"},
    )
    traced_mnist: int = field(
        default=20000, metadata={"help": "MNIST training images traced into strokes, varied"}
    )
    mnist_repeats: int = field(
        default=2,
        metadata={"help": "showings of each MNIST image per epoch, so pen data does not drown it"},
    )
    letter_variants: int = 1  # varied renderings of each training letter, plus it
    shapes_per_kind: int = 600  # of each kind in `training.shapes`
    letter_rows: int = 1500  # two to four training letters side by side
    vary_traced: bool = True  # traced MNIST strokes varied (as pen variants are), not as traced
    stroke_augmentation: StrokeAugmentation = field(default_factory=StrokeAugmentation)


# Validation drawings are shown as written: no variants, a smaller share of shapes and rows.
VALIDATION_MIX = Mix(
    pen_variants=0,
    styled_per_digit=0,
    traced_mnist=1000,
    letter_variants=0,
    shapes_per_kind=60,
    letter_rows=200,
    vary_traced=False,
)


@dataclass(frozen=True)
class Kind:
    """The drawings of one kind: uint8 images [N, 28, 28] (the image model's input x 255), the
    trajectories [N, POINTS, FEATURES] when they were made of strokes (else None), and labels
    0-9 or NOT_A_DIGIT."""

    images: np.ndarray
    trajectories: np.ndarray | None
    labels: np.ndarray


@dataclass(frozen=True)
class Examples:
    """One model's inputs and labels, in the order of `kinds` ({kind: count})."""

    x: np.ndarray
    y: np.ndarray
    kinds: dict[str, int]


@dataclass(frozen=True)
class TrainingSet:
    """Everything training sees and what it holds out, by kind."""

    train: dict[str, Kind]
    validation: dict[str, Kind]
    seed: int

    def images(self, split: str) -> Examples:
        """The image model's examples of "train" (shuffled) or "validation"."""
        return self._examples(split, "images", (IMAGE_SIZE, IMAGE_SIZE))

    def trajectories(self, split: str) -> Examples:
        """The stroke model's examples: the kinds drawn with strokes."""
        return self._examples(split, "trajectories", trajectory.INPUT_SHAPE)

    def composition(self) -> dict[str, dict[str, dict[str, int]]]:
        """{"image"|"stroke": {"train"|"validation": {kind: count}}}, for the report."""
        return {
            model: {split: getattr(self, inputs)(split).kinds for split in ("train", "validation")}
            for model, inputs in (("image", "images"), ("stroke", "trajectories"))
        }

    def _examples(self, split: str, inputs: str, shape: tuple[int, ...]) -> Examples:
        kinds = getattr(self, split).items()
        parts = {name: kind for name, kind in kinds if getattr(kind, inputs) is not None}
        if not parts:
            return Examples(np.zeros((0, *shape), np.float32), np.zeros(0, np.int64), {})
        x = np.concatenate([getattr(kind, inputs) for kind in parts.values()])
        y = np.concatenate([kind.labels for kind in parts.values()]).astype(np.int64)
        if split == "train":
            order = np.random.default_rng([self.seed, 2]).permutation(len(y))
            x, y = x[order], y[order]
        return Examples(x, y, {name: len(kind.labels) for name, kind in parts.items()})


def build(
    mnist: Mnist,
    pen: PenSamples | None,
    letters: PenSamples | None,
    mix: Mix,
    val_split: float,
    seed: int,
    limit: int | None = None,
) -> TrainingSet:
    """Everything training sees. Without pen data (`pen` and `letters` None) it is MNIST alone.

    The pendigits test writers and the held-apart letter sources are never used here.
    """
    x_mnist, y_mnist = _first(limit, mnist.x_train, mnist.y_train)
    held_out = mnist_hold_out(y_mnist, val_split, seed)
    x_own, y_own = x_mnist[~held_out], y_mnist[~held_out]
    train = {MNIST: Kind(x_own, None, y_own)}
    if pen is not None and letters is not None:
        mix = _capped(mix, limit)
        rng = np.random.default_rng([seed, 0])
        pen_train = _first_samples(pen.of_groups(TRAIN_WRITERS), limit)
        held_apart = TEST_LETTER_SOURCES + VALIDATION_LETTER_SOURCES
        letters_train = _first_samples(letters.where(~np.isin(letters.groups, held_apart)), limit)
        train |= _drawn_parts(pen_train, letters_train, x_own, y_own, mix, rng)
        train["continental styles"] = _styled(pen_train, x_own, y_own, mix, rng)
        repeats = [mix.mnist_repeats, 1, 1]
        train[MNIST] = Kind(np.tile(x_own, repeats), None, np.tile(y_own, mix.mnist_repeats))
    return TrainingSet(train, validation(mnist, pen, letters, val_split, seed, limit), seed)


def validation(
    mnist: Mnist,
    pen: PenSamples | None,
    letters: PenSamples | None,
    val_split: float,
    seed: int,
    limit: int | None = None,
) -> dict[str, Kind]:
    """The held-out drawings by kind: training stops early on them and export calibrates the
    fusion, the rejection and the "unsure" thresholds on them. Made from `seed` alone, so export
    gets exactly what training held out."""
    x_mnist, y_mnist = _first(limit, mnist.x_train, mnist.y_train)
    held_out = mnist_hold_out(y_mnist, val_split, seed)
    x_held, y_held = x_mnist[held_out], y_mnist[held_out]
    parts = {MNIST: Kind(x_held, None, y_held)}
    if pen is not None and letters is not None:
        pen_val = _first_samples(pen.of_groups(VALIDATION_WRITERS), limit)
        letters_val = _first_samples(letters.of_groups(VALIDATION_LETTER_SOURCES), limit)
        mix = _capped(VALIDATION_MIX, limit)
        rng = np.random.default_rng([seed, 1])
        parts |= _drawn_parts(pen_val, letters_val, x_held, y_held, mix, rng)
    return parts


def mnist_hold_out(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """A seeded, class-stratified hold-out mask, so a small --limit run still validates every
    digit."""
    rng = np.random.default_rng(seed)
    held_out = np.zeros(len(labels), dtype=bool)
    for digit in range(NUM_DIGITS):
        members = np.flatnonzero(labels == digit)
        held_out[rng.choice(members, size=round(len(members) * fraction), replace=False)] = True
    return held_out


def render(strokes: Strokes) -> np.ndarray:
    """Strokes as the image model's uint8 input, exactly as the pad prepares them."""
    image = to_model_input(render_strokes(strokes))
    if image is None:
        return np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    return np.rint(image * 255).astype(np.uint8)


def drawn(drawings: list[Strokes], labels) -> Kind:
    """Drawings made of strokes as both models' inputs."""
    images = np.array([render(strokes) for strokes in drawings], dtype=np.uint8)
    return Kind(
        images.reshape(-1, IMAGE_SIZE, IMAGE_SIZE),
        trajectory.batch(drawings),
        np.asarray(labels, dtype=np.int64).reshape(-1),
    )


def _drawn_parts(
    pen: PenSamples,
    letters: PenSamples,
    x_mnist: np.ndarray,
    y_mnist: np.ndarray,
    mix: Mix,
    rng: np.random.Generator,
) -> dict[str, Kind]:
    """Pen digits, traced MNIST, letters, shapes and rows of letters, as the pad renders them."""
    varied = mix.stroke_augmentation

    def with_variants(samples: PenSamples, variants: int) -> list[Strokes]:
        return [
            drawing
            for strokes in samples.strokes
            for drawing in [strokes, *(augment(strokes, rng, varied) for _ in range(variants))]
        ]

    traced = [
        (augment(strokes, rng, varied) if mix.vary_traced else strokes, digit)
        for strokes, digit in _traced(x_mnist, y_mnist, mix.traced_mnist, rng)
    ]
    shapes_drawn = [
        augment(make(rng), rng, varied)
        for make in shapes.SHAPES.values()
        for _ in range(mix.shapes_per_kind)
    ]
    rows = [
        shapes.letters_in_a_row([letters.strokes[i] for i in picks], rng)
        for picks in (
            rng.integers(0, len(letters), int(rng.integers(2, 5)))
            for _ in range(mix.letter_rows if len(letters) else 0)
        )
    ]
    return {
        PEN_DIGITS: drawn(
            with_variants(pen, mix.pen_variants), np.repeat(pen.labels, mix.pen_variants + 1)
        ),
        TRACED: drawn([strokes for strokes, _ in traced], [digit for _, digit in traced]),
        LETTERS: _negatives(with_variants(letters, mix.letter_variants)),
        "shapes": _negatives(shapes_drawn),
        "letters in a row": _negatives(rows),
    }


def _negatives(drawings: list[Strokes]) -> Kind:
    return drawn(drawings, np.full(len(drawings), NOT_A_DIGIT))


def _traced(
    x_mnist: np.ndarray, y_mnist: np.ndarray, count: int, rng: np.random.Generator
) -> list[tuple[Strokes, int]]:
    """(strokes, digit) of `count` MNIST images traced back into pen strokes (blank traces
    dropped)."""
    picks = rng.choice(len(y_mnist), min(count, len(y_mnist)), replace=False)
    traced = [(trace_strokes(x_mnist[i]), int(y_mnist[i])) for i in picks]
    return [(strokes, digit) for strokes, digit in traced if strokes]


def _styled(
    pen: PenSamples,
    x_mnist: np.ndarray,
    y_mnist: np.ndarray,
    mix: Mix,
    rng: np.random.Generator,
) -> Kind:
    """The made styles (`training.styles`), from pen strokes and from traced MNIST digits."""
    drawings, labels = [], []
    for style in styles.STYLES:
        sources = _style_sources(pen, x_mnist, y_mnist, style.digit, mix.styled_per_digit, rng)
        drawings += [augment(style.make(s, rng), rng, mix.stroke_augmentation) for s in sources]
        labels += [style.digit] * len(sources)
    return drawn(drawings, labels)


def _style_sources(
    pen: PenSamples,
    x_mnist: np.ndarray,
    y_mnist: np.ndarray,
    digit: int,
    count: int,
    rng: np.random.Generator,
) -> list[Strokes]:
    """`count` plain writings of `digit` to add a style to: half pen strokes, half traced MNIST."""
    mine = np.flatnonzero(pen.labels == digit)
    chosen = [pen.strokes[i] for i in rng.choice(mine, min(len(mine), count // 2), replace=False)]
    theirs = np.flatnonzero(y_mnist == digit)
    picks = rng.choice(theirs, min(len(theirs), count - len(chosen)), replace=False)
    chosen += [s for s in (trace_strokes(x_mnist[i]) for i in picks) if s]
    return chosen


def _capped(mix: Mix, limit: int | None) -> Mix:
    """With --limit N, no kind of made-up drawing outnumbers N either: quick runs stay quick."""
    if limit is None:
        return mix
    return replace(
        mix,
        styled_per_digit=min(mix.styled_per_digit, limit // len(styles.STYLES)),
        traced_mnist=min(mix.traced_mnist, limit),
        shapes_per_kind=min(mix.shapes_per_kind, limit // len(shapes.SHAPES)),
        letter_rows=min(mix.letter_rows, limit),
    )


def _first(limit: int | None, images: np.ndarray, labels: np.ndarray):
    return (images, labels) if limit is None else (images[:limit], labels[:limit])


def _first_samples(samples: PenSamples, limit: int | None) -> PenSamples:
    if limit is None or len(samples) <= limit:
        return samples
    keep = np.zeros(len(samples), dtype=bool)
    keep[:limit] = True
    return samples.where(keep)
