"""The drawing pad: write a digit or a number with the mouse and watch the model read it.

Shaped like pygame's own examples: one loop (`loop`) handles events, updates the state, draws and
flips. All state and logic live in `Pad` (`state`), which never touches the screen, so tests
drive it with plain events; `layout` is a pure function of the window size; `View` (`view`) only
draws.

With --print-predictions the pad writes one JSON object per line on stdout (via `emit`):
  {"event": "ready", "canvas": [x, y, w, h], "model": "<file name>"}  (window shown, model loaded)
  {"event": "prediction", "digit": d, "confidence": c, "unsure": u, "probabilities": [p0..p9],
   "number": "...", "digits": [{"digit", "confidence", "unsure", "box"}, ...], "ms": t}
      after every stroke ends, after an undo that leaves ink, and after a correction
      (`runtime.reader.Reading`'s JSON); ms is segmentation, preprocessing and inference
  {"event": "correction", "digit": d, "was": w, "profile": n}  a digit key said what the
      chosen digit was; n is how many digits the profile now holds
  {"event": "forgotten"}  the profile was emptied (F)
  {"event": "clear"}  after a clear, and after an undo that leaves the canvas empty
Live predictions while drawing update the panel only, so each stroke prints exactly one line.
An undo with nothing to undo changes nothing and prints nothing.
"""

from runtime.pad.layout import MIN_WINDOW_SIZE, WINDOW_SIZE, Layout, layout
from runtime.pad.loop import run
from runtime.pad.state import LIVE_INTERVAL_MS, Emit, Pad
from runtime.pad.view import View

__all__ = [
    "LIVE_INTERVAL_MS",
    "MIN_WINDOW_SIZE",
    "WINDOW_SIZE",
    "Emit",
    "Layout",
    "Pad",
    "View",
    "layout",
    "run",
]
