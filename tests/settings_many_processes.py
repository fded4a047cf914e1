"""Settings of the web and worker processes that tests/test_many_processes.py starts: the test settings, with
tasks queued in the database (run by `commonweal db_worker`), emails written to files, and the database,
bucket and folders the test names in the environment, so that every process shares them."""

import os
from pathlib import Path

from config.settings.base import s3_storages
from config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
MEDIA_ROOT = Path(os.environ["MEDIA_ROOT"])
SPEND_DATA_DIR = Path(os.environ["SPEND_DATA_DIR"])
# Files in the bucket the test names (the test settings would keep them on local disk).
if os.environ.get("S3_BUCKET"):
    STORAGES.update(s3_storages(os.environ["S3_BUCKET"], dict(os.environ)))  # noqa: F405
# The cache each process would have without CACHE_URL: an answer must not depend on which process gave it.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
