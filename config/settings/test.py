"""Test settings: fast hashing, emails kept in memory, tasks run at once."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = False
SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "spend": {"BACKEND": "commonweal.spend.files.SpendFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# pytest replaces both with a temporary folder of its run, removed at the end (tests/conftest.py).
MEDIA_ROOT = VAR_DIR / "test-media" / str(os.getpid())
SPEND_DATA_DIR = VAR_DIR / "test-spend" / str(os.getpid())
ALLOWED_HOSTS = ["*"]
# Serve static files straight from the apps, as in development: tests do not run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Each test process its own cache, whatever CACHE_URL says: tests/conftest.py clears it before every test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
