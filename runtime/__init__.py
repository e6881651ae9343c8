"""The shippable part of digits: preprocessing, the onnxruntime engine, the pad and the predict CLI.

Imports only onnxruntime, numpy, pygame, pillow and the standard library, so this folder can be
copied alone onto a device.
"""

import os

# pygame greets on stdout at import, which would corrupt the pad's JSON-lines output.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
