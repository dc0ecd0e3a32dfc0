"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi``.

The instance comes from ``LMS_INSTANCE`` (``instances/<slug>.env``); without it
the embedded default runs.  A configuration error stops start-up with one line
naming the variable to fix.
"""

import sys

from lms import create_app
from lms.config import ConfigError

try:
    app = create_app()
except ConfigError as err:
    print(f"lms: cannot start: {err}", file=sys.stderr, flush=True)
    sys.exit(2)
