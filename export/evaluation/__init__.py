"""How good the shipped model is where users meet it: one module per evaluation, each a CLI that
prints the table the README quotes (python -m export.evaluation.<name>)."""
