"""Settings for the worker process started by test_worker.py: chidao's own, with the database
task backend and e-mails written as files the test reads back."""

import os

from chidao.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["CHIDAO_TEST_MAIL_DIR"]},
    }
}
