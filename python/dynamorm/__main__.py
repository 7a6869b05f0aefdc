"""``python -m dynamorm``: the command line (see ``--help``)."""

from __future__ import annotations

import sys

from dynamorm.cli import main

if __name__ == "__main__":
    sys.exit(main())
