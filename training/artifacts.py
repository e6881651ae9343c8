"""What digits-train writes into its artifacts folder, named in one place that needs no Keras."""

from pathlib import Path

MODEL_FILE = "model.keras"
REPORT_FILE = "training_report.json"
FIGURE_FILE = "training_report.png"
STROKE_MODEL_FILE = "strokes.keras"  # the stroke model, when the run trained one
DEFAULT_FOLDER = Path("artifacts")  # where digits-train writes, and export reads, by default
