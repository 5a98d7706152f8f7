"""``artstudy render NOTEBOOK --out REPORT.html --title TITLE``: an executed notebook to offline HTML.

Writes the reader's view (no code) to REPORT.html and the same report with its code to
REPORT.code.html, each linking to the other; nothing in either page is loaded from the network.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["register"]


def register(sub) -> None:
    p = sub.add_parser("render", help="executed notebook -> offline HTML report (reader's view and with code)",
                       description="Render an executed notebook to a self-contained HTML report with every code "
                                   "input hidden, and a second rendering with the code (OUT.code.html) linked "
                                   "from the first. Images are embedded; no script, style or image is loaded "
                                   "from the network.")
    p.add_argument("notebook", type=Path, help="executed notebook (.ipynb)")
    p.add_argument("--out", type=Path, required=True, help="reader's view to write (NAME.html)")
    p.add_argument("--title", required=True, help="the report's title (its <title>)")
    p.add_argument("--description", default=None, help="one line on what the report shows (a <meta> tag the index reads)")
    p.add_argument("--profile", default=None, help="the profile that made the report (a <meta> tag the index reads)")
    p.add_argument("--index", type=Path, default=None, help="the report index page, linked from both views")
    p.add_argument("--code-out", type=Path, default=None, help="rendering with code (default: OUT with .code.html)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from ..errors import InputError
    from ..study.render import render_report

    if not args.notebook.is_file():
        raise InputError(f"{args.notebook}: no such notebook")
    written = render_report(args.notebook, args.out, args.title, description=args.description,
                            profile=args.profile, index=args.index, code_out=args.code_out)
    print("wrote " + " and ".join(map(str, written)))
    return 0
