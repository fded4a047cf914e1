"""Settings of the processes `benchmarks/load.py` starts: the deployment's settings (tasks queued in the
database, sessions in the database, the cache from CACHE_URL if set) served by gunicorn without HTTPS on
loopback, with a bare "hello" page beside the application to measure the ceiling of this machine.

Two-factor sign-in is off so that the load test's accounts sign in with a password: it adds one request
to each sign-in, not to the pages measured."""

import os

from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or "load-benchmark-only-not-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
TWO_FACTOR_ENFORCED = False
ROOT_URLCONF = "benchmarks.urls_load"
# Files where the deployment's settings put them (local disk, or the bucket S3_BUCKET names); static files
# from the apps, as in development (no collectstatic before a benchmark run).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
# Load tests sign in over and over from one address.
AXES_ENABLED = False
