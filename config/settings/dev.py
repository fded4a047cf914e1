"""Local settings: the embedded SQLite database, debug pages, emails to the console."""

import os

from .base import *  # noqa: F403

DEBUG = os.environ.get("DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret-change-me-in-production"
