import os

# Tests never open windows; set before matplotlib is first imported.
os.environ.setdefault("MPLBACKEND", "Agg")
