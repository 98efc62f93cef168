"""Command lines in launch scripts and READMEs, read as data.

A ``.sh``/``.slurm`` script is split into words the way a shell would
(quotes, ``\\`` line continuations, comments), with its simple variables and
arrays expanded (``LR=1e-4 ... --lr $LR``, ``"${TRAINING_ARGS[@]}"``,
``$((GPUS * NODES))``). Nothing is run: a command substitution
``$(...)`` or an unknown variable stays unexpanded, and only matters if a
flag that sets the schedule needs it. A Markdown file gives the command
lines inside its code blocks.
"""

from __future__ import annotations

import ast
import operator
import re
import shlex
from typing import Any, NamedTuple

from lrplot.errors import UsageError

ASSIGNMENT = re.compile(r"^(?:export\s+|local\s+|declare\s+(?:-\w+\s+)?)?([A-Za-z_]\w*)=(.*)$", re.DOTALL)
VARIABLE = re.compile(r"\$\{([A-Za-z_]\w*)(\[@\]|\[\*\])?(?::?-([^}]*))?\}|\$([A-Za-z_]\w*)")
ARITHMETIC = re.compile(r"\$\(\((.*?)\)\)")
FENCE = re.compile(r"^(```|~~~)")
INLINE_CODE = re.compile(r"`([^`]+)`")


class Flag(NamedTuple):
    name: str  # as written, without dashes: lr_scheduler_type, lr-decay-style, b
    values: tuple[str, ...]  # the words after it up to the next flag; () for a switch

    @property
    def value(self) -> str | None:
        return self.values[0] if self.values else None


class CommandLine(NamedTuple):
    words: tuple[str, ...]
    flags: tuple[Flag, ...]

    def get(self, *names: str) -> Flag | None:
        """The last occurrence of any spelling (``--lr-decay-style``, ``--lr_decay_style``)."""
        wanted = {_canonical(n) for n in names}
        found = None
        for flag in self.flags:
            if _canonical(flag.name) in wanted:
                found = flag
        return found


def _canonical(name: str) -> str:
    return name.lstrip("-").replace("-", "_").lower()


def command_lines(text: str, markdown: bool = False) -> list[CommandLine]:
    """Every command line in a script (or in a Markdown file's code blocks)
    that has at least one ``--flag``."""
    script = _code_blocks(text) if markdown else text
    variables: dict[str, list[str]] = {}
    lines: list[CommandLine] = []
    for words in _commands(script):
        words = _assign(words, variables)
        if not words:
            continue
        expanded = _split_commands_in_words(_expand_words(words, variables))
        flags = _flags(expanded)
        if flags:
            lines.append(CommandLine(tuple(expanded), tuple(flags)))
    return lines


def _split_commands_in_words(words: list[str]) -> list[str]:
    """A word that is itself a command line (``bash -c "$LAUNCHER $CMD"``,
    ``CMD=" --lr 1e-4 ..."``) is split into its words, as the shell it is
    handed to would split it."""
    out: list[str] = []
    for word in words:
        if re.search(r"(^|\s)--?[A-Za-z]", word) and any(c.isspace() for c in word):
            try:
                out.extend(shlex.split(word, comments=True))
            except ValueError:
                out.extend(word.split())
        else:
            out.append(word)
    return out


def _code_blocks(text: str) -> str:
    """The code in a Markdown file: fenced blocks, and indented ones."""
    out, inside = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            inside = not inside
            out.append("")
            continue
        if inside or line.startswith(("    ", "\t")):
            out.append(line.strip().removeprefix("$ "))
        else:  # a command in an inline code span: `train.py --lr 0.1 ...`
            out.append(" ; ".join(span for span in INLINE_CODE.findall(line) if " -" in span))
    return "\n".join(out)


def _commands(script: str) -> list[list[str]]:
    """Words of each command. A line ends a command unless a quote or an
    array's ``(`` is still open; ``\\`` at a line's end joins the next line;
    ``;``, ``&&``, ``||`` and ``|`` (as words) also end one."""
    script = script.replace("\\\r\n", "").replace("\\\n", "")
    # $(( a * b )) is one word to a shell: keep its spaces from splitting it.
    script = ARITHMETIC.sub(lambda m: "$((" + "".join(m.group(1).split()) + "))", script)
    commands: list[list[str]] = []
    buffer = ""
    for line in script.splitlines():
        buffer = f"{buffer}\n{line}" if buffer else line
        try:
            words = shlex.split(buffer, comments=True)
        except ValueError:  # a quote still open: the command goes on
            continue
        if _open_array(words):
            continue
        buffer = ""
        current: list[str] = []
        for word in words:
            if word in (";", "&&", "||", "|", "&"):
                if current:
                    commands.append(current)
                current = []
            else:
                current.append(word)
        if current:
            commands.append(current)
    if buffer:
        try:
            commands.append(shlex.split(buffer, comments=True))
        except ValueError:
            pass  # an unclosed quote at the end of the file: nothing after it is a command
    return commands


def _open_array(words: list[str]) -> bool:
    opened = False
    for word in words:
        if word.endswith("=(") or word == "(":
            opened = True
        elif word == ")" or word.endswith(")"):
            opened = False
    return opened


def _assign(words: list[str], variables: dict[str, list[str]]) -> list[str]:
    """Record leading ``NAME=value`` words (and ``NAME=( ... )`` arrays); the
    rest of the command, if any, is returned."""
    while words:
        if words[0] in ("export", "local", "declare", "readonly") and len(words) > 1:
            words = words[1:]
            continue
        match = ASSIGNMENT.match(words[0])
        if match is None:
            return words
        name, value = match.groups()
        if value.startswith("("):  # NAME=( a b c )
            items = [value[1:]] if value[1:] else []
            rest = words[1:]
            while rest and not (rest[0] == ")" or rest[0].endswith(")")) and not value.endswith(")"):
                items.append(rest.pop(0))
            if rest and rest[0] != ")":
                items.append(rest[0][:-1])
            if value.endswith(")"):
                items = [value[1:-1]] if value[1:-1] else []
            variables[name] = _expand_words([i for i in items if i], variables)
            words = rest[1:] if rest else []
        else:
            variables[name] = [_expand(value, variables)]
            words = words[1:]
    return words


def _expand_words(words: list[str], variables: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for word in words:
        whole = VARIABLE.fullmatch(word)
        if whole and whole.group(2):  # "${ARRAY[@]}": one word per element
            out.extend(variables.get(whole.group(1), []))
        else:
            out.append(_expand(word, variables))
    return out


def _expand(word: str, variables: dict[str, list[str]]) -> str:
    def variable(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        if name in variables:
            return " ".join(variables[name])
        default = match.group(3)
        return default if default is not None else match.group(0)

    word = ARITHMETIC.sub(lambda m: _arithmetic(VARIABLE.sub(variable, m.group(1)), m.group(0)), word)
    return VARIABLE.sub(variable, word)


ARITH_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
             ast.FloorDiv: operator.floordiv, ast.Div: operator.floordiv, ast.Mod: operator.mod}


def _arithmetic(expression: str, original: str) -> str:
    """``$((8 * 2))`` -> ``16``; integers and + - * / % only, as a shell does."""
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
        return str(_integer(tree))
    except (SyntaxError, ValueError, ZeroDivisionError, RecursionError):
        return original


def _integer(node: ast.AST) -> int:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in ARITH_OPS:
        left, right = _integer(node.left), _integer(node.right)
        if abs(left) > 2**63 or abs(right) > 2**63:
            raise ValueError("too large")
        return ARITH_OPS[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_integer(node.operand)
    raise ValueError("not shell arithmetic")


NUMBER = re.compile(r"^[-+]?(\d[\d_]*\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _flags(words: list[str]) -> list[Flag]:
    flags: list[Flag] = []
    index = 0
    while index < len(words):
        word = words[index]
        if _is_flag(word):
            name, _, inline = word.lstrip("-").partition("=")
            if "=" in word:
                flags.append(Flag(name, (inline,)))
                index += 1
                continue
            values = []
            index += 1
            while index < len(words) and not _is_flag(words[index]):
                values.append(words[index])
                index += 1
            flags.append(Flag(name, tuple(values)))
        else:
            index += 1
    return flags


def _is_flag(word: str) -> bool:
    return word.startswith("-") and len(word) > 1 and not NUMBER.match(word) and word != "--"


def number(text: str | None, shown: str) -> Any:
    """A flag's value as a number (``1e-4``, ``5_859_375``), or an error naming it."""
    if text is None:
        raise UsageError(f"{shown} has no value")
    cleaned = text.replace("_", "")
    try:
        value: Any = int(cleaned)
    except ValueError:
        try:
            value = float(cleaned)
        except ValueError:
            raise UsageError(f"{shown}: got {text!r}, expected a number") from None
    return value


# Launchers and their flags for processes per node and nodes (torchrun and torch.distributed.launch,
# the deepspeed launcher, accelerate launch, whose --num_processes counts every node's).
LAUNCHERS = {
    "torchrun": ("nproc_per_node", "nnodes"), "torch.distributed.launch": ("nproc_per_node", "nnodes"),
    "torch.distributed.run": ("nproc_per_node", "nnodes"), "deepspeed": ("num_gpus", "num_nodes"),
    "accelerate": ("num_processes", None),
}


def launched_processes(line: CommandLine) -> tuple[int, str] | None:
    """How many processes the command's launcher starts, when it says so with
    plain numbers (``torchrun --nproc_per_node=8 --nnodes 2 train.py ...``),
    and the flags it read; None when it does not (no launcher, a variable
    left unexpanded, an elastic ``--nnodes 1:4``)."""
    launcher = next((LAUNCHERS[word.rsplit("/", 1)[-1]] for word in line.words if word.rsplit("/", 1)[-1] in LAUNCHERS), None)
    if launcher is None:
        return None
    per_node, nodes = (line.get(name) if name else None for name in launcher)
    if per_node is None or not (per_node.value or "").isdigit():
        return None
    count, shown = int(per_node.value), f"--{per_node.name} {per_node.value}"
    if nodes is not None:
        if not (nodes.value or "").isdigit():
            return None
        count, shown = count * int(nodes.value), f"{shown} × --{nodes.name} {nodes.value}"
    return (count, shown) if count >= 1 else None
