#!/usr/bin/env python3
"""A local-scheduler job's state, one line: running, success or failed.

    status.py JOBID
"""

import sys

from localsched import status

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: status.py JOBID")
    print(status(sys.argv[1]))
