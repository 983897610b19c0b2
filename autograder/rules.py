"""Rules of an exercise ("no F.conv2d here"), checked two ways and reported as a named check.

* :func:`names_used` reads the student's file (never runs it) and lists where a forbidden
  name is referenced: ``F.conv2d``, ``torch.conv2d``, ``from torch.nn.functional import conv2d``.
* :func:`call_forbidding` runs a student call in the worker while the forbidden callables are
  replaced by ones that raise :class:`RuleBroken`, which catches aliases the text scan misses.
"""
from __future__ import annotations

import ast
import contextlib
import importlib
from typing import Any, Iterable, Iterator

from .checks import Mismatch


class RuleBroken(Exception):
    """Raised in the worker when student code calls something the exercise forbids."""


def names_used(source: str | None, forbidden: Iterable[str]) -> list[str]:
    """``"line N: dotted.name"`` for each reference to a forbidden name (by its last part or full path)."""
    if not source:
        return []
    wanted = set(forbidden)
    last_parts = {name.rsplit(".", 1)[-1] for name in wanted}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in last_parts:
            found.append((node.lineno, f"{_dotted(node.value)}.{node.attr}"))
        elif isinstance(node, ast.Name) and node.id in last_parts:
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in last_parts:
                    found.append((node.lineno, f"from {node.module} import {alias.name}"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in last_parts:
            found.append((node.lineno, repr(node.value)))
    return [f"line {line}: {text}" for line, text in sorted(set(found))]


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "..."


def check_source(module, forbidden: Iterable[str], rule: str) -> None:
    """Fail with the rule's name and the offending lines when the student's file uses a forbidden name."""
    hits = names_used(module.source(), forbidden)
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


def call_forbidding(forbidden: list[str], target: Any, method: str, *args, **kwargs) -> Any:
    """Probe: ``target.<method>(*args, **kwargs)`` with the ``forbidden`` callables disabled."""
    func = target
    for name in method.split(".") if method else []:
        func = getattr(func, name)
    with forbidding(forbidden):
        return func(*args, **kwargs)


def run_without(module, forbidden: list[str], rule: str, target: Any, method: str, *args, **kwargs) -> Any:
    """Grader side: call ``target.<method>`` in the student's process with ``forbidden`` disabled.

    ``target`` is a handle to a student object, or the module proxy itself for a module-level
    function. A call into a forbidden function fails the test as the named rule.
    """
    from .errors import NotImplementedYet, StudentCodeError

    name = f"{getattr(target, '_name', None) or getattr(target, '_type', 'object')}.{method}".removeprefix("module ")
    if hasattr(target, "_handle") and not hasattr(target, "_id"):
        target = target._handle()
    try:
        return module.run_probe(call_forbidding, list(forbidden), target, method, *args, **kwargs)
    except NotImplementedYet:
        raise NotImplementedYet(f"`{name}` is not implemented yet (it raises NotImplementedError).") from None
    except StudentCodeError as exc:
        if exc.type_name == "RuleBroken":
            raise Mismatch(f"Rule broken: {rule}\n  your code called {exc.message.split(' is not')[0]}") from None
        raise
