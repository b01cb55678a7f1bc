"""Shared setup for the integration tests: makes bayesd_client importable and reads --bayesd PATH."""

import math
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_CLIENT = os.path.normpath(os.path.join(_HERE, "..", "..", "clients", "python"))
if _CLIENT not in sys.path:
    sys.path.insert(0, _CLIENT)

from bayesd_client.testing import Daemon, find_bayesd, pop_bayesd_arg, raw_request  # noqa: E402,F401

pop_bayesd_arg()

BRANIN_PARAMS = [
    {"name": "x1", "type": "float", "low": -5.0, "high": 10.0},
    {"name": "x2", "type": "float", "low": 0.0, "high": 15.0},
]


def branin(x1, x2):
    """Branin-Hoo; minimum 0.397887 at (-pi, 12.275), (pi, 2.275), (9.42478, 2.475)."""
    a, b, c, r, s, t = 1.0, 5.1 / (4 * math.pi ** 2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


def env_seconds(name, default):
    """A positive duration from the environment (for quick local runs), else ``default``."""
    try:
        v = float(os.environ.get(name, ""))
        return v if v > 0 else default
    except ValueError:
        return default
