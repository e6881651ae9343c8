"""Trains the digit classifier on MNIST (Keras): data, model, augmentation, training and report."""
