"""``python -m artstudy.cli``."""

import sys

from . import main

sys.exit(main())
