"""`python -m app.cli`: the `ruta` command."""

import sys

from app.cli import main

sys.exit(main())
