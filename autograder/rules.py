"""Rules of an exercise ("no F.conv2d here"), checked where aliases cannot hide, reported as a named check.

Three signals, each able to fail the rule on its own:

* **What runs.** :func:`call_forbidding` (a probe, in the worker) runs the student's call under a
  ``TorchFunctionMode`` and a ``TorchDispatchMode`` that record every torch function and every aten
  operator reached, by whatever name the student's code used (an alias saved at import,
  ``getattr(torch, "max_" + "pool2d")``, ``torch.ops.aten.*``, ``torch._C._nn.*``, ``torch.nn.grad``,
  an FFT). The record crosses to the grader as plain data and :func:`run_without` gives the verdict
  there, from :data:`OPS`: the aten operators each forbidden callable reaches. A canary operation on
  a grader-built input, run inside the record before and after the student's call, must show up
  both times: a record switched off by student code fails the rule as tampered with.
* **Switched off.** The forbidden callables are also replaced for the call by ones that raise
  :class:`RuleBroken` (the message then names the exact call).
* **The text.** :func:`names_used` reads the student's file (never runs it): the graded class or
  functions and every module-level definition they reach (aliases, lambdas, helpers, imports),
  strings built by arithmetic (``"max_" + "pool2d"``), and dynamic lookups (``__import__``,
  ``importlib``, ``eval``, ``exec``).

The first runs in the worker beside student code, so it is best-effort against code written to
defeat it (see the README's isolation section); the text scan runs in the grader.
"""
from __future__ import annotations

import ast
import contextlib
import importlib
from typing import Any, Iterable, Iterator

from .checks import Mismatch


class RuleBroken(Exception):
    """Raised in the worker when student code calls something the exercise forbids."""


# ---------------------------------------------------------------- what each forbidden callable reaches
_CONV = {"convolution", "_convolution", "convolution_backward", "convolution_overrideable", "mkldnn_convolution",
         "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "conv_tbc",
         "_slow_conv2d_forward", "slow_conv3d_forward", "slow_conv_dilated2d", "slow_conv_dilated3d",
         "slow_conv_transpose2d", "slow_conv_transpose3d", "_conv_depthwise2d", "thnn_conv2d",
         "_nnpack_spatial_convolution", "cudnn_convolution", "miopen_convolution", "_mps_convolution",
         # FFT-based convolution
         "_fft_r2c", "_fft_c2r", "_fft_c2c", "fft_fft", "fft_rfft", "fft_fft2", "fft_rfft2", "fft_fftn",
         "fft_rfftn", "fft_ifft", "fft_irfft", "fft_ifft2", "fft_irfft2", "fft_ifftn", "fft_irfftn"}
_UNFOLD = {"im2col", "unfold", "unfold_backward"}
_POOL = {"max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
         "max_pool3d_with_indices", "mkldnn_max_pool2d", "quantized_max_pool2d", "avg_pool1d", "avg_pool2d",
         "avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
         "_adaptive_avg_pool2d", "fractional_max_pool2d", "lp_pool2d"}
_SOFTMAX = {"softmax", "_softmax", "log_softmax", "_log_softmax", "_safe_softmax", "logsumexp",
            "special_softmax", "special_log_softmax", "special_logsumexp", "_masked_softmax"}
_SDPA = {"scaled_dot_product_attention", "_scaled_dot_product_attention_math", "_fused_sdp_choice",
         "_scaled_dot_product_flash_attention", "_scaled_dot_product_flash_attention_for_cpu",
         "_scaled_dot_product_efficient_attention", "_scaled_dot_product_cudnn_attention",
         "_scaled_dot_product_fused_attention_overrideable", "_native_multi_head_attention",
         "multi_head_attention_forward", "_scaled_dot_product_attention_math_for_mps"}
# By the last part of a forbidden path: the torch functions and aten operators it stands for.
OPS: dict[str, set[str]] = {
    **{n: _CONV for n in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                          "convolution", "_convolution")},
    "unfold": _UNFOLD, "im2col": _UNFOLD, "as_strided": {"as_strided", "as_strided_"},
    **{n: _POOL for n in _POOL},
    **{n: _SOFTMAX for n in ("softmax", "log_softmax", "logsumexp")},
    **{n: _SDPA for n in ("scaled_dot_product_attention", "multi_head_attention_forward",
                          "_scaled_dot_product_attention_math", "_native_multi_head_attention")},
}
ANY_TORCH = "*"          # in ``ops``: every torch operation is forbidden (a NumPy-only rule)
CANARY = "hardshrink"    # the canary's operator: no exercise uses it


def ops_for(paths: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for path in paths:
        last = path.rsplit(".", 1)[-1]
        out |= OPS.get(last, {last})
    return out


def _folded(node: ast.AST) -> str | None:
    """The value of a string expression built from constants (``"max_" + "pool2d"``, f-strings,
    ``"".join([...])``), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _folded(node.left), _folded(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        parts = [_folded(v) if not isinstance(v, ast.FormattedValue) else _folded(v.value) for v in node.values]
        return None if None in parts else "".join(parts)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join"
            and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple))):
        sep = _folded(node.func.value)
        parts = [_folded(e) for e in node.args[0].elts]
        return None if sep is None or None in parts else sep.join(parts)
    return None


DYNAMIC = {"__import__", "importlib", "eval", "exec"}          # names (a bare `compile` is Python's own)
DYNAMIC_ATTRS = {"import_module", "__import__"}               # attributes (`re.compile` is fine)


def _bound_names(stmt: ast.stmt) -> set[str]:
    """Names a top-level statement binds (not inside the functions or classes it defines)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    names = set()
    todo = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return names


def _is_main_block(stmt: ast.stmt) -> bool:
    test = getattr(stmt, "test", None)
    return (isinstance(stmt, ast.If) and isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "__name__")


def reachable(tree: ast.Module, roots: Iterable[str]) -> list[ast.stmt]:
    """The top-level statements that define ``roots`` and every module-level name they use, transitively.

    An alias saved at import (``_conv = F.conv2d``), a lambda, a helper function and an import are
    all reached this way; statements that bind no name (``globals()[...] = ...``) are always included.
    """
    binders: dict[str, list[ast.stmt]] = {}
    always = []
    for stmt in tree.body:
        if _is_main_block(stmt):   # `if __name__ == "__main__":` never runs when graded
            continue
        names = _bound_names(stmt)
        docstring = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        if (not names or isinstance(stmt, ast.Expr)) and not docstring:
            always.append(stmt)   # binds nothing by name, e.g. a call at import (setattr, globals().update, ...)
        for name in names:
            binders.setdefault(name, []).append(stmt)
    picked: list[ast.stmt] = []
    seen_names: set[str] = set()
    todo = list(roots)
    for stmt in always:
        todo.extend(n.id for n in ast.walk(stmt) if isinstance(n, ast.Name))
        picked.append(stmt)
    while todo:
        name = todo.pop()
        if name in seen_names:
            continue
        seen_names.add(name)
        for stmt in binders.get(name, []):
            if stmt in picked:
                continue
            picked.append(stmt)
            todo.extend(n.id for n in ast.walk(stmt) if isinstance(n, ast.Name))
    return sorted(picked, key=lambda s: s.lineno)


def names_used(source: str | None, forbidden: Iterable[str], roots: Iterable[str] | None = None) -> list[str]:
    """``"line N: what"`` for each reference to a forbidden name (by its last part or full path), each
    string built to spell one, and each dynamic lookup, in the whole file, or with ``roots`` in the
    definitions of those names and everything at module level they reach."""
    if not source:
        return []
    wanted = set(forbidden)
    last_parts = {name.rsplit(".", 1)[-1] for name in wanted}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    region = reachable(tree, roots) if roots is not None else [tree]
    found = []
    for top in region:
        for node in ast.walk(top):
            if isinstance(node, ast.Attribute) and node.attr in last_parts:
                found.append((node.lineno, f"{_dotted(node.value)}.{node.attr}"))
            elif isinstance(node, ast.Name) and node.id in last_parts:
                found.append((node.lineno, node.id))
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name in last_parts or (node.module or "").rsplit(".", 1)[-1] in last_parts:
                        found.append((node.lineno, f"from {node.module} import {alias.name}"))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if set(alias.name.split(".")) & last_parts:
                        found.append((node.lineno, f"import {alias.name}"))
            elif isinstance(node, (ast.Constant, ast.BinOp, ast.JoinedStr, ast.Call)):
                text = _folded(node)
                if text is not None and text in last_parts:
                    found.append((node.lineno, repr(text)))
            if roots is not None and isinstance(node, ast.Name) and node.id in DYNAMIC:
                found.append((node.lineno, f"{node.id} (a dynamic lookup the rule cannot follow)"))
            elif roots is not None and isinstance(node, ast.Attribute) and node.attr in DYNAMIC_ATTRS:
                found.append((node.lineno, f"{_dotted(node.value)}.{node.attr} (a dynamic lookup the rule cannot follow)"))
    return [f"line {line}: {text}" for line, text in sorted(set(found))]


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "..."


def check_source(module, forbidden: Iterable[str], rule: str, roots: Iterable[str] | None = None) -> None:
    """Fail with the rule's name and the offending lines when the student's file uses a forbidden name
    (with ``roots``: in those definitions and what they reach at module level)."""
    hits = names_used(module.source(), forbidden, roots)
    if hits:
        raise Mismatch(f"Rule broken: {rule}\n  found " + "; ".join(hits[:5]))


def _owner_and_attr(path: str) -> tuple[Any, str]:
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:-1]:
            obj = getattr(obj, name)
        return obj, parts[-1]
    raise ValueError(f"cannot resolve {path!r}")


_INHERITED = object()


@contextlib.contextmanager
def forbidding(paths: Iterable[str]) -> Iterator[None]:
    saved = []

    def make(path: str):
        def refuse(*args, **kwargs):
            raise RuleBroken(f"{path} is not allowed in this exercise")
        return refuse

    try:
        for path in paths:
            owner, attr = _owner_and_attr(path)
            own = vars(owner).get(attr, _INHERITED)   # a method inherited from a base class is not in vars()
            saved.append((owner, attr, own))
            setattr(owner, attr, make(path))
        yield
    finally:
        for owner, attr, original in reversed(saved):
            if original is _INHERITED:
                delattr(owner, attr)
            else:
                setattr(owner, attr, original)


class _Record:
    """The torch functions and aten operators reached while it is active (in the worker)."""

    def __init__(self):
        self.functions: list[str] = []
        self.ops: list[str] = []


def _recording_modes(record: _Record):
    from torch.overrides import TorchFunctionMode
    from torch.utils._python_dispatch import TorchDispatchMode

    class Functions(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            record.functions.append(str(getattr(func, "__name__", "")))
            return func(*args, **(kwargs or {}))

    class Ops(TorchDispatchMode):
        @classmethod
        def _should_skip_dynamo(cls) -> bool:
            # torch's documented opt-out: nothing here is ever compiled, and the wrapper it would put
            # on __torch_dispatch__ imports torch._dynamo at the first probe (~0.75 s CPU, ~40 MB per worker)
            return False

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            packet = getattr(func, "overloadpacket", func)
            record.ops.append(str(getattr(packet, "__name__", "")).split(".")[-1])
            return func(*args, **(kwargs or {}))

    return Functions(), Ops()


def _canary(record: _Record, hardshrink, probe) -> bool:
    before_f, before_o = len(record.functions), len(record.ops)
    hardshrink(probe)
    return CANARY in record.functions[before_f:] and CANARY in record.ops[before_o:]


_TORCH: dict[str, Any] = {}


def canary_tools() -> tuple:
    """(torch.hardshrink, torch.ones), looked up once: in the worker before any student code runs
    (worker.main), so that a later replacement of either does not reach the canary."""
    if not _TORCH:
        import torch

        _TORCH["canary"] = (torch.hardshrink, torch.ones)
    return _TORCH["canary"]


def call_forbidding(forbidden: list[str], target: Any, method: str, *args, **kwargs) -> dict:
    """Probe: ``target.<method>(*args, **kwargs)`` with the ``forbidden`` callables disabled and every
    torch operation recorded. Returns plain data: the value, what was recorded, and whether the
    canary was seen before and after the call (the grader decides)."""
    hardshrink, ones = canary_tools()
    func = target
    for name in method.split(".") if method else []:
        func = getattr(func, name)
    record = _Record()
    functions_mode, ops_mode = _recording_modes(record)
    probe = ones(2)
    with forbidding(forbidden), functions_mode, ops_mode:
        first = _canary(record, hardshrink, probe)
        start_f, start_o = len(record.functions), len(record.ops)
        value = func(*args, **kwargs)
        end_f, end_o = len(record.functions), len(record.ops)
        last = _canary(record, hardshrink, probe)
    return {"value": value, "functions": sorted(set(record.functions[start_f:end_f])),
            "ops": sorted(set(record.ops[start_o:end_o])), "canary": [bool(first), bool(last)]}


def verdict(report: Any, forbidden_ops: set[str]) -> str | None:
    """Grader side: why the recorded call breaks the rule, or None. ``report`` is plain data."""
    if not isinstance(report, dict) or set(report) != {"value", "functions", "ops", "canary"}:
        return "the rule check did not come back (its probe was replaced or its reply forged)"
    canary = report["canary"]
    if not (isinstance(canary, list) and len(canary) == 2 and canary[0] is True and canary[1] is True):
        return ("the rule check was switched off while your code ran (torch's function or dispatch modes "
                "were disabled or replaced)")
    functions, ops = report["functions"], report["ops"]
    if not (isinstance(functions, list) and isinstance(ops, list)
            and all(isinstance(x, str) for x in functions + ops)):
        return "the rule check came back malformed"
    if ANY_TORCH in forbidden_ops:
        used = sorted(set(ops) | {f for f in functions if f})
        if used:
            return "your code ran torch operations: " + ", ".join(used[:6])
    hits = sorted((set(functions) | set(ops)) & forbidden_ops)
    if hits:
        return "your code ran " + ", ".join(hits[:6]) + " (whatever name it was called by)"
    return None


def run_without(module, forbidden: list[str], rule: str, target: Any, method: str, *args,
                ops: Iterable[str] | None = None, **kwargs) -> Any:
    """Grader side: call ``target.<method>`` in the student's process with ``forbidden`` disabled and
    the torch operations it reaches recorded; fail the test as the named rule when it called or ran
    something forbidden. ``ops``: the forbidden operators (default: :func:`ops_for` of ``forbidden``;
    ``[ANY_TORCH]`` forbids torch altogether).

    ``target`` is a handle to a student object, or the module proxy itself for a module-level
    function.
    """
    from .errors import NotImplementedYet, StudentCodeError

    name = f"{getattr(target, '_name', None) or getattr(target, '_type', 'object')}.{method}".removeprefix("module ")
    if hasattr(target, "_handle") and not hasattr(target, "_id"):
        target = target._handle()
    try:
        report = module.run_probe(call_forbidding, list(forbidden), target, method, *args, **kwargs)
    except NotImplementedYet:
        raise NotImplementedYet(f"`{name}` is not implemented yet (it raises NotImplementedError).") from None
    except StudentCodeError as exc:
        if exc.type_name == "RuleBroken":
            raise Mismatch(f"Rule broken: {rule}\n  your code called {exc.message.split(' is not')[0]}") from None
        raise
    problem = verdict(report, set(ops) if ops is not None else ops_for(forbidden))
    if problem:
        raise Mismatch(f"Rule broken: {rule}\n  {problem}")
    return report["value"]
