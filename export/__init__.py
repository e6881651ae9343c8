"""Turns the trained Keras model into the ONNX models the runtime ships: fp32 and int8."""
