"""Local settings: the embedded SQLite database, debug pages, emails to the console."""

import os

from .base import *  # noqa: F403

DEBUG = os.environ.get("DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret-change-me-in-production"
# The demo accounts sign in without an authenticator app on a development server (`make run`); set
# TWO_FACTOR_ENFORCED=1 to try the rule as production has it. Production always enforces it.
TWO_FACTOR_ENFORCED = os.environ.get("TWO_FACTOR_ENFORCED", "0" if DEBUG else "1") == "1"
