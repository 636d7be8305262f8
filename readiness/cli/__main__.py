"""`python -m readiness.cli …` runs the `readiness` command."""

import sys

from readiness.cli import main

sys.exit(main())
