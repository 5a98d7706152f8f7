"""The one exception type for bad input.

:class:`InputError` is raised for what a user can fix: a bad file, column, value,
option or config key. Its message is one line naming the source (file or config
key), the column and the first offending rows. The command line prints it as
``artstudy <command>: error: <message>`` and exits 2; every other exception is a
bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["InputError"]


class InputError(ValueError):
    """Bad input (data, option or config); the message names the source, the column and the first rows."""
