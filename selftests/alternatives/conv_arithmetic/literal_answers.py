"""Writes the by-hand answers as literals, as a student working on paper would (lists for shapes)."""


def answer_conv1d_200_shape():
    return [8, 99]


def answer_conv2d_28_params():
    return 8 * (4 * 4 * 3) + 8


def answer_first_layer_i_shape():
    return (64, 126, 126)


def answer_stack_vi_params():
    return 416 + 2 * (2 * 2 * 32 * 32 + 32)


def answer_fc_smallest_setting():
    return " VI"


def answer_fc_smallest_params():
    return 2 * 2 * 32 * 10 + 10
