"""``artstudy config show|schema``: every setting with its default, and the config's JSON schema."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import add_config_option, config_from_args

__all__ = ["register"]


def register(sub) -> None:
    p = sub.add_parser("config", help="show the resolved configuration or write its JSON schema")
    verbs = p.add_subparsers(dest="verb", required=True)
    s = verbs.add_parser("show", help="print every setting (defaults filled in) as YAML, validated")
    add_config_option(s)
    s.add_argument("--json", action="store_true", help="print JSON instead of YAML")
    s.set_defaults(func=_show)
    s = verbs.add_parser("schema", help="print (or write) the JSON schema generated from the settings classes")
    s.add_argument("--out", type=Path, default=None, help="file to write (default: print)")
    s.set_defaults(func=_schema)


def _show(args) -> int:
    import json

    import yaml

    data = config_from_args(args).to_dict()
    text = json.dumps(data, indent=2) if args.json else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _schema(args) -> int:
    from ..settings import schema_text

    text = schema_text()
    if args.out is None:
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    return 0
