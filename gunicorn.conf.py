"""gunicorn settings read automatically from the project root.

Checking the instance configuration here, in the master before any worker
forks, makes a misconfigured instance stop at once with one line naming the
variable, instead of workers failing to boot in a loop.
"""

import sys

from lms.config import ConfigError, load_config

try:
    load_config()
except ConfigError as err:
    print(f"lms: cannot start: {err}", file=sys.stderr, flush=True)
    sys.exit(2)

preload_app = True
control_socket_disable = True
