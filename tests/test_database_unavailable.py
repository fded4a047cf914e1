"""With the database unreachable, pages answer the service's own 503 page and the API answers JSON 503.

Each case runs in a fresh process whose DATABASE_URL points at a port nothing listens on, so the
connection is really refused (no mocks)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, django
django.setup()
from django.test import Client
from django.urls import reverse
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "a-session-the-database-would-hold"
page = client.get(reverse("delivery:dashboard", kwargs={"org": "riverside"}))
api = Client(raise_request_exception=False).get(
    reverse("api:organisation-list"), headers={"Authorization": "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}
)
print(json.dumps({
    "page": [page.status_code, page["Content-Type"], page.content.decode(), page.get("Retry-After")],
    "api": [api.status_code, api["Content-Type"], api.content.decode(), api.get("Retry-After")],
}))
"""


@pytest.mark.parametrize("url", ["postgres://postgres@127.0.0.1:9/commonweal", "sqlite:////nonexistent/dir/x.db"])
def test_pages_and_the_api_answer_503_when_the_database_is_unreachable(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    env.pop("PYTEST_XDIST_WORKER", None)
    ran = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    answers = json.loads(ran.stdout.strip().splitlines()[-1])
    status, content_type, body, retry_after = answers["page"]
    assert (status, retry_after) == (503, "30")
    assert content_type.startswith("text/html")
    assert "Sorry, the service is unavailable" in body
    assert "Commonweal cannot reach its database just now" in body
    status, content_type, body, retry_after = answers["api"]
    assert (status, content_type, retry_after) == (503, "application/json", "30")
    assert json.loads(body) == {
        "detail": "The service is unavailable: its database cannot be reached. Try again later."
    }
