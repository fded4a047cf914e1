"""A small typed Python client for Commonweal's JSON API (/api/v1/), for data teams and scripts.

    from commonweal.client import Client

    api = Client("https://commonweal.example.org", token="...")
    for agreement in api.list_all("organisations/brightside/agreements/", ordering="-start_date"):
        print(agreement["reference"])
    version = api.framework_create("brightside", template="starter", code="local", title="Our framework")

It follows the API's conventions (docs/api.md): every list is read page by page through its `Link`
headers (`list_all` yields the items of every page), every creating call carries an `Idempotency-Key`, so
a call retried after a dropped connection or a 503 is done once, and an error answer raises `ApiError`
with the API's `detail` and per-field `errors`. The standard library only: no dependency to install.

The transport is a function, so tests drive the client through Django's test client
(`tests/test_api_client.py`) and anything else can be put in its place."""

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict, cast
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urljoin
from urllib.request import Request, urlopen

API_PATH = "/api/v1/"
RETRIES = 2
RETRY_STATUSES = {503}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


# (method, absolute URL, headers, body) → the answer.
Transport = Callable[[str, str, dict[str, str], bytes | None], Answer]


def urllib_transport(timeout: float = 60.0) -> Transport:
    def send(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Answer:
        request = Request(url, data=body, headers=headers, method=method)  # noqa: S310 (the caller's own URL)
        try:
            with urlopen(request, timeout=timeout) as response:  # noqa: S310
                return Answer(response.status, dict(response.headers.items()), response.read())
        except HTTPError as error:
            return Answer(error.code, dict(error.headers.items()), error.read())

    return send


class ApiError(Exception):
    """An error answer: `status`, the API's `detail` and, for a 400, `errors` by field."""

    def __init__(self, status: int, detail: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{status}: {detail}" + (f" {dict(errors)}" if errors else ""))
        self.status = status
        self.detail = detail
        self.errors = dict(errors or {})


class Organisation(TypedDict):
    name: str
    slug: str
    kind: str


class FrameworkVersion(TypedDict):
    id: int
    framework: str
    framework_title: str
    owner: str
    number: int
    status: str
    published_at: str | None
    source: str
    notes: str
    themes: list[dict[str, Any]]


class Member(TypedDict):
    id: int
    email: str
    full_name: str
    role: str
    since: str


class FrameworkItem(TypedDict):
    id: int
    code: str
    title: str


class ApiToken(TypedDict):
    id: int
    name: str
    scope: str
    key_prefix: str
    created_at: str
    expires_at: str
    last_used_at: str | None
    revoked_at: str | None
    revoked_reason: str
    is_usable: bool


class CreatedApiToken(ApiToken):
    key: str


_NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


def _multipart(fields: Mapping[str, str], files: Mapping[str, tuple[str, bytes]]) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


class Client:
    """The API at `base_url` (the site's address), as the person whose `token` it is."""

    def __init__(self, base_url: str, token: str, *, transport: Transport | None = None) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.token = token
        self.transport = transport or urllib_transport()

    # --- The conventions ---------------------------------------------------------------------------

    def url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        url = path if "://" in path else urljoin(self.base_url, API_PATH.lstrip("/") + path.lstrip("/"))
        query = {key: value for key, value in (params or {}).items() if value is not None}
        return f"{url}{'&' if '?' in url else '?'}{urlencode(query)}" if query else url

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        fields: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes]] | None = None,
        idempotency_key: str | None = None,
    ) -> Answer:
        """Send one call and answer it, or raise `ApiError`. A POST carries an Idempotency-Key (a new one
        unless given) and is retried with the same key after a 503 or a dropped connection."""
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        body: bytes | None = None
        if files is not None:
            headers["Content-Type"], body = _multipart(fields or {}, files)
        elif json_body is not None:
            headers["Content-Type"], body = "application/json", json.dumps(json_body).encode()
        if method == "POST":
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        url = self.url(path, params)
        for attempt in range(RETRIES + 1):
            try:
                answer = self.transport(method, url, headers, body)
            except URLError:
                if attempt == RETRIES:
                    raise
                time.sleep(2**attempt)
                continue
            if answer.status in RETRY_STATUSES and attempt < RETRIES:
                time.sleep(float(answer.headers.get("Retry-After", 2**attempt)))
                continue
            break
        if answer.status >= 400:
            try:
                error = json.loads(answer.body)
            except ValueError:
                error = {"detail": answer.body.decode("utf-8", "replace")[:500]}
            raise ApiError(answer.status, str(error.get("detail", "")), error.get("errors"))
        return answer

    def get(self, path: str, **params: Any) -> Any:
        return json.loads(self.request("GET", path, params=params).body)

    def post(self, path: str, data: Any = None, *, idempotency_key: str | None = None) -> Any:
        return json.loads(self.request("POST", path, json_body=data or {}, idempotency_key=idempotency_key).body)

    def list_all(self, path: str, **params: Any) -> Iterator[Any]:
        """Every item of a list, page after page (following `Link: rel="next"`); `params` filter and
        order it (`ordering="-created_at"`, `status="draft"`) and set the page size (`page_size=500`)."""
        url: str | None = self.url(path, params)
        while url is not None:
            answer = self.request("GET", url)
            yield from json.loads(answer.body)
            found = _NEXT_LINK.search(answer.headers.get("Link", "") or "")
            url = found[1] if found else None

    # --- Organisations -----------------------------------------------------------------------------

    def organisations(self) -> list[Organisation]:
        return cast(list[Organisation], list(self.list_all("organisations/")))

    # --- Frameworks --------------------------------------------------------------------------------

    def frameworks(self, org: str) -> list[dict[str, Any]]:
        return list(self.list_all(f"organisations/{org}/frameworks/"))

    def framework_version(self, org: str, version_id: int) -> FrameworkVersion:
        return cast(FrameworkVersion, self.get(f"organisations/{org}/framework-versions/{version_id}/"))

    def framework_create(self, org: str, *, template: str, code: str, title: str) -> FrameworkVersion:
        data = {"template": template, "code": code, "title": title}
        return cast(FrameworkVersion, self.post(f"organisations/{org}/frameworks/create/", data))

    def framework_import(
        self, org: str, content: bytes, filename: str, *, code: str = "", title: str = ""
    ) -> FrameworkVersion:
        """Import a framework file (.yaml, .json, .xlsx or .csv, as `commonweal frameworks import`)."""
        answer = self.request(
            "POST",
            f"organisations/{org}/frameworks/import/",
            fields={"code": code, "title": title},
            files={"file": (filename, content)},
        )
        return cast(FrameworkVersion, json.loads(answer.body))

    def framework_fork(self, org: str, version_id: int, *, code: str, title: str) -> FrameworkVersion:
        data = {"code": code, "title": title}
        return cast(FrameworkVersion, self.post(f"organisations/{org}/framework-versions/{version_id}/fork/", data))

    def draft_create(self, org: str, framework_id: int) -> FrameworkVersion:
        return cast(FrameworkVersion, self.post(f"organisations/{org}/frameworks/{framework_id}/drafts/"))

    def theme_add(self, org: str, version_id: int, *, code: str, title: str, description: str = "") -> FrameworkItem:
        data = {"code": code, "title": title, "description": description}
        return cast(FrameworkItem, self.post(f"organisations/{org}/framework-versions/{version_id}/themes/", data))

    def outcome_add(self, org: str, version_id: int, *, theme_code: str, code: str, title: str) -> FrameworkItem:
        data = {"theme_code": theme_code, "code": code, "title": title}
        return cast(FrameworkItem, self.post(f"organisations/{org}/framework-versions/{version_id}/outcomes/", data))

    def measure_add(
        self, org: str, version_id: int, *, outcome_code: str, code: str, title: str, unit: str, **details: str
    ) -> FrameworkItem:
        """`details`: description, counting_rule, evidence_required, value_type."""
        data = {"outcome_code": outcome_code, "code": code, "title": title, "unit": unit, **details}
        return cast(FrameworkItem, self.post(f"organisations/{org}/framework-versions/{version_id}/measures/", data))

    def measure_update(self, org: str, measure_id: int, *, title: str, unit: str, **details: str) -> FrameworkItem:
        """Change a draft's measure; `details`: description, counting_rule, evidence_required, value_type."""
        data = {"title": title, "unit": unit, **details}
        return cast(FrameworkItem, self.post(f"organisations/{org}/framework-measures/{measure_id}/update/", data))

    def theme_update(self, org: str, theme_id: int, *, title: str, description: str = "") -> FrameworkItem:
        """Rename or reword a draft's theme."""
        data = {"title": title, "description": description}
        return cast(FrameworkItem, self.post(f"organisations/{org}/framework-themes/{theme_id}/update/", data))

    def outcome_update(
        self, org: str, outcome_id: int, *, title: str, description: str = "", theme_code: str | None = None
    ) -> FrameworkItem:
        """Rename or reword a draft's outcome; `theme_code` moves it to another theme of the draft."""
        data = {"title": title, "description": description, **({"theme_code": theme_code} if theme_code else {})}
        return cast(FrameworkItem, self.post(f"organisations/{org}/framework-outcomes/{outcome_id}/update/", data))

    def item_remove(self, org: str, kind: str, item_id: int) -> None:
        """Remove a draft's theme, outcome or measure (`kind`), with what is under it."""
        if kind not in ("theme", "outcome", "measure"):
            raise ValueError("kind is theme, outcome or measure")
        self.request("POST", f"organisations/{org}/framework-{kind}s/{item_id}/remove/")

    def version_publish(self, org: str, version_id: int, *, notes: str) -> FrameworkVersion:
        path = f"organisations/{org}/framework-versions/{version_id}/publish/"
        return cast(FrameworkVersion, self.post(path, {"notes": notes}))

    def version_export(self, org: str, version_id: int, file_format: str = "yaml") -> bytes:
        path = f"organisations/{org}/framework-versions/{version_id}/export/"
        return self.request("GET", path, params={"file_format": file_format}).body

    # --- An organisation's people ------------------------------------------------------------------

    def members(self, org: str) -> list[Member]:
        return cast(list[Member], list(self.list_all(f"organisations/{org}/members/")))

    def member_add(self, org: str, *, email: str, role: str, full_name: str = "") -> Member:
        """Give a person a role (the organisation's lead); `full_name` is needed if they have no account."""
        data = {"email": email, "role": role, "full_name": full_name}
        return cast(Member, self.post(f"organisations/{org}/members/", data))

    def member_remove(self, org: str, membership_id: int) -> None:
        self.request("POST", f"organisations/{org}/members/{membership_id}/remove/")

    # --- Agreements --------------------------------------------------------------------------------

    def agreements_create(self, org: str, agreements: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Many agreements at once, all or nothing (each with the fields of creating one)."""
        return cast(
            list[dict[str, Any]], self.post(f"organisations/{org}/agreements/bulk/", {"agreements": agreements})
        )

    # --- Your API tokens ---------------------------------------------------------------------------

    def tokens(self) -> list[ApiToken]:
        return cast(list[ApiToken], list(self.list_all("account/api-tokens/")))

    def token_create(self, *, name: str, scope: str = "read", lifetime_days: int = 90) -> CreatedApiToken:
        data = {"name": name, "scope": scope, "lifetime_days": lifetime_days}
        return cast(CreatedApiToken, self.post("account/api-tokens/", data))

    def token_revoke(self, token_id: int) -> ApiToken:
        return cast(ApiToken, self.post(f"account/api-tokens/{token_id}/revoke/"))
