"""The settings with DEBUG asked for, as ``make run`` does with DJANGO_DEBUG=1: the test
suite's (pytest.ini) and mypy's Django plugin's (pyproject.toml).

settings.py fails closed: with nothing set it refuses to load without a production
secret. This module only asks for DEBUG before loading it; it changes no setting.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")

from opencraft_ops.settings import *  # noqa: F403
