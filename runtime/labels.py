"""What a model can answer: the ten digits, in the order of its scores."""

LABELS = tuple(str(digit) for digit in range(10))
NUM_DIGITS = len(LABELS)
