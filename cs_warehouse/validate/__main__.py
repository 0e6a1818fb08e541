"""``python -m cs_warehouse.validate``: see cs_warehouse/validate/cli.py."""
import sys

from cs_warehouse.validate.cli import main

if __name__ == "__main__":
    sys.exit(main())
