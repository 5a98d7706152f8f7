"""Pieces shared by the commands: the ``--config`` option, settings options, writing files."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Literal, get_args, get_origin

from .._section import build, field_default
from ..errors import InputError

__all__ = ["add_config_option", "config_from_args", "setting_option", "settings_from_args", "check_out_dir"]


def add_config_option(parser: argparse.ArgumentParser, over_default: bool = True) -> None:
    """``--config FILE ...``: YAML/JSON files deep-merged, in order, over the repository's config/config.yaml."""
    help_text = ("config file(s), YAML or JSON, merged in order over the repository's config/config.yaml"
                 if over_default else "config file(s), YAML or JSON, merged in order (the complete config)")
    parser.add_argument("--config", type=Path, nargs="+", default=None, metavar="FILE", help=help_text)
    parser.set_defaults(config_over_default=over_default)


def config_from_args(args):
    """The validated :class:`artstudy.settings.StudyConfig` named by ``--config`` (the repository's by default)."""
    from ..settings import read_config

    return read_config(args.config, over_default=args.config_over_default)


def setting_option(parser, settings_cls, field: str, flag: str | None = None, section: str = "model", **kwargs):
    """An option for one field of a settings class; its help shows the class's default (written once there)."""
    flag = flag or "--" + field.replace("_", "-")
    info = settings_cls.model_fields[field]
    doc = " ".join((info.description or "").split())
    default = field_default(settings_cls, field)
    choices = get_args(info.annotation) if get_origin(info.annotation) is Literal else None
    if choices:
        kwargs.setdefault("choices", choices)
    kwargs.setdefault("metavar", "{" + ",".join(map(str, choices)) + "}" if choices else field.upper())
    parser.add_argument(flag, dest=f"set_{field}", default=None,
                        help=f"{doc} (default: {default}, unless the config's {section} section says otherwise)",
                        **kwargs)


def settings_from_args(args, settings_cls, base=None, source: str = "command line"):
    """``base`` (a settings object or None) with the fields given on the command line set, validated."""
    values = base.model_dump() if base is not None else {}
    given = {k[4:]: v for k, v in vars(args).items() if k.startswith("set_") and v is not None}
    return build(settings_cls, {**values, **given}, source=source)


def check_out_file(path: Path) -> Path:
    """An output file: refuse a path that is an existing folder before any work is done."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{path}: --out names a folder; give a file name (e.g. {path / 'sales.csv'})")
    return path


def check_out_dir(path: Path) -> Path:
    """An output folder: refuse a path that is an existing file before any work is done."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: --out names an existing file; give a folder")
    return path
