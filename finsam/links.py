"""The one rule for absolute links in e-mail (review notifications, invitations).

Production sets `FINSAM_BASE_URL` (https://finsam.example.se): every link starts with it, whatever host a
request came in on. Without it (development), a link takes the address the app is served at from the
request being answered (`request.build_absolute_uri`, the host checked against ALLOWED_HOSTS), so mail
sent from a server on another port or machine points back to it. Mail is built while a request is
answered; `RequestAddressMiddleware` keeps that request for services that are not given it. Outside any
request (a management command) the development server's address is the last resort.
"""

from contextvars import ContextVar

from django.conf import settings
from django.core.checks import Warning as CheckWarning

DEVELOPMENT_ADDRESS = "http://127.0.0.1:8000"

_current_request: ContextVar = ContextVar("finsam_current_request", default=None)


def absolute_url(path: str, *, request=None) -> str:
    """`path` (from `reverse`) as an absolute URL for an e-mail."""
    base = settings.FINSAM_BASE_URL
    if base:
        return base.rstrip("/") + path
    request = request or _current_request.get()
    if request is not None:
        return request.build_absolute_uri(path)
    return DEVELOPMENT_ADDRESS + path


class RequestAddressMiddleware:
    """Keep the request being answered for `absolute_url` (per thread and task: a context variable)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def check_base_url(app_configs=None, **kwargs) -> list:
    """`check --deploy`: production names its own address for the links in e-mail."""
    if settings.FINSAM_BASE_URL:
        return []
    return [
        CheckWarning(
            "FINSAM_BASE_URL is not set: links in e-mail take their address from the request.",
            hint="Set FINSAM_BASE_URL to the address finsam is served at, e.g. https://finsam.example.se.",
            id="finsam.W001",
        )
    ]
