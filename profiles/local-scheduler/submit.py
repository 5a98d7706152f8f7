#!/usr/bin/env python3
"""Submit a Snakemake job script to the local scheduler (like sbatch --parsable): prints the job id.

    submit.py JOBSCRIPT
"""

import sys

from localsched import submit

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: submit.py JOBSCRIPT")
    print(submit(sys.argv[1]))
