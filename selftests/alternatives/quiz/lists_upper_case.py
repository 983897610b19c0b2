"""Correct answers written as lists (any order) with upper-case labels and spaces."""


def answer_a():
    return ["III", "I"]


def answer_b():
    return [" iii", "II "]


def answer_c():
    return ["IV", "iii"]


def answer_d():
    return ["II"]


def answer_e():
    return ("iv",)


def answer_f():
    return ["iii", "ii"]


def answer_g():
    return ["iv", "i"]


def answer_h():
    return ["IV", "II"]
