"""``python -m cs_warehouse.generate``: see cs_warehouse/generate/cli.py."""
import sys

from cs_warehouse.generate.cli import main

if __name__ == "__main__":
    sys.exit(main())
