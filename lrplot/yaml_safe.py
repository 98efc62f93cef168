"""Reading YAML safely: ``yaml.safe_load``, after one pass over the parser's
events that refuses alias bombs, deep nesting, huge integers and keys given
twice, in bounded time and memory; texts keep their spelling."""

from __future__ import annotations

from typing import Any, NamedTuple

from lrplot.errors import UsageError, show_text

MAX_DEPTH = 50  # nested lists and mappings, aliases expanded
MAX_ALIASED_NODES = 100_000  # values that aliases stand for, counted expanded ("billion laughs")


class Unread:
    """A value under a Python tag (``!!python/object/apply:eval [...]``,
    which detectron2's ``yaml.unsafe_load`` would run): kept as its tag,
    never constructed. A schedule that needs it is refused where it is read."""

    __slots__ = ("tag",)

    def __init__(self, tag: str) -> None:
        self.tag = tag

    def __repr__(self) -> str:
        return f"<{self.tag}, not run>"


class Tagged(NamedTuple):
    """A value under a local tag (``!PiecewiseDecay {gamma: 0.1}``, which
    PaddleDetection's loader turns into an object of that class): the tag's
    name and the plain value written under it, nothing constructed."""

    tag: str  # without the "!"
    value: Any  # a dict, a list, or the scalar's text


def _tagged(loader: Any, suffix: str, node: Any) -> Tagged:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return Tagged(suffix, loader.construct_mapping(node, deep=True))
    if isinstance(node, yaml.SequenceNode):
        return Tagged(suffix, loader.construct_sequence(node, deep=True))
    return Tagged(suffix, loader.construct_scalar(node))


def _tag_keeping_loader(local_tags: bool = False) -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: Unread(node.tag))
    if local_tags:
        Loader.add_multi_constructor("!", _tagged)
    return Loader


def parse_yaml_text(text: str, path: str, last_key_wins: bool = False, python_tags: bool = False,
                    local_tags: bool = False) -> Any:
    """``yaml.safe_load``, after a pass that refuses alias bombs, deep nesting
    and keys given twice (unless ``last_key_wins``: another framework's file
    that framework reads with PyYAML, which keeps the last); errors name
    ``path``. Texts (labels, titles, colours) keep their spelling: ``label:
    yes`` is ``yes``, not true. ``python_tags``: a value under a
    ``!!python/...`` tag is read as :class:`Unread` instead of refusing the
    file (nothing is ever constructed from it). ``local_tags``: a value
    under a ``!Name`` tag is read as :class:`Tagged` (with ``python_tags``)."""
    import yaml

    try:
        _check_structure(text, path, last_key_wins)
        tags = python_tags or local_tags
        data = yaml.load(text, Loader=_tag_keeping_loader(local_tags)) if tags else yaml.safe_load(text)
        _texts_as_written(yaml.compose(text, Loader=yaml.SafeLoader), data)
        return data
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise UsageError(f"{path}: invalid YAML{where}: {show_text(problem)}") from None


TEXT_KEYS = ("label", "title", "color")


def _texts_as_written(node: Any, data: Any) -> None:
    """Put back the written text of text-valued keys that YAML 1.1 read as
    something else (``yes`` -> True, ``1e3`` -> 1000.0, ``0x10`` -> 16)."""
    import yaml

    if isinstance(node, yaml.MappingNode) and isinstance(data, dict):
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.value not in data:
                continue
            name = key.value
            if name in TEXT_KEYS and isinstance(value, yaml.ScalarNode) and not isinstance(data[name], str):
                if data[name] is not None:
                    data[name] = value.value
            else:
                _texts_as_written(value, data[name])
    elif isinstance(node, yaml.SequenceNode) and isinstance(data, list):
        for item, value in zip(node.value, data):
            _texts_as_written(item, value)


class _Open(NamedTuple):
    """A list or mapping being read."""

    anchor: str | None
    first_node: int  # its number among the values read, aliases expanded
    is_mapping: bool
    keys: set[tuple[str, str]]  # (tag, text) of its scalar keys so far
    state: list[int]  # [levels of lists/mappings below it, values read inside it]


def _check_structure(text: str, path: str, last_key_wins: bool = False) -> None:
    """Refuse what would make loading, or anything after it, blow up or lie.

    One pass over the parser's events (iterative: no recursion, whatever the
    nesting), before ``yaml.safe_load`` constructs anything:

    - lists and mappings nested deeper than MAX_DEPTH, aliases expanded;
    - aliases standing for more than MAX_ALIASED_NODES values in all, counted
      as if expanded (nine levels of ten aliases each are a billion values
      in a few hundred bytes: a "billion laughs");
    - an alias inside the very list or mapping it names (a value that
      contains itself);
    - a key given twice in one mapping (``safe_load`` would silently keep the
      last; ``<<`` merge keys may be overridden, that is their point);
    - an integer too long for Python to convert (CPython's 4300 digits).
    """
    import sys

    import yaml

    loader = yaml.SafeLoader(text)
    max_digits = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    stack: list[_Open] = []
    sizes: dict[str, tuple[int, int]] = {}  # anchor -> (values it stands for, levels)
    scalars: dict[str, tuple[str, str]] = {}  # anchor of a scalar -> (tag, text), for keys
    nodes = aliased = 0  # values read, aliases expanded; of which aliases stand for

    def fail(event: Any, problem: str) -> UsageError:
        return UsageError(f"{path}: invalid YAML at line {event.start_mark.line + 1}: {problem}")

    def too_deep(event: Any, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise fail(event, f"lists and mappings nested more than {MAX_DEPTH} deep (aliases expanded); lrplot reads at most {MAX_DEPTH} levels")

    try:
        while not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            if isinstance(event, yaml.CollectionEndEvent):
                done = stack.pop()
                levels = done.state[0] + 1
                if done.anchor is not None:
                    sizes[done.anchor] = (nodes - done.first_node + 1, levels)
                if stack:
                    stack[-1].state[0] = max(stack[-1].state[0], levels)
                continue
            if not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                continue  # stream and document events
            parent = stack[-1] if stack else None
            is_key = parent is not None and parent.is_mapping and parent.state[1] % 2 == 0
            if parent is not None:
                parent.state[1] += 1
            key = None
            if isinstance(event, yaml.CollectionStartEvent):
                nodes += 1
                too_deep(event, len(stack) + 1)
                stack.append(_Open(event.anchor, nodes, isinstance(event, yaml.MappingStartEvent), set(), [0, 0]))
                continue  # a list or mapping as a key is left to safe_load, which refuses it
            if isinstance(event, yaml.AliasEvent):
                if any(item.anchor == event.anchor for item in stack):
                    raise fail(event, f"alias *{show_text(event.anchor)} is inside the value it names (a value containing itself)")
                size, levels = sizes.get(event.anchor, (1, 0))  # undefined: safe_load says so
                aliased += size
                if aliased > MAX_ALIASED_NODES:
                    raise fail(event, f"aliases stand for more than {MAX_ALIASED_NODES:,} values in all (an alias bomb?); lrplot reads at most that many")
                nodes += size
                too_deep(event, len(stack) + levels)
                if parent is not None:
                    parent.state[0] = max(parent.state[0], levels)
                key = scalars.get(event.anchor)
            else:
                nodes += 1
                tag = event.tag
                if tag is None or tag == "!":
                    tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
                key = (tag, event.value)
                if event.anchor is not None:
                    sizes[event.anchor] = (1, 0)
                    scalars[event.anchor] = key
                if tag == "tag:yaml.org,2002:int" and max_digits and len(event.value) > max_digits:
                    raise fail(event, f"an integer of {len(event.value):,} digits; lrplot reads integers of at most {max_digits:,} digits")
            if is_key and key is not None and key[0] != "tag:yaml.org,2002:merge" and not last_key_wins:
                if key in parent.keys:
                    raise fail(event, f"key {show_text(key[1], quote=True)} is given twice")
                parent.keys.add(key)
    finally:
        loader.dispose()
