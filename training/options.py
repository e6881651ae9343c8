"""Command-line options made from a configuration dataclass, so the defaults live in one place.

A field becomes an option when its metadata has a "help": `--name` (or `--<metadata "flag">`,
where two configurations share a name), parsed by the shared argument types of `runtime.cli`
(or its metadata "type"), its default shown in `--help`. Nested dataclasses are walked, so
`TrainConfig.mix.pen_variants` is `--pen-variants`.
"""

import argparse
import dataclasses
import types
import typing
from collections.abc import Callable

from runtime.cli import non_negative_int, non_negative_number

PARSERS: dict[type, Callable[[str], object]] = {int: non_negative_int, float: non_negative_number}


def add_options(parser: argparse.ArgumentParser, config_type: type, title: str) -> None:
    """One option per field of `config_type` (and of the dataclasses in it) with a help text."""
    group = parser.add_argument_group(title)
    defaults = config_type()
    for field, default in _optional_fields(config_type, defaults):
        kind = _plain(field.type)
        help_text = f"{field.metadata['help']} (default: {_shown(default)})"
        flag = "--" + _dest(field).replace("_", "-")
        if kind is bool:
            group.add_argument(flag, dest=_dest(field), action="store_true", help=help_text)
            continue
        group.add_argument(
            flag,
            dest=_dest(field),
            type=field.metadata.get("type", PARSERS.get(kind, kind)),
            choices=field.metadata.get("choices"),
            default=default,
            metavar=_dest(field).upper() if "choices" not in field.metadata else None,
            help=help_text,
        )


def from_options(config_type: type, args: argparse.Namespace):
    """The configuration with every option's value from `args`, the rest at their defaults."""
    return _filled(config_type(), args)


def _filled(config, args: argparse.Namespace):
    changes = {}
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if dataclasses.is_dataclass(value):
            changes[field.name] = _filled(value, args)
        elif "help" in field.metadata:
            changes[field.name] = getattr(args, _dest(field))
    return dataclasses.replace(config, **changes)


def _optional_fields(config_type: type, defaults):
    for field in dataclasses.fields(config_type):
        value = getattr(defaults, field.name)
        if dataclasses.is_dataclass(value):
            yield from _optional_fields(type(value), value)
        elif "help" in field.metadata:
            yield field, value


def _dest(field: dataclasses.Field) -> str:
    return field.metadata.get("flag", field.name).replace("-", "_")


def _plain(annotation) -> type:
    """`int | None` -> int: the type an option's text is parsed into."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return next(arg for arg in typing.get_args(annotation) if arg is not type(None))
    return annotation


def _shown(default) -> str:
    return "none" if default is None else str(default)
