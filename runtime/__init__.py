"""The shippable part of digits: preprocessing, the onnxruntime engine, the pad and the predict CLI.

Imports only onnxruntime, numpy, pygame, pillow and the standard library, so this folder can be
copied alone onto a device.

From a stroke to an answer:
    pad/ (or predict.py --strokes)  a stroke ends: its points in canvas pixels
    writing.py     joins it to the strokes it touches (kept as strokes come and go)
    segment.py     groups the clusters into parts left to right, by their overlap
    lattice.py     candidate digits: parts, neighbours joined, wide parts cut
    reader.py      draws each candidate once (canvas.render_strokes + preprocess, trajectory),
                   remembers it by its strokes' content, reads all in one batch per model
    engine.py      the image and the stroke model (onnxruntime), fusion.py combines them
                   (labels.py: the digits they score; profile.py: the writer's own digits)
    lattice.py     the line's best reading; rejection.py: digit, unsure, or "not a digit"
    reader.py      the Reading: digits, boxes, the number, and its JSON (as_json)
Images take the same path from reader.read_ink: inputs.py, segment.components, preprocess.
"""

import os

# pygame greets on stdout at import, which would corrupt the pad's JSON-lines output.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
