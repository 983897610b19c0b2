"""The diagnosis engine (autograder/diagnose.py): one test per explanation kind, and negative tests:
no explanation is claimed when none fits."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from autograder.checks import Mismatch, assert_close
from autograder.diagnose import explain, explain_exception, matching_variants


@pytest.fixture
def e():
    return np.random.default_rng(0).standard_normal((2, 3, 4, 5))


def test_transposed_in_last_two_axes():
    x = np.random.default_rng(1).standard_normal((2, 4, 4))
    assert explain(x.swapaxes(-1, -2), x) == "your output equals the expected one transposed in its last two axes"
    # not square: the shape differs and the values are still the transposed ones
    y = np.random.default_rng(1).standard_normal((2, 3, 5))
    assert "transposed in its last two axes" in explain(y.swapaxes(1, 2), y)


def test_two_axes_swapped_are_named(e):
    text = explain(np.transpose(e, (0, 1, 3, 2))[:, :, :, :], e)
    assert "transposed in its last two axes" in text
    text = explain(np.swapaxes(e, 0, 1), e, axes=("batch", "head", "query", "key"))
    assert text == "your output equals the expected one with the batch axis (axis 0) and the head axis (axis 1) swapped"


def test_general_permutation(e):
    text = explain(np.transpose(e, (1, 2, 0, 3)), e)
    assert "axes permuted" in text and "(1, 2, 0, 3)" in text


def test_shape_is_a_permutation_without_matching_values(e):
    wrong = np.random.default_rng(5).standard_normal((3, 2, 4, 5))
    assert explain(wrong, e) == ("your output's shape (3, 2, 4, 5) is a permutation of the expected (2, 3, 4, 5): "
                                 "the axes come out in another order")


def test_reshaped_and_size_one_axes(e):
    assert "in shape (6, 4, 5)" in explain(e.reshape(6, 4, 5), e)
    assert "an axis of size 1 is extra" in explain(e[:, None], e)
    assert "an axis of size 1 is missing" in explain(e[:, :1].squeeze(1), e[:, :1])


def test_one_item_only_and_repeated(e):
    assert explain(e[0], e) == ("your output is the expected one for index 0 of axis 0 only "
                                "(that axis, of size 2, is missing)")
    repeated = np.broadcast_to(e[:, 1:2], e.shape)
    assert explain(repeated, e, axes=("batch", "head", "query", "key")) == (
        "your output repeats the expected result for index 1 of the head axis (axis 1) at every index of that axis")


def test_flipped(e):
    assert explain(np.flip(e, 2), e) == "your output equals the expected one flipped along the second-to-last axis (axis 2)"
    assert "flipped along the second-to-last axis (axis 2) and the last axis (axis 3)" in explain(np.flip(e, (2, 3)), e)


def test_rolled_and_shifted(e):
    assert "rolled by one along the last axis" in explain(np.roll(e, 1, axis=3), e)
    assert "one position earlier" in explain(np.roll(e, -1, axis=3), e)
    shifted = np.concatenate([np.zeros_like(e[:, :, :1]), e[:, :, :-1]], axis=2)
    assert "shifted by one position along the second-to-last axis" in explain(shifted, e)


def test_sign_and_scale_with_named_constants(e):
    assert "sign flipped" in explain(-e, e)
    assert explain(2 * e, e) == "your output equals the expected one times 2 (= 2)"
    assert explain(e / math.sqrt(5), e) == "your output equals the expected one times 0.447214 (= 1/sqrt(d))"
    assert explain(e * math.sqrt(8), e, sizes={"d_k": 8}).endswith("(= sqrt(d_k))")
    assert explain(e * 1.7, e) == "your output equals the expected one times 1.7"


def test_offset_constant_and_per_axis_vector(e):
    assert explain(e + 0.25, e) == "your output equals the expected one plus the constant 0.25 everywhere"
    bias = np.arange(3.0).reshape(1, 3, 1, 1) + 1
    assert "plus one value per index of the channel axis (axis 1)" in explain(
        e + bias, e, axes=("batch", "channel", "height", "width"))


def test_nonfinite_where_expected_is_finite(e):
    bad = e.copy()
    bad[1, 2, 3, 4] = np.nan
    assert explain(bad, e) == ("your output has NaN at 1 of 120 positions where the expected value is finite "
                               "(the first at index (1, 2, 3, 4))")
    bad[0, 0, 0, 0] = np.inf
    assert "NaN" in explain(bad, e)
    inf = e.copy()
    inf[0, 1, 0, 0] = -np.inf
    assert explain(inf, e).startswith("your output has inf at 1 of 120")
    # NaN where NaN is expected is no finding
    assert explain(np.full(3, np.nan), np.full(3, np.nan)) is None


def test_torch_tensors_of_any_dtype():
    x = torch.randn(3, 4, dtype=torch.float64)
    assert "transposed" in explain(x.T.contiguous(), x)
    assert explain(torch.arange(6).flip(0), torch.arange(6)) == "your output equals the expected one flipped along axis 0"
    assert "sign flipped" in explain(-x.to(torch.bfloat16), x.to(torch.bfloat16), rtol=1e-2, atol=1e-3)


@pytest.mark.parametrize("make", [
    lambda e, r: r.standard_normal(e.shape),                      # unrelated values
    lambda e, r: e + r.standard_normal(e.shape) * 0.1,            # noise
    lambda e, r: np.where(r.random(e.shape) < 0.2, 0.0, e),       # a few values zeroed
    lambda e, r: e ** 2,                                          # not linear
    lambda e, r: r.standard_normal((4, 7)),                       # another shape, no relation
    lambda e, r: e,                                               # equal: nothing to explain
])
def test_nothing_is_claimed_when_nothing_fits(e, make):
    assert explain(make(e, np.random.default_rng(9)), e) is None


def test_nothing_is_claimed_for_non_numeric_or_empty():
    assert explain("a string", np.zeros(3)) is None
    assert explain(np.zeros(0), np.zeros(0)) is None


def test_symmetric_input_claims_nothing_for_transpose():
    s = np.random.default_rng(2).standard_normal((4, 4))
    s = s + s.T
    # the transposed value equals the expected one, so the student's (different) output is not "transposed"
    assert explain(s * 0 + np.random.default_rng(3).standard_normal((4, 4)), s) is None


def test_matching_variants_verifies_each_and_skips_indistinguishable():
    x = torch.randn(2, 5)
    expected = torch.softmax(x, dim=-1)
    got = torch.softmax(x, dim=0)
    variants = [("softmax_axis", lambda: torch.softmax(x, dim=0)),
                ("no_softmax", lambda: x),
                ("same_as_expected", lambda: torch.softmax(x, dim=1)),
                ("cannot_run", lambda: torch.softmax(x, dim=5))]
    assert matching_variants(got, expected, variants) == ["softmax_axis"]
    assert matching_variants(x, expected, variants) == ["no_softmax"]
    assert matching_variants(expected, expected, variants) == []
    assert matching_variants(torch.tensor([3, 4]), torch.tensor([3, 5]), [("int", lambda: [3, 4])], exact=True) == ["int"]
    assert matching_variants(torch.tensor([3, 4]), torch.tensor([3, 5]), [("int", lambda: [3, 4.0000001])],
                             exact=True) == []


def test_assert_close_says_what_it_observed():
    x = torch.randn(2, 3, 4)
    with pytest.raises(Mismatch) as info:
        assert_close(x.transpose(-1, -2), x, "scores")
    assert "observed: your output equals the expected one transposed in its last two axes" in str(info.value)
    with pytest.raises(Mismatch) as info:
        assert_close(x * 2, x, "scores")
    assert "observed: your output equals the expected one times 2" in str(info.value)
    with pytest.raises(Mismatch) as info:
        assert_close(torch.randn(2, 3, 4), x, "scores")
    assert "observed" not in str(info.value)


def test_one_value_is_not_explained_by_a_scale_or_offset():
    assert explain(np.array([[2.5]]), np.array([[1.2]])) is None
    assert explain(np.array([2.5, 0.3]), np.array([1.2, -0.7])) is None   # two values, one per index: no fit claimed


# ---------------------------------------------------------------- exceptions in plain words
def _raised(fn) -> Exception:
    try:
        fn()
    except Exception as exc:   # noqa: BLE001 - the message is what is tested
        return exc
    raise AssertionError("expected an exception")


def _twice():
    x = torch.randn(3, requires_grad=True)
    y = x.exp().sum()
    y.backward()
    y.backward()


def _saved_then_changed():
    x = torch.randn(3, requires_grad=True)
    y = x.exp()
    y += 1
    y.sum().backward()


# (what raises, words the explanation must contain): real torch, NumPy and Python messages
REAL_ERRORS = [
    (lambda: torch.randn(4, 9) @ torch.randn(8, 2), ["4x9", "8x2", "columns (9)", "rows (8)"]),
    (lambda: torch.nn.Linear(3, 4)(torch.randn(2, 5)), ["2x5", "3x4"]),
    (lambda: torch.randn(2, 3) + torch.randn(4), ["sizes 3 and 4", "axis 1"]),
    (lambda: np.ones((2, 3)) + np.ones(4), ["(2,3) (4,)", "broadcast"]),
    (lambda: np.ones((2, 3)) @ np.ones((2, 3)), ["inner sizes differ", "2 vs 3"]),
    (lambda: np.dot(np.ones((2, 3)), np.ones((2, 3))), ["(2,3) and (2,3)"]),
    (lambda: torch.randn(2, 3).sum(dim=2), ["axis 2", "only 2 axes"]),
    (lambda: torch.randn(2, 3).view(4, 2), ["(4, 2)", "6 values"]),
    (lambda: np.ones(6).reshape(4, 2), ["(4,2)", "6 values"]),
    (lambda: torch.randn(2, 3).t().view(6), [".reshape()", ".contiguous()"]),
    (lambda: torch.randn(2, 3)[:, 3], ["index 3", "axis 1", "size 3"]),
    (lambda: np.ones((2, 3))[:, 3], ["index 3", "axis 1", "size 3"]),
    (lambda: torch.nn.functional.conv2d(torch.randn(1, 4, 5, 5), torch.randn(8, 3, 3, 3)),
     ["expects 3 input channels", "(1, 4, 5, 5) has 4"]),
    (lambda: torch.nn.functional.conv2d(torch.randn(5, 5), torch.randn(8, 3, 3, 3)), ["conv2d", "(5, 5)"]),
    (lambda: torch.cat([torch.randn(2, 3), torch.randn(3, 4)]), ["torch.cat"]),
    (lambda: torch.stack([torch.randn(2), torch.randn(3)]), ["torch.stack"]),
    (lambda: torch.randn(2, 3) @ torch.randn(3, 2, dtype=torch.float64), ["dtypes"]),
    (lambda: torch.nn.Linear(3, 2)(torch.randn(2, 3, dtype=torch.float64)), ["dtypes"]),
    (lambda: torch.nn.functional.conv2d(torch.randn(1, 3, 5, 5, dtype=torch.float64), torch.randn(8, 3, 3, 3)),
     ["dtypes"]),
    (lambda: torch.zeros(3, dtype=torch.long).add_(torch.randn(3)), ["dtypes"]),
    (_twice, ["backward() ran twice"]),
    (lambda: torch.zeros(3, requires_grad=True).add_(1), ["changed in place"]),
    (_saved_then_changed, ["saved for the backward pass"]),
    (lambda: torch.randn(3).sum().backward(), ["not connected to any parameter"]),
    (lambda: torch.randn(3, requires_grad=True).numpy(), [".detach().numpy()"]),
    (lambda: torch.randn(3).item(), ["more than one value"]),
    (lambda: float(np.ones(3)), ["more than one value"]),
    (lambda: bool(torch.randn(3) > 0), [".all(), .any()"]),
    (lambda: bool(np.ones(3) > 0), [".all(), .any()"]),
    (lambda: None.shape, ["None"]),
    (lambda: None + 1, ["None"]),
]


@pytest.mark.parametrize("make,words", REAL_ERRORS, ids=[str(i) for i in range(len(REAL_ERRORS))])
def test_real_exceptions_are_explained(make, words):
    exc = _raised(make)
    text = explain_exception(type(exc).__name__, str(exc))
    assert text is not None, str(exc)
    for w in words:
        assert w in text, (w, text)


def test_unknown_exceptions_get_no_explanation():
    assert explain_exception("ValueError", "window does not fit") is None
    assert explain_exception("KeyError", "'query'") is None
    assert explain_exception("RuntimeError", "") is None


def test_student_error_carries_the_explanation_before_its_traceback():
    from autograder.errors import StudentCodeError

    exc = _raised(lambda: torch.randn(4, 9) @ torch.randn(8, 2))
    err = StudentCodeError("RuntimeError", str(exc), "", 'Traceback (your code only):\n  File "x.py", line 3')
    text = str(err)
    assert text.index("Your code raised RuntimeError") < text.index("What it means:") < text.index("Traceback")
    assert "What it means" not in str(StudentCodeError("ValueError", "window does not fit"))


def test_two_of_the_students_own_results_are_compared_without_calling_one_expected():
    x = np.random.default_rng(3).standard_normal((2, 4, 4))
    with pytest.raises(Mismatch) as info:
        assert_close(x.swapaxes(-1, -2), x, "vectorized vs loops", labels=("attention_vectorized", "attention_loops"))
    text = str(info.value)
    assert "expected" not in text
    assert "|attention_vectorized - attention_loops|" in text
    assert ("observed: the output of attention_vectorized equals the output of attention_loops transposed in its "
            "last two axes") in text
    with pytest.raises(Mismatch) as info:
        assert_close(x[0], x, "shapes", labels=("fast", "loops"))
    text = str(info.value)
    assert "expected" not in text and "loops shape: (2, 4, 4)" in text and "fast shape:  (4, 4)" in text


def test_symptoms_constant_and_truncated(e):
    assert explain(np.zeros_like(e), e) == "every value of your output is 0"
    assert explain(np.full_like(e, 2.5), e) == "every value of your output is the same number, 2.5"
    assert "truncated toward zero to a whole number" in explain(np.trunc(e * 3), e * 3)
    # constant expected values: a constant answer that is wrong says nothing about a constant
    assert explain(np.zeros((3, 3)), np.ones((3, 3))) != "every value of your output is 0"


def test_symptoms_where_the_differences_are(e):
    later = e.copy()
    later[:, :, 2:, :] += np.random.default_rng(4).standard_normal(later[:, :, 2:, :].shape)
    text = explain(later, e, axes=("batch", "channel", "time", "feature"))
    assert text == "the differing values are all along the time axis (axis 2) from index 2 on (every earlier index matches)"
    one = e.copy()
    one[:, 1] += np.random.default_rng(5).standard_normal(one[:, 1].shape)
    assert "at index 1 of axis 1 only" in explain(one, e)
    img = np.random.default_rng(2).standard_normal((2, 7, 8))
    ring = img.copy()
    ring[:, 0, :] += 1
    ring[:, :, -1] -= 2
    ring[:, 3, 0] += 5
    ring[:, 5, 0] += 3
    ring[:, 1, 1] += 1   # within two of the edge, not one
    assert explain(ring, img) == ("the differing values all lie within 2 positions of the edge of the last two axes "
                                  "(the border); the inside matches")


def test_no_symptom_when_the_differences_are_everywhere(e):
    noise = e + np.random.default_rng(9).standard_normal(e.shape)
    assert explain(noise, e) is None


def test_a_dtype_that_differs_is_reported_beside_the_values():
    x = torch.randn(3, 4, dtype=torch.float64) * 1e3
    with pytest.raises(Mismatch) as info:
        assert_close(x.float() + 1e-3, x, "f(x)")
    assert "dtype: got float32, expected float64" in str(info.value)
    with pytest.raises(Mismatch) as info:
        assert_close(x + 1, x, "f(x)")
    assert "dtype:" not in str(info.value)


def test_a_variant_that_is_nan_everywhere_is_never_matched():
    broken = np.full((2, 3), np.nan)
    expected = np.arange(6.0).reshape(2, 3)
    assert matching_variants(broken, expected, [("all_nan", lambda: np.full((2, 3), np.nan))]) == []
    assert matching_variants(expected * 2, expected, [("doubled", lambda: expected * 2)]) == ["doubled"]


def test_rounding_noise_is_not_called_an_offset():
    e64 = np.random.default_rng(7).standard_normal((4, 6)) * 1e3
    noisy = e64.astype(np.float32).astype(np.float64)
    text = explain(noisy, e64, rtol=1e-9, atol=1e-12)
    assert text is None or ("bias" not in text and "constant" not in text), text


def test_no_structure_is_claimed_where_the_expected_values_do_not_vary():
    assert explain(np.array([0.0625, 0.0, 0.0]), np.zeros(3)) is None or "shifted" not in explain(
        np.array([0.0625, 0.0, 0.0]), np.zeros(3))
    one_hot = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    wrong = np.array([[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]])
    assert "repeats" not in (explain(wrong, one_hot) or "")
    assert explain(np.array(0.0), np.array(0.3)) is None
