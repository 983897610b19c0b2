"""No tolerance check in tests/ is written so that NaN passes it (a line may say ``# nan-safe: why``).

``if abs(got - want) > tol: fail(...)`` never fails on NaN (every comparison with NaN is False), so a
NaN answer would score. Tolerance checks go through ``autograder.checks`` (``assert_close``,
``cmath_close``, ``exceeds``), which count NaN and inf as a mismatch unless the expected value holds
them in the same place. This scan fails on any hand-written ``abs(...) > limit`` (or ``limit < abs(...)``).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from autograder.checks import assert_close, exceeds, Mismatch

ROOT = Path(__file__).resolve().parent.parent
TOLERANCE_NAMES = ("tol", "atol", "rtol", "slack", "eps")


def _has_abs(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            if (isinstance(func, ast.Name) and func.id == "abs") or (isinstance(func, ast.Attribute)
                                                                     and func.attr in ("abs", "fabs", "absolute")):
                return True
    return False


def _is_tolerance(node: ast.AST) -> bool:
    return any(isinstance(sub, ast.Name) and any(t in sub.id.lower() for t in TOLERANCE_NAMES)
               for sub in ast.walk(node))


def nan_blind_comparisons(source: str) -> list[tuple[int, str]]:
    """(line, text) of each ``x > limit`` whose x is a distance (an abs) or whose limit is a tolerance."""
    found = []
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare) or "# nan-safe" in lines[node.lineno - 1]:
            continue
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            if isinstance(op, (ast.Gt, ast.GtE)):
                blind = _has_abs(left) or _is_tolerance(right)
            elif isinstance(op, (ast.Lt, ast.LtE)):      # limit < abs(...): the same check written backwards
                blind = _has_abs(right) and not _has_abs(left) and not _is_tolerance(right)
            else:
                blind = False
            if blind:
                found.append((node.lineno, ast.unparse(node)))
            left = right
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "tests").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_nan_blind_tolerance_checks(path):
    hits = nan_blind_comparisons(path.read_text())
    assert not hits, "write these with autograder.checks.exceeds (NaN fails it): " + "; ".join(
        f"line {line}: {text}" for line, text in hits)


def test_the_scan_finds_the_pattern_and_passes_its_fix():
    assert nan_blind_comparisons("if abs(a - b) > tol:\n    fail()\n")
    assert nan_blind_comparisons("bad = (x - y).abs() > 1e-5\n")
    assert nan_blind_comparisons("if err > atol:\n    pass\n")
    assert nan_blind_comparisons("if 1e-6 < np.abs(d).max():\n    pass\n")
    assert not nan_blind_comparisons("if exceeds(abs(a - b), tol):\n    fail()\n")
    assert not nan_blind_comparisons("ok = abs(a - b) <= tol\n")


def test_exceeds_counts_nan_as_exceeding():
    import numpy as np
    import torch

    assert exceeds(float("nan"), 1.0) and exceeds(2.0, 1.0) and not exceeds(0.5, 1.0)
    assert exceeds(np.array([0.1, np.nan, 3.0]), 1.0).tolist() == [False, True, True]
    assert exceeds(torch.tensor([np.nan, 0.0]), 1e-6).tolist() == [True, False]
    assert exceeds(torch.tensor(np.nan), 1.0) is True


def test_assert_close_rejects_nan_where_a_number_is_expected_and_accepts_nan_in_place():
    import numpy as np

    with pytest.raises(Mismatch):
        assert_close(np.full(3, np.nan), np.zeros(3), "x")
    assert_close(np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), "x")
