"""Request plumbing every page and endpoint shares."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse

HEAD = "HEAD"


class HeadAsGetMiddleware:
    """`HEAD` works wherever `GET` does (RFC 9110 §9.3.2): the request is answered as a GET, with the GET's
    status and headers (its Content-Length too) and no body. Views then declare only GET, and a view that
    forgets HEAD (`require_GET`, `require_http_methods(["GET", "POST"])`) cannot answer 405 to it.
    GET never writes, so answering HEAD as GET writes nothing either."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != HEAD:
            return self.get_response(request)
        request.method = "GET"
        try:
            response = self.get_response(request)
        finally:
            request.method = HEAD
        if isinstance(response, StreamingHttpResponse):
            response.close()
            response.streaming_content = []
        elif hasattr(response, "content"):
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response
