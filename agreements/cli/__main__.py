"""``python -m agreements.cli``: the ``consortium`` command."""

import sys

from . import main

sys.exit(main())
