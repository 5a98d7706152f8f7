"""``artstudy report-index --out reports/index.html``: the page listing every report of every profile.

With ``--metadata-out`` it first records the run's metadata (with the wall time so far) beside the
profile's reports, which the page shows for that profile.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["register"]


def register(sub) -> None:
    p = sub.add_parser("report-index", help="write the HTML page listing every rendered report, by profile",
                       description="List every report under the index's folder (reports/<profile>/NAME.html), "
                                   "grouped by profile, with titles, descriptions and each profile's run metadata.")
    p.add_argument("reports", nargs="*", type=Path,
                   help="reports this run made (checked to exist; every report in the folder is listed)")
    p.add_argument("--out", type=Path, required=True, help="index file to write (reports/index.html)")
    p.add_argument("--reports-dir", type=Path, default=None, help="folder of the profile folders (default: OUT's)")
    p.add_argument("--metadata-out", type=Path, default=None,
                   help="write the run's metadata here first (reports/<profile>/metadata.json)")
    p.add_argument("--config-json", default=None, help="the resolved config (results/<profile>/config/study.json)")
    p.add_argument("--run-json", default=None, help="the run's facts written at its start (results/<profile>/run.json)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from ..errors import InputError
    from ..study.index import find_reports, write_index, write_profile_metadata

    missing = [str(p) for p in args.reports if not p.is_file()]
    if missing:
        raise InputError(f"no such report: {', '.join(missing)}")
    if args.metadata_out is not None:
        write_profile_metadata(args.metadata_out, args.config_json, args.run_json)
    path = write_index(args.out, args.reports_dir)
    found = find_reports(args.reports_dir or args.out.parent)
    print(f"wrote {path} ({sum(map(len, found.values()))} reports, profiles: {', '.join(found) or 'none'})")
    return 0
