"""What an exported model says about itself, in ONNX metadata_props and in a model card.

The runtime reads these through onnxruntime's `custom_metadata_map`, so it needs no `onnx`
package; the contract keys (`runtime.engine.CONTRACT`) are checked when a model is loaded.
"""

import json
import platform
from datetime import UTC, datetime
from pathlib import Path

import onnx

from runtime.rejection import FUSED, REJECT_KEY, UNSURE_KEY
from training.files import sha256_of_files

PROVENANCE = "Provenance and settings"
SHARED_KEYS = (
    "training_data_sha256",
    "evaluation_data_sha256",
    "versions",
    "exported",
)
OWN_KEYS = (
    "source_keras_sha256",
    "temperature",
    "fusion_weight",
    "fusion_temperature",
    "stroke_model",
    "image_model_sha256",
)


def describe(
    contract: dict[str, str],
    *,
    keras_model: Path,
    training_data_sha256: str,
    evaluation_data_sha256: str,
    precision: str,
) -> dict[str, str]:
    """The metadata every exported model carries, apart from its own results: the `contract`
    of its input (`runtime.engine.CONTRACT` or `STROKE_CONTRACT`), its precision and where it
    came from."""
    import onnxruntime
    import tensorflow as tf
    import tf2onnx

    return {
        **contract,
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


def model_card(models: dict[str, tuple[dict[str, str], int]]) -> str:
    """A short Markdown card for the published models: {file name: (metadata, size in bytes)}."""
    lines = ["# digits models", ""]
    lines += [
        "Handwritten-digit classifiers exported by `digits-export`. The image models read",
        "`image`: float32 [N, 28, 28, 1], white ink on black in [0, 1], prepared by",
        "`runtime/preprocess.py`; the stroke models read `trajectory`: float32 [N, 64, 7], the",
        "pen's path prepared by `runtime/trajectory.py`. Each outputs `logits`: [N, 11], scores",
        'for the digits 0-9 and "not a digit" (the runtime\'s softmax divides them by the',
        "model's temperature), and `embedding`, its last hidden layer. Where the strokes are",
        "known the runtime combines the pair (`runtime/fusion.py`) with the weight, temperature",
        "and thresholds written in the stroke model.",
        "",
        "| file | precision | accuracy | reject at not_digit | unsure below | size |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, (meta, size) in models.items():
        if "test_accuracy" in meta:
            measured = f"MNIST test {float(meta['test_accuracy']):.2%}"
            reject, unsure = meta.get(REJECT_KEY, "never"), meta.get(UNSURE_KEY, "-")
        else:
            measured = f"validation writers {float(meta['validation_writers_accuracy']):.2%}"
            reject = f"combined: {meta.get(FUSED + REJECT_KEY, 'never')}"
            unsure = f"combined: {meta.get(FUSED + UNSURE_KEY, '-')}"
        lines.append(
            f"| `{name}` | {meta['precision']} | {measured} | {reject} | {unsure} "
            f"| {size / 1024:.1f} KiB |"
        )
    lines += ["", "## Thresholds on development data (held out of training)", ""]
    for name, (meta, _) in models.items():
        figures = json.loads(meta.get("calibration", "{}"))
        lines.append(f"`{name}`: " + ", ".join(f"{k} {v:.2%}" for k, v in figures.items()))
        lines.append("")
    lines += [f"## {PROVENANCE}", ""]
    for name, (meta, _) in models.items():
        own = {k: v for k, v in meta.items() if k in OWN_KEYS or k.startswith("quantization_")}
        lines.append(f"`{name}`: " + ", ".join(f"{k}={v}" for k, v in own.items()))
        lines.append("")
    first = next(iter(models.values()))[0]
    shared = [key for key in first if key in SHARED_KEYS]
    lines += [f"- {key}: {first[key]}" for key in shared]
    return "\n".join(lines) + "\n"
