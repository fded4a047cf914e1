"""Conventions every API endpoint follows without declaring anything: conditional reads (`ETag` and
`If-None-Match`) and retry-safe creating calls (`Idempotency-Key`). Both apply to every path under
`/api/`, so an endpoint added in any module has them."""

import hashlib
import logging
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.http.request import RawPostDataException
from django.utils.http import parse_etags
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.settings import api_settings

from commonweal.core.services_idempotency import (
    KEY_MAX_LENGTH,
    idempotency_claim,
    idempotency_release,
    idempotency_store,
    request_digest,
)

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Answers not kept for a retry: the caller may fix them (sign in, wait) and send the same call again.
NOT_KEPT = {401, 403, 408, 409, 429}
IN_PROGRESS = "A request with this Idempotency-Key is still being answered: send it again in a moment."
KEY_REUSED = "This Idempotency-Key was sent with a different request: use a new key for a new request."
KEY_INVALID = "An Idempotency-Key is 1 to 255 printable characters."
BODY_TOO_BIG = "A request this large cannot be sent with an Idempotency-Key."


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _weak_etag(content: bytes) -> str:
    return f'W/"{hashlib.sha256(content).hexdigest()[:32]}"'


class ETagMiddleware:
    """A weak `ETag` (a digest of the body) on every successful API read, and 304 Not Modified, with no
    body, when the request's `If-None-Match` names it (RFC 9110 §13.1.2), so a client polling a list or
    an object downloads it only when it changed. HEAD is answered as GET, so it gets the same ETag."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD") or not _is_api(request) or response.status_code != 200:
            return response
        if response.streaming or not isinstance(response, HttpResponse):
            return response
        etag = _weak_etag(response.content)
        response["ETag"] = etag
        wanted = request.headers.get("If-None-Match")
        if wanted and (wanted.strip() == "*" or _weak_match(etag, parse_etags(wanted))):
            not_modified = HttpResponse(status=304)
            for header in ("ETag", "Cache-Control", "Vary", "Content-Location", "Expires"):
                if header in response:
                    not_modified[header] = response[header]
            return not_modified
        return response


def _weak_match(etag: str, candidates: list[str]) -> bool:
    """If-None-Match compares weakly: W/"x" matches "x" and W/"x"."""
    opaque = etag.removeprefix("W/")
    return any(candidate.removeprefix("W/") == opaque for candidate in candidates)


def _caller_id(request: HttpRequest) -> int | None:
    """The person the API will answer as (a token's owner or a signed-in session), or None: then the
    endpoint answers 401 or 403 itself and there is nothing to keep. The authenticators are asked
    directly, so the request's own `user` is left as the other middleware set it."""
    drf_request = Request(request)
    for authenticator in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        try:
            found = authenticator().authenticate(drf_request)  # type: ignore[operator]
        except exceptions.APIException:
            return None
        if found is not None:
            pk = getattr(found[0], "pk", None)
            return pk if isinstance(pk, int) else None
    return None


def _error(status: int, detail: str, *, field: bool = False) -> JsonResponse:
    body: dict[str, object] = {"detail": detail}
    if field:
        body["errors"] = {IDEMPOTENCY_HEADER: detail}
    return JsonResponse(body, status=status)


class IdempotencyMiddleware:
    """A creating call (POST) under `/api/` that carries `Idempotency-Key` runs once: the answer is kept
    for 24 hours and sent again, with `Idempotent-Replayed: true`, when the same person sends the same
    key with the same method, path and body. The same key with a different request answers 422; while
    the first call is still running, 409. Server errors are not kept, so such a call can be retried."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if request.method != "POST" or key is None or not _is_api(request):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
            return _error(400, KEY_INVALID, field=True)
        try:
            body = request.body
        except (RequestDataTooBig, RawPostDataException):
            return _error(400, BODY_TOO_BIG, field=True)
        user_id = _caller_id(request)
        if user_id is None:
            return self.get_response(request)
        digest = request_digest(method=request.method, path=request.get_full_path(), body=body)
        claim = idempotency_claim(
            user_id=user_id, key=key, method=request.method, path=request.get_full_path(), digest=digest
        )
        record = claim.record
        if not claim.new:
            if record.request_digest != digest:
                return _error(422, KEY_REUSED, field=True)
            if record.status_code is None:
                return _error(409, IN_PROGRESS)
            replay = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
            if record.location:
                replay["Location"] = record.location
            replay[REPLAYED_HEADER] = "true"
            return replay
        try:
            response = self.get_response(request)
        except BaseException:
            idempotency_release(record=record)
            raise
        if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
            idempotency_release(record=record)
            return response
        assert isinstance(response, HttpResponse)
        idempotency_store(
            record=record,
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            location=response.get("Location", ""),
            body=response.content,
        )
        return response
