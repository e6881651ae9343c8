"""What digits-train writes into its artifacts folder, named in one place that needs no Keras."""

MODEL_FILE = "model.keras"
REPORT_FILE = "training_report.json"
FIGURE_FILE = "training_report.png"
