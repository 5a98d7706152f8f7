"""Command line: ``artstudy <command>``, one module per command.

Bad input (an :class:`artstudy.errors.InputError`: a file, column, value, option or config key
the user can fix) is printed as one line, ``artstudy <command>: error: <message>``, with exit
status 2. Any other exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import InputError
from . import config, pam_fit, prepare, render, report_index, simulation, valuation, world

__all__ = ["main", "build_parser"]

COMMANDS = (pam_fit, prepare, world, simulation, valuation, config, report_index, render)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="artstudy", description="Valuing art at auction: the artstudy toolkit.")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"artstudy {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped to a reader that stopped (e.g. head)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
