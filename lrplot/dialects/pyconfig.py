"""OpenMMLab / MMEngine Python configs, read as data: parsed with ``ast`` and
evaluated by a small interpreter that knows literals, names, arithmetic,
``dict(...)`` and a few pure builtins. Nothing is imported or run.

``_base_`` files are read first (relative to the file), and the file's own
names are merged into theirs as MMEngine merges them: a dict updates the
base's dict key by key (unless it says ``_delete_=True``), anything else
replaces. ``{{_base_.a.b}}`` and ``_base_.a.b`` read a base value. The new
style, ``with read_base(): from .._base_.x import *``, reads those files too.

What the interpreter does not know (a call to anything else, a
comprehension, an imported class) becomes an :class:`Opaque` value naming
what it was; it is an error only if a schedule needs it.
"""

from __future__ import annotations

import ast
import math
import operator
import os
import re
from collections.abc import Callable
from typing import Any

from lrplot.dialects.source import read_text
from lrplot.errors import UsageError

MAX_BASES = 64  # files in one _base_ chain: a loop or a fan-out past this is refused
MAX_ITEMS = 100_000  # elements one expression may build (``[0] * 10**9``)
BASE_REFERENCE = re.compile(r"^\{\{\s*_base_\.([A-Za-z_][\w.]*)\s*\}\}$")


class Opaque:
    """A value the interpreter does not compute: a class named in ``type=``,
    a call, a comprehension. Shown by what it was."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def load(path: str) -> dict[str, Any]:
    """The config's names, its bases merged in."""
    return _load(os.path.abspath(path), (), path)


def _load(path: str, chain: tuple[str, ...], shown: str) -> dict[str, Any]:
    if path in chain:
        raise UsageError(f"{shown}: _base_ files include each other in a loop ({os.path.basename(path)})")
    if len(chain) >= MAX_BASES:
        raise UsageError(f"{shown}: more than {MAX_BASES} _base_ files in one chain")
    text = read_text(path, shown)
    try:
        module = ast.parse(text, filename=shown)
    except SyntaxError as error:
        raise UsageError(f"{shown}: not a Python config: line {error.lineno}: {error.msg}") from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise UsageError(f"{shown}: not a Python config: {error}") from None
    interpreter = Interpreter(path, chain + (path,), shown)
    try:
        own = interpreter.run(module)
    except RecursionError:
        raise UsageError(f"{shown}: nested too deeply to read") from None
    merged = interpreter.base
    for name, value in own.items():
        merged[name] = merge(merged.get(name), value)
    return merged


def merge(base: Any, value: Any) -> Any:
    """MMEngine's merge: dicts key by key unless ``_delete_``, else replace."""
    if isinstance(value, dict) and isinstance(base, dict) and not value.get("_delete_", False):
        out = dict(base)
        for key, item in value.items():
            out[key] = merge(base.get(key), item)
        return out
    if isinstance(value, dict) and "_delete_" in value:
        return {k: v for k, v in value.items() if k != "_delete_"}
    return value


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict, set)) else 1


def _checked(value: Any) -> Any:
    if _size(value) > MAX_ITEMS:
        raise UsageError(f"a value with more than {MAX_ITEMS:,} elements")
    return value


def _power(a: Any, b: Any) -> Any:
    if isinstance(a, int) and isinstance(b, int) and b > 64 and abs(a) > 1:
        raise UsageError(f"{a} ** {b} is too large to compute")
    return a**b


BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: _power,
}
UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_}
COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
BUILTINS: dict[str, Callable[..., Any]] = {
    "dict": dict, "list": list, "tuple": tuple, "int": int, "float": float, "str": str, "bool": bool,
    "min": min, "max": max, "abs": abs, "round": round, "len": len, "sum": sum, "sorted": sorted,
}
CONSTANTS = {"True": True, "False": False, "None": None, "math": Opaque("math")}
MATH = {"ceil": math.ceil, "floor": math.floor, "sqrt": math.sqrt, "log": math.log, "exp": math.exp, "pi": math.pi}


class Interpreter:
    """Evaluates one module's top-level statements into a namespace."""

    def __init__(self, path: str, chain: tuple[str, ...], shown: str) -> None:
        self.path = path
        self.chain = chain
        self.shown = shown
        self.names: dict[str, Any] = {}
        self.base: dict[str, Any] = {}

    # -------------------------------------------------------------- statements

    def run(self, module: ast.Module) -> dict[str, Any]:
        for statement in module.body:
            self.statement(statement)
        return {k: v for k, v in self.names.items() if k != "_base_" and not isinstance(v, _Module)}

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            value = self.value(node.value)
            for target in node.targets:
                self.assign(target, value)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self.assign(node.target, self.value(node.value))
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            current = self.names.get(node.target.id, Opaque(node.target.id))
            self.assign(node.target, self.binary(node.op, current, self.value(node.value)))
        elif isinstance(node, ast.With) and self._is_read_base(node):
            for inner in node.body:
                if isinstance(inner, ast.ImportFrom):
                    self.read_base_import(inner)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            module = f"{node.module}." if isinstance(node, ast.ImportFrom) and node.module else ""
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                if name != "*":
                    self.names[name] = Opaque(module + alias.name)
        elif isinstance(node, ast.If):
            test = self.value(node.test)
            if not isinstance(test, Opaque):
                for inner in node.body if test else node.orelse:
                    self.statement(inner)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.names.pop(target.id, None)
        # Anything else (def, class, loops, bare expressions) defines no setting.

    def assign(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            if target.id == "_base_":
                self.read_bases(value)
            self.names[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (list, tuple)):
            if len(target.elts) == len(value):
                for element, item in zip(target.elts, value):
                    self.assign(element, item)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            container = self.names.get(target.value.id)
            key = self.value(target.slice)
            if isinstance(container, dict) and not isinstance(key, Opaque):
                container[key] = value

    def read_bases(self, value: Any) -> None:
        files = [value] if isinstance(value, str) else value
        if not isinstance(files, (list, tuple)) or not all(isinstance(f, str) for f in files):
            raise UsageError(f"{self.shown}: _base_ must be a file name or a list of them, got {value!r}")
        for relative in files:
            self._read_base_file(os.path.join(os.path.dirname(self.path), relative), relative)

    def _read_base_file(self, path: str, relative: str) -> None:
        if not os.path.exists(path):
            raise UsageError(f"{self.shown}: its _base_ file {relative!r} does not exist (looked in {path})")
        loaded = _load(os.path.normpath(path), self.chain, relative)
        for name, item in loaded.items():
            self.base[name] = merge(self.base.get(name), item)

    @staticmethod
    def _is_read_base(node: ast.With) -> bool:
        return any(
            isinstance(item.context_expr, ast.Call)
            and isinstance(item.context_expr.func, ast.Name)
            and item.context_expr.func.id == "read_base"
            for item in node.items
        )

    def read_base_import(self, node: ast.ImportFrom) -> None:
        """``from .._base_.schedules.schedule_1x import *`` inside ``read_base()``."""
        parts = (node.module or "").split(".")
        directory = os.path.dirname(self.path)
        for _ in range(max(0, node.level - 1)):
            directory = os.path.dirname(directory)
        path = os.path.join(directory, *parts) + ".py"
        relative = "." * node.level + (node.module or "")
        if not os.path.exists(path):
            raise UsageError(f"{self.shown}: read_base() imports {relative!r}, which does not exist (looked in {path})")
        loaded = _load(os.path.normpath(path), self.chain, relative)
        wanted = None if any(a.name == "*" for a in node.names) else {a.name: a.asname or a.name for a in node.names}
        for name, item in loaded.items():
            if wanted is None:
                self.names[name] = item
            elif name in wanted:
                self.names[wanted[name]] = item

    # -------------------------------------------------------------- expressions

    def value(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return self.constant(node.value)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = self.value(element.value)
                    items.extend(inner if isinstance(inner, (list, tuple)) else [inner])
                else:
                    items.append(self.value(element))
            _checked(items)
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Dict):
            out: dict[Any, Any] = {}
            for key, item in zip(node.keys, node.values):
                if key is None:  # {**other}
                    inner = self.value(item)
                    if isinstance(inner, dict):
                        out.update(inner)
                    continue
                out[self.hashable(self.value(key))] = self.value(item)
            return _checked(out)
        if isinstance(node, ast.BinOp):
            return self.binary(node.op, self.value(node.left), self.value(node.right))
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand)
            if isinstance(operand, Opaque) or type(node.op) not in UNARY:
                return Opaque(ast.unparse(node))
            return self.apply(UNARY[type(node.op)], operand, node)
        if isinstance(node, ast.BoolOp):
            values = [self.value(v) for v in node.values]
            if any(isinstance(v, Opaque) for v in values):
                return Opaque(ast.unparse(node))
            if isinstance(node.op, ast.And):
                return next((v for v in values if not v), values[-1])
            return next((v for v in values if v), values[-1])
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.IfExp):
            test = self.value(node.test)
            if isinstance(test, Opaque):
                return Opaque(ast.unparse(node))
            return self.value(node.body if test else node.orelse)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Subscript):
            container, key = self.value(node.value), self.value(node.slice)
            try:
                return container[key] if not isinstance(key, slice) else _checked(container[key])
            except (KeyError, IndexError, TypeError):
                return Opaque(ast.unparse(node))
        if isinstance(node, ast.Slice):
            parts = [None if p is None else self.value(p) for p in (node.lower, node.upper, node.step)]
            return slice(*parts) if not any(isinstance(p, Opaque) for p in parts) else Opaque(ast.unparse(node))
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node)
        return Opaque(ast.unparse(node))

    def constant(self, value: Any) -> Any:
        if isinstance(value, str):
            match = BASE_REFERENCE.match(value)
            if match:
                return self.base_path(match.group(1).split("."), value)
        return value

    def name(self, name: str) -> Any:
        if name in self.names:
            return self.names[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in BUILTINS:
            return _Builtin(name)
        return Opaque(name)

    def base_path(self, parts: list[str], shown: str) -> Any:
        value: Any = self.base
        for part in parts:
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, (list, tuple)) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return Opaque(shown)
        return value

    def attribute(self, node: ast.Attribute) -> Any:
        chain, inner = [node.attr], node.value
        while isinstance(inner, ast.Attribute):
            chain.insert(0, inner.attr)
            inner = inner.value
        if isinstance(inner, ast.Name) and inner.id == "_base_":
            return self.base_path(chain, ast.unparse(node))
        if isinstance(inner, ast.Name) and inner.id == "math" and chain[0] in MATH and "math" not in self.names:
            return MATH[chain[0]] if len(chain) == 1 else Opaque(ast.unparse(node))
        value = self.value(inner)
        for part in chain:
            if isinstance(value, dict) and part in value:
                value = value[part]
            else:
                return Opaque(ast.unparse(node))
        return value

    def binary(self, op: ast.operator, left: Any, right: Any) -> Any:
        if isinstance(left, Opaque) or isinstance(right, Opaque) or type(op) not in BINARY:
            return Opaque(f"{left!r} {type(op).__name__} {right!r}")
        if isinstance(op, ast.Mult) and isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple)):
            count = right if isinstance(left, (str, list, tuple)) else left
            sequence = left if isinstance(left, (str, list, tuple)) else right
            if isinstance(count, int) and count * len(sequence) > MAX_ITEMS:
                raise UsageError(f"{self.shown}: a value with more than {MAX_ITEMS:,} elements")
        return _checked(self.apply(BINARY[type(op)], left, right))

    def compare(self, node: ast.Compare) -> Any:
        left = self.value(node.left)
        for op, right_node in zip(node.ops, node.comparators):
            right = self.value(right_node)
            if isinstance(left, Opaque) or isinstance(right, Opaque):
                return Opaque(ast.unparse(node))
            if not self.apply(COMPARE[type(op)], left, right):
                return False
            left = right
        return True

    def call(self, node: ast.Call) -> Any:
        function = self.value(node.func)
        args = [self.value(a) for a in node.args if not isinstance(a, ast.Starred)]
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self.value(keyword.value)
            if keyword.arg is None:
                if isinstance(value, dict):
                    kwargs.update(value)
            else:
                kwargs[keyword.arg] = value
        if isinstance(function, _Builtin):
            if function.name == "dict":
                base = args[0] if args and isinstance(args[0], dict) else {}
                return {**base, **kwargs}
            if any(isinstance(a, Opaque) for a in args):
                return Opaque(ast.unparse(node))
            return _checked(self.apply(BUILTINS[function.name], *args, node=node, **kwargs))
        if callable(function) and function in MATH.values():
            if any(isinstance(a, Opaque) for a in args):
                return Opaque(ast.unparse(node))
            return self.apply(function, *args, node=node)
        return Opaque(ast.unparse(node))

    def fstring(self, node: ast.JoinedStr) -> Any:
        parts = []
        for piece in node.values:
            if isinstance(piece, ast.Constant):
                parts.append(str(piece.value))
            elif isinstance(piece, ast.FormattedValue):
                value = self.value(piece.value)
                if isinstance(value, Opaque) or piece.format_spec is not None:
                    return Opaque(ast.unparse(node))
                parts.append(str(value))
        return "".join(parts)

    def apply(self, function: Callable[..., Any], *args: Any, node: ast.AST | None = None, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except UsageError:
            raise
        except (ArithmeticError, TypeError, ValueError, KeyError, IndexError):
            return Opaque(ast.unparse(node) if node is not None else repr(args))

    @staticmethod
    def hashable(value: Any) -> Any:
        try:
            hash(value)
        except TypeError:
            return repr(value)
        return value


class _Builtin:
    def __init__(self, name: str) -> None:
        self.name = name


class _Module:
    """Marker for names that are modules (never settings)."""
