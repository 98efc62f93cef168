"""detectron2 LazyConfig ``.py`` files, read as data: parsed with ``ast`` and
evaluated by a small bounded interpreter, never imported or run.

It follows ``LazyConfig.load`` (detectron2/config/lazy.py): a relative
import (``from ..common.optim import SGD as optimizer``) runs that file
afresh and takes its names, as ``_patch_import`` does; ``L(X)(a=1)`` is a
dict with ``_target_`` naming X; dicts allow ``cfg.a.b`` (OmegaConf's
DictConfig); later assignments (``train.max_iter *= 4``,
``lr_multiplier.scheduler.milestones = [m * 4 for m in ...]``) change
them; ``model_zoo.get_config("common/train.py")`` reads ``configs/...``
of the detectron2 tree the file is in. Small pure functions defined in the
files (coco_schedule.py's ``default_X_scheduler``) are called.

Whatever else (a call to an imported function, a lambda) is an
:class:`Opaque` value: an error only when the schedule needs it. Every
file read stays inside the tree, and work is bounded (files, calls,
elements, nesting): past a bound, one line, never a hang.
"""

from __future__ import annotations

import ast
import copy
import os
from typing import Any

from lrplot.dialects.pyconfig import BINARY, COMPARE, UNARY, Opaque
from lrplot.dialects.source import read_text
from lrplot.errors import UsageError

MAX_LOADS = 64  # files run for one config (each import runs its file afresh)
MAX_DEPTH = 16  # nested imports / function calls
MAX_ITEMS = 100_000  # elements one value or comprehension may hold
MAX_STEPS = 2_000_000  # expressions evaluated for one config
MAX_BUILT = 2_000_000  # elements built in all, for one config (a comprehension of big lists)
COPY_COST = 20  # a copied config node counts as this many elements (copying is the slow part)
MAX_UP = 6  # directories above the config searched for the detectron2 tree (configs/common)


class Cfg(dict):
    """A DictConfig stand-in: keys read and set as attributes too."""


class Symbol:
    """Something imported from a Python package (a class, a function, a module), by its dotted name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


class _LazyCall:
    def __init__(self, target: Any) -> None:
        self.target = target


class _Function:
    def __init__(self, node: ast.FunctionDef, module: _Module) -> None:
        self.node, self.module = node, module


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Budget:
    def __init__(self, root: str, shown: str) -> None:
        self.root, self.shown = root, shown
        self.loads = self.steps = self.depth = self.built = 0
        self.parsed: dict[str, ast.Module] = {}


def tree_root(path: str) -> str:
    """The detectron2 tree the config is in: the nearest directory above it
    holding ``configs/common`` (detectron2's layout), else the config's parent
    directory. Imports may not leave it."""
    here = os.path.dirname(os.path.realpath(path))
    probe = here
    for _ in range(MAX_UP + 1):
        if os.path.isdir(os.path.join(probe, "configs", "common")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    return os.path.dirname(here)


def load(path: str) -> dict[str, Any]:
    """The config's top-level names, as ``LazyConfig.load`` would leave them."""
    budget = _Budget(tree_root(path), path)
    return _run(os.path.realpath(path), budget, ())


def _run(path: str, budget: _Budget, chain: tuple[str, ...]) -> dict[str, Any]:
    shown = budget.shown if not chain else os.path.relpath(path, budget.root)
    if path in chain:
        raise UsageError(f"{budget.shown}: its imports form a loop ({os.path.basename(path)} imports itself)")
    budget.loads += 1
    if budget.loads > MAX_LOADS or len(chain) > MAX_DEPTH:
        raise UsageError(f"{budget.shown}: more than {MAX_LOADS} config files imported (or nested {MAX_DEPTH} deep)")
    if path not in budget.parsed:
        try:
            budget.parsed[path] = ast.parse(read_text(path, shown), filename=shown)
        except SyntaxError as error:
            raise UsageError(f"{shown}: not a Python config: line {error.lineno}: {error.msg}") from None
        except (ValueError, RecursionError, MemoryError) as error:
            raise UsageError(f"{shown}: not a Python config: {error}") from None
    module = _Module(path, budget, chain + (path,))
    try:
        for statement in budget.parsed[path].body:
            module.statement(statement, module.names)
    except RecursionError:
        raise UsageError(f"{shown}: nested too deeply to read") from None
    return dict(module.names)


BUILTINS = {"dict", "list", "tuple", "range", "len", "min", "max", "abs", "int", "float", "round", "sum", "sorted"}


class _Module:
    def __init__(self, path: str, budget: _Budget, chain: tuple[str, ...]) -> None:
        self.path, self.budget, self.chain = path, budget, chain
        self.names: dict[str, Any] = {}

    def fail(self, node: ast.AST, what: str) -> UsageError:
        prefix = f"{os.path.relpath(self.path, self.budget.root)} line" if len(self.chain) > 1 else "line"
        return UsageError(f"{self.budget.shown}: {prefix} {getattr(node, 'lineno', '?')}: {what}")

    # ---------------------------------------------------------- statements

    def statement(self, node: ast.stmt, scope: dict[str, Any]) -> None:
        if isinstance(node, ast.Assign):
            value = self.value(node.value, scope)
            for target in node.targets:
                self.assign(target, value, scope)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self.assign(node.target, self.value(node.value, scope), scope)
        elif isinstance(node, ast.AugAssign):
            load = copy.copy(node.target)
            load.ctx = ast.Load()
            current = self.value(load, scope)  # type: ignore[arg-type]
            self.assign(node.target, self.binary(node.op, current, self.value(node.value, scope), node), scope)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                scope[alias.asname or alias.name.split(".")[0]] = Symbol(alias.name if alias.asname else
                                                                         alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            self.import_from(node, scope)
        elif isinstance(node, ast.If):
            test = self.value(node.test, scope)
            if isinstance(test, (Opaque, Symbol)):
                raise self.fail(node, f"`if {ast.unparse(node.test)}` depends on what lrplot does not compute: "
                                      "not supported yet")
            for inner in node.body if test else node.orelse:
                self.statement(inner, scope)
        elif isinstance(node, ast.FunctionDef):
            scope[node.name] = _Function(node, self)
        elif isinstance(node, ast.Return):
            raise _Return(None if node.value is None else self.value(node.value, scope))
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                container = self.value(target.value, scope) if isinstance(target, ast.Attribute) else None
                if isinstance(target, ast.Name):
                    scope.pop(target.id, None)
                elif isinstance(container, Cfg) and isinstance(target, ast.Attribute):
                    container.pop(target.attr, None)
        elif isinstance(node, (ast.Expr, ast.Pass, ast.ClassDef, ast.AsyncFunctionDef)):
            pass  # a docstring, a call for its effect on something else, a class: no setting
        else:
            # Loops, with, try: they could change the schedule in ways not followed here.
            raise self.fail(node, f"a `{type(node).__name__.lower()}` statement is not supported yet")

    def assign(self, target: ast.expr, value: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
        elif isinstance(target, ast.Attribute):
            container = self.value(target.value, scope)
            if isinstance(container, Cfg):
                container[target.attr] = self.stored(value)
        elif isinstance(target, ast.Subscript):
            container, key = self.value(target.value, scope), self.value(target.slice, scope)
            if isinstance(container, dict) and isinstance(key, (str, int)):
                container[key] = self.stored(value)
            elif isinstance(container, list) and isinstance(key, int) and -len(container) <= key < len(container):
                container[key] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            if not isinstance(value, (list, tuple)) or len(value) != len(target.elts):
                raise self.fail(target, f"cannot unpack {ast.unparse(target)} from what lrplot computed")
            for element, item in zip(target.elts, value):
                self.assign(element, item, scope)

    def import_from(self, node: ast.ImportFrom, scope: dict[str, Any]) -> None:
        if node.level == 0:
            for alias in node.names:
                if alias.name != "*":
                    scope[alias.asname or alias.name] = Symbol(f"{node.module}.{alias.name}")
            return
        # detectron2's _patch_import: the file at the relative path, ".py" added.
        directory = os.path.dirname(self.path)
        for _ in range(node.level - 1):
            directory = os.path.dirname(directory)
        relative = "." * node.level + (node.module or "")
        if not node.module:
            for alias in node.names:
                scope[alias.asname or alias.name] = Opaque(f"{relative}{alias.name}")
            return
        path = os.path.join(directory, *node.module.split(".")) + ".py"
        names = self._file(path, relative, node)
        lacking = f"no file {os.path.relpath(path, self.budget.root)}" if "__missing__" in names else "not defined there"
        for alias in node.names:
            if alias.name == "*":
                scope.update({k: v for k, v in names.items() if not k.startswith("_")})
            else:
                scope[alias.asname or alias.name] = names.get(
                    alias.name, Opaque(f"{relative} import {alias.name} ({lacking})"))

    def _file(self, path: str, shown: str, node: ast.AST) -> dict[str, Any]:
        real = os.path.realpath(path)
        root = self.budget.root
        if os.path.commonpath([real, root]) != root:
            raise self.fail(node, f"imports {shown!r} from outside the config's tree ({root})")
        if not os.path.isfile(real):
            # LazyConfig.load fails on it; a name taken from it is an error if the schedule needs it.
            return {"__missing__": True}
        return _run(real, self.budget, self.chain)

    # ---------------------------------------------------------- expressions

    def value(self, node: ast.expr, scope: dict[str, Any]) -> Any:
        self.budget.steps += 1
        if self.budget.steps > MAX_STEPS:
            raise self.fail(node, f"more than {MAX_STEPS:,} evaluation steps: not supported")
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            return self.name(node.id, scope)
        if isinstance(node, (ast.List, ast.Tuple)):
            items: list[Any] = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = self.value(element.value, scope)
                    if not isinstance(inner, (list, tuple)):
                        return Opaque(ast.unparse(node))
                    items.extend(inner)
                else:
                    items.append(self.value(element, scope))
                self.check_size(len(items), node)
            self.built(len(items), node)
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Dict):
            out = Cfg()
            for key, item in zip(node.keys, node.values):
                if key is None:
                    inner = self.value(item, scope)
                    if isinstance(inner, dict):
                        out.update(inner)
                    continue
                k = self.value(key, scope)
                out[k if isinstance(k, (str, int, float)) else repr(k)] = self.stored(self.value(item, scope))
            return out
        if isinstance(node, ast.BinOp):
            return self.binary(node.op, self.value(node.left, scope), self.value(node.right, scope), node)
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand, scope)
            if not _plain(operand) or type(node.op) not in UNARY:
                return Opaque(ast.unparse(node))
            return self.apply(UNARY[type(node.op)], node, operand)
        if isinstance(node, ast.BoolOp):
            values = [self.value(v, scope) for v in node.values]
            if not all(_plain(v) for v in values):
                return Opaque(ast.unparse(node))
            if isinstance(node.op, ast.And):
                return next((v for v in values if not v), values[-1])
            return next((v for v in values if v), values[-1])
        if isinstance(node, ast.Compare):
            left = self.value(node.left, scope)
            for op, right_node in zip(node.ops, node.comparators):
                right = self.value(right_node, scope)
                if not (_plain(left) and _plain(right)):
                    return Opaque(ast.unparse(node))
                if not self.apply(COMPARE[type(op)], node, left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.IfExp):
            test = self.value(node.test, scope)
            if not _plain(test):
                return Opaque(ast.unparse(node))
            return self.value(node.body if test else node.orelse, scope)
        if isinstance(node, ast.Attribute):
            base = self.value(node.value, scope)
            if isinstance(base, Cfg):
                return base.get(node.attr, Opaque(ast.unparse(node)))
            if isinstance(base, Symbol):
                return Symbol(f"{base.name}.{node.attr}")
            return Opaque(ast.unparse(node))
        if isinstance(node, ast.Subscript):
            container, key = self.value(node.value, scope), self.value(node.slice, scope)
            if isinstance(container, (dict, list, tuple, str)) and isinstance(key, (int, str, slice)):
                try:
                    return container[key]
                except (KeyError, IndexError, TypeError):
                    pass
            return Opaque(ast.unparse(node))
        if isinstance(node, ast.Slice):
            parts = [None if p is None else self.value(p, scope) for p in (node.lower, node.upper, node.step)]
            if all(p is None or isinstance(p, int) for p in parts):
                return slice(*parts)
            return Opaque(ast.unparse(node))
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            return self.comprehension(node, scope)
        if isinstance(node, ast.Call):
            return self.call(node, scope)
        return Opaque(ast.unparse(node))  # lambdas, f-strings, set/dict comprehensions ...

    def name(self, name: str, scope: dict[str, Any]) -> Any:
        if name in scope:
            return scope[name]
        if name in self.names:
            return self.names[name]
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        if name in BUILTINS:
            return Symbol(f"builtins.{name}")
        return Opaque(name)

    def stored(self, value: Any, node: ast.AST | None = None) -> Any:
        """A config placed inside another is copied, as OmegaConf copies it (its nodes
        count against the budget; lists inside are shared)."""
        if not isinstance(value, Cfg):
            return value
        self.built(COPY_COST + len(value), node or ast.Pass())
        return Cfg({key: self.stored(item, node) for key, item in value.items()})

    def check_size(self, size: int, node: ast.AST) -> None:
        if size > MAX_ITEMS:
            raise self.fail(node, f"a value with more than {MAX_ITEMS:,} elements: not supported")

    def built(self, size: int, node: ast.AST) -> None:
        """Count what a new list, tuple or string holds against the config's budget."""
        self.check_size(size, node)
        self.budget.built += size
        if self.budget.built > MAX_BUILT:
            raise self.fail(node, f"more than {MAX_BUILT:,} elements built in all: not supported")

    def binary(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        if not (_plain(left) and _plain(right)) or type(op) not in BINARY:
            return Opaque(ast.unparse(node))
        if isinstance(op, ast.Pow) and isinstance(left, int) and isinstance(right, int) and right > 64 and abs(left) > 1:
            raise self.fail(node, f"{left} ** {right} is too large to compute")
        if isinstance(op, ast.Mult):
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
                    self.check_size(len(sequence) * count, node)
        if isinstance(op, (ast.Mult, ast.Pow)) and isinstance(left, int) and isinstance(right, int):
            if max(abs(left), 1).bit_length() * max(abs(right), 1) > 4096 and isinstance(op, ast.Pow):
                raise self.fail(node, f"{left} ** {right} is too large to compute")
        result = self.apply(BINARY[type(op)], node, left, right)
        if isinstance(result, (list, tuple, str)):
            self.built(len(result), node)
        if isinstance(result, int) and result.bit_length() > 4096:
            raise self.fail(node, "a number too large to compute")
        return result

    def apply(self, function: Any, node: ast.AST, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (ArithmeticError, TypeError, ValueError, KeyError, IndexError):
            return Opaque(ast.unparse(node))

    def comprehension(self, node: ast.ListComp | ast.GeneratorExp, scope: dict[str, Any]) -> Any:
        out: list[Any] = []

        def walk(index: int, local: dict[str, Any]) -> bool:
            if index == len(node.generators):
                out.append(self.value(node.elt, local))
                self.check_size(len(out), node)
                self.built(1, node)
                return True
            generator = node.generators[index]
            iterable = self.value(generator.iter, local)
            if not isinstance(iterable, (list, tuple, range)) or generator.is_async:
                return False
            self.check_size(len(iterable), node)
            for item in iterable:
                inner = dict(local)
                self.assign(generator.target, item, inner)
                tests = [self.value(test, inner) for test in generator.ifs]
                if not all(_plain(t) for t in tests):
                    return False
                if all(tests) and not walk(index + 1, inner):
                    return False
            return True

        if not walk(0, {**self.names, **scope}):
            return Opaque(ast.unparse(node))
        return out

    def call(self, node: ast.Call, scope: dict[str, Any]) -> Any:
        function = self.value(node.func, scope)
        if any(isinstance(a, ast.Starred) for a in node.args):
            return Opaque(ast.unparse(node))
        args = [self.value(a, scope) for a in node.args]
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self.value(keyword.value, scope)
            if keyword.arg is None:
                if not isinstance(value, dict):
                    return Opaque(ast.unparse(node))
                kwargs.update(value)
            else:
                kwargs[keyword.arg] = value
        if isinstance(function, _LazyCall):
            if args:
                return Opaque(ast.unparse(node))
            target = function.target
            return Cfg(_target_=target if isinstance(target, (Symbol, Opaque)) else Opaque(repr(target)),
                       **{k: self.stored(v) for k, v in kwargs.items()})
        if isinstance(function, _Function):
            return self.call_function(function, args, kwargs, node)
        if not isinstance(function, Symbol):
            return Opaque(ast.unparse(node))
        name = function.name
        if name.rsplit(".", 1)[-1] == "LazyCall" and len(args) == 1 and not kwargs:
            return _LazyCall(args[0])
        if name.endswith("model_zoo.get_config") and len(args) == 1 and isinstance(args[0], str) and not kwargs:
            relative = args[0]
            path = os.path.join(self.budget.root, "configs", *relative.split("/"))
            names = self._file(path, relative, node)
            if "__missing__" in names:
                return Opaque(f"model_zoo.get_config({relative!r}) (no configs/{relative} in {self.budget.root})")
            return Cfg(names)
        if name.startswith("builtins."):
            return self.builtin(name[len("builtins."):], args, kwargs, node)
        return Opaque(ast.unparse(node))

    def builtin(self, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if name == "dict":
            if args and not isinstance(args[0], dict):
                return Opaque(ast.unparse(node))
            return Cfg({**(args[0] if args else {}), **{k: self.stored(v) for k, v in kwargs.items()}})
        if not all(_plain(a) for a in [*args, *kwargs.values()]):
            return Opaque(ast.unparse(node))
        if name == "range":
            if not all(isinstance(a, int) for a in args):
                return Opaque(ast.unparse(node))
            result = self.apply(range, node, *args)
            if isinstance(result, range):
                self.check_size(len(result), node)
            return result
        functions = {"list": list, "tuple": tuple, "len": len, "min": min, "max": max, "abs": abs, "int": int,
                     "float": float, "round": round, "sum": sum, "sorted": sorted}
        result = self.apply(functions[name], node, *args, **kwargs)
        if isinstance(result, (list, tuple)):
            self.built(len(result), node)
        return result

    def call_function(self, function: _Function, args: list[Any], kwargs: dict[str, Any], node: ast.AST) -> Any:
        spec = function.node.args
        if spec.vararg or spec.kwarg or spec.posonlyargs or spec.kwonlyargs:
            return Opaque(ast.unparse(node))
        names = [a.arg for a in spec.args]
        defaults = spec.defaults
        local: dict[str, Any] = {}
        for index, parameter in enumerate(names):
            if index < len(args):
                local[parameter] = args[index]
            elif parameter in kwargs:
                local[parameter] = kwargs[parameter]
            elif index >= len(names) - len(defaults):
                local[parameter] = function.module.value(defaults[index - (len(names) - len(defaults))], {})
            else:
                return Opaque(ast.unparse(node))
        if len(args) > len(names) or set(kwargs) - set(names):
            return Opaque(ast.unparse(node))
        self.budget.depth += 1
        try:
            if self.budget.depth > MAX_DEPTH:
                raise self.fail(node, f"functions calling each other more than {MAX_DEPTH} deep: not supported")
            for statement in function.node.body:
                function.module.statement(statement, local)
        except _Return as result:
            return result.value
        finally:
            self.budget.depth -= 1
        return None


def _plain(value: Any) -> bool:
    """A value Python's own operators may be applied to (never a config object or a stand-in)."""
    if isinstance(value, (bool, int, float, str, type(None), range)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return False


