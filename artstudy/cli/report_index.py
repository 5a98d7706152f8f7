"""``artstudy report-index --out reports/index.html REPORT.html ...``: the page linking every report."""

from __future__ import annotations

__all__ = ["register"]


def register(sub) -> None:
    p = sub.add_parser("report-index", help="write the HTML page linking every rendered report")
    p.add_argument("reports", nargs="+", help="rendered HTML reports")
    p.add_argument("--out", required=True, help="index file to write")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from ..study.index import write_index

    path = write_index(args.reports, args.out)
    print(f"wrote {path} ({len(args.reports)} reports)")
    return 0
