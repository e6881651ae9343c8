"""What an exported model says about itself, in ONNX metadata_props and in a model card.

The runtime reads these through onnxruntime's `custom_metadata_map`, so it needs no `onnx`
package; the contract keys (`runtime.engine.CONTRACT`) are checked when a model is loaded.
"""

import json
import platform
from datetime import UTC, datetime
from pathlib import Path

import onnx

from runtime.engine import CONTRACT
from runtime.rejection import REJECT_KEY, UNSURE_KEY
from training.files import sha256_of_files

PROVENANCE = "Provenance and settings"


def describe(
    *,
    keras_model: Path,
    training_data_sha256: str,
    evaluation_data_sha256: str,
    precision: str,
) -> dict[str, str]:
    """The metadata every exported model carries, apart from its own test accuracy."""
    import onnxruntime
    import tensorflow as tf
    import tf2onnx

    return {
        **CONTRACT,
        "precision": precision,
        "source_keras_sha256": sha256_of_files([keras_model]),
        "training_data_sha256": training_data_sha256,
        "evaluation_data_sha256": evaluation_data_sha256,
        "versions": (
            f"python {platform.python_version()}, tensorflow {tf.__version__}, "
            f"tf2onnx {tf2onnx.__version__}, onnx {onnx.__version__}, "
            f"onnxruntime {onnxruntime.__version__}"
        ),
        "exported": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def with_metadata(model: onnx.ModelProto, metadata: dict[str, str]) -> onnx.ModelProto:
    """A copy of `model` whose metadata_props are exactly `metadata`."""
    tagged = onnx.ModelProto()
    tagged.CopyFrom(model)
    del tagged.metadata_props[:]
    onnx.helper.set_model_props(tagged, metadata)
    return tagged


def with_section(card: str, title: str, body: str) -> str:
    """The card with a `## title` section holding `body`: replaced if the card has it, else
    added before the provenance (evaluations add their tables to the card this way)."""
    heading = f"## {title}\n"
    section = f"{heading}\n{body.strip()}\n\n"
    if heading in card:
        start = card.index(heading)
        following = card.find("\n## ", start + len(heading))
        end = len(card) if following < 0 else following + 1
        return card[:start] + section + card[end:]
    anchor = card.find(f"## {PROVENANCE}")
    return card + "\n" + section if anchor < 0 else card[:anchor] + section + card[anchor:]


def model_card(models: dict[str, tuple[dict[str, str], int]]) -> str:
    """A short Markdown card for the published models: {file name: (metadata, size in bytes)}."""
    lines = ["# digits models", ""]
    lines += [
        "Handwritten-digit classifiers exported by `digits-export`. Input `image`: float32",
        "[N, 28, 28, 1], white ink on black in [0, 1], prepared by `runtime/preprocess.py`;",
        "outputs `probabilities`: [N, 10] for the digits 0-9, and `not_digit`: [N], the",
        "probability that the drawing is no digit at all (models trained with pen data).",
        "",
        "| file | precision | MNIST test accuracy | reject at not_digit | unsure below | size |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, (meta, size) in models.items():
        lines.append(
            f"| `{name}` | {meta['precision']} | {float(meta['test_accuracy']):.2%} "
            f"| {meta.get(REJECT_KEY, 'never')} | {meta.get(UNSURE_KEY, '-')} "
            f"| {size / 1024:.1f} KiB |"
        )
    lines += ["", "## Thresholds on development data (held out of training)", ""]
    for name, (meta, _) in models.items():
        figures = json.loads(meta.get("calibration", "{}"))
        lines.append(f"`{name}`: " + ", ".join(f"{k} {v:.2%}" for k, v in figures.items()))
        lines.append("")
    first = next(iter(models.values()))[0]
    own = ("precision", "test_accuracy", "calibration", REJECT_KEY, UNSURE_KEY)
    shared = [key for key in first if key not in own]
    lines += [f"## {PROVENANCE}", ""]
    for name, (meta, _) in models.items():
        extra = {k: v for k, v in meta.items() if k.startswith("quantization_")}
        if extra:
            lines.append(f"`{name}`: " + ", ".join(f"{k}={v}" for k, v in extra.items()))
            lines.append("")
    lines += [f"- {key}: {first[key]}" for key in shared if not key.startswith("quantization_")]
    return "\n".join(lines) + "\n"
