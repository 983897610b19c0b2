"""Correct answers as frozensets built from per-statement truth tables."""

_TRUTH = {
    "a": (True, False, True, False),
    "b": (False, True, True, False),
    "c": (False, False, True, True),
    "d": (False, True, False, False),
    "e": (False, False, False, True),
    "f": (False, True, True, False),
    "g": (True, False, False, True),
    "h": (False, True, False, True),
}


def _labels(q):
    return frozenset(label for label, true in zip(("i", "ii", "iii", "iv"), _TRUTH[q]) if true)


def answer_a():
    return _labels("a")


def answer_b():
    return _labels("b")


def answer_c():
    return _labels("c")


def answer_d():
    return _labels("d")


def answer_e():
    return _labels("e")


def answer_f():
    return _labels("f")


def answer_g():
    return _labels("g")


def answer_h():
    return _labels("h")
