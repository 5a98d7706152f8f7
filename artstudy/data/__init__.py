"""Raw auction exports to the canonical sales table: parsers, source mappings, validation, linking, rules."""

from .prepare import *  # noqa: F401,F403
from .prepare import __all__  # noqa: F401
