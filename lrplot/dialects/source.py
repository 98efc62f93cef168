"""Reading another framework's file as text, and the small formats they come in
(YAML, JSON, TOML), always as data."""

from __future__ import annotations

from typing import Any

from lrplot.errors import UsageError

MAX_CONFIG_BYTES = 1_000_000  # a training config is kilobytes; anything near a megabyte is not one


def read_text(path: str, shown: str | None = None) -> str:
    """The file as text (UTF-8, a BOM tolerated), refused past MAX_CONFIG_BYTES."""
    from lrplot.inputs import read_limited

    where = f"--from {shown or path}"
    data = read_limited(path, where, "a configuration file", MAX_CONFIG_BYTES)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"{where}: not UTF-8 text (byte {error.start})") from None


def parse_yaml(text: str, shown: str, last_key_wins: bool = False, python_tags: bool = False,
               local_tags: bool = False) -> Any:
    """``last_key_wins``: the framework reads the file with PyYAML, which keeps
    the last of a key given twice (ESPnet's own recipes have such files);
    OmegaConf-based ones (Composer, OLMo, fairseq) refuse them, and so does lrplot.
    ``python_tags``: values under ``!!python/...`` tags are kept unread (see
    :class:`lrplot.yaml_safe.Unread`), for frameworks that load with ``unsafe_load``;
    ``local_tags``: ``!Name`` values are kept as :class:`lrplot.yaml_safe.Tagged`."""
    from lrplot.yaml_safe import parse_yaml_text

    return parse_yaml_text(text, shown, last_key_wins, python_tags, local_tags)


def parse_yaml_mapping(text: str, path: str, expected: str, last_key_wins: bool = False) -> dict[str, Any]:
    """A YAML file whose top level must be a mapping; ``expected`` names it for the error."""
    config = parse_yaml(text, path, last_key_wins)
    if not isinstance(config, dict):
        raise UsageError(f"--from {path}: expected {expected} (a mapping)")
    return config


def parse_json(text: str, shown: str) -> Any:
    import json

    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise UsageError(f"{shown}: invalid JSON at line {error.lineno}: {error.msg}") from None
    except RecursionError:
        raise UsageError(f"{shown}: JSON nested too deeply") from None
    except UsageError as error:  # NaN / Infinity, refused by _no_constant: say which file
        raise UsageError(f"{shown}: {error}") from None


def _no_constant(name: str) -> Any:
    raise UsageError(f"{name} is not a number a configuration can use")


def parse_toml(text: str, shown: str) -> Any:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{shown}: invalid TOML: {error}") from None
    except RecursionError:
        raise UsageError(f"{shown}: TOML nested too deeply") from None
