"""``python -m bifkit.cli ...``: the ``bifkit`` command."""
import sys

from . import main

sys.exit(main())
