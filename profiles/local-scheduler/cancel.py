#!/usr/bin/env python3
"""End local-scheduler jobs (like scancel).

    cancel.py JOBID...
"""

import sys

from localsched import cancel

if __name__ == "__main__":
    cancel(sys.argv[1:])
