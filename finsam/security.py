"""Security logging and the error pages that must work when the database does not.

- Logins, logouts, failed logins and lockouts are logged through Django's auth signals (and axes').
- `client_ip` is the client's address, for the log and for login throttling: REMOTE_ADDR, or behind
  FINSAM_TRUSTED_PROXY_COUNT proxies the address the outermost of them put into X-Forwarded-For.
- `LoginThrottle` (axes' handler) locks a user name from one address after AXES_FAILURE_LIMIT failures,
  and an address after FINSAM_LOGIN_ADDRESS_FAILURE_LIMIT failures whatever the user names.
- `SlidingSessionMiddleware` keeps a session alive for an hour after the last request, writing it at
  most once a minute.
- `RefusalLoggingMiddleware` logs every 403 and 404 answer with the user, the method, the path and the
  association, so that someone probing other associations' objects shows up in the log.
- `server_error` is the project's `handler500`: a lost database connection (PostgreSQL restarted, network
  gone) answers 503 with a static Swedish page; anything else answers 500. Neither page touches the
  database.

Nothing secret is logged: no passwords (Django masks them in the credentials of a failed login), no
session keys, no query strings, and the password-reset token in a reset link's path is replaced.
"""

import ipaddress
import logging
import re
import sys
import time

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import InterfaceError, OperationalError
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger("finsam.security")

# URL keyword arguments whose values are secrets (the password-reset link) and are never logged.
SECRET_KWARGS = {"token", "uidb64"}
REFUSAL_STATUSES = {403, 404}
RESET_PATH = re.compile(r"(/reset/).*")


def client_ip(request) -> str | None:
    """The client's address (axes' AXES_CLIENT_IP_CALLABLE, and the log's).

    Every proxy appends to X-Forwarded-For the address it was connected from, so behind N trusted proxies
    the client is the Nth address from the right; whatever stands further left the client wrote itself.
    With no trusted proxies (FINSAM_TRUSTED_PROXY_COUNT=0, the default) the header is ignored. A header
    too short or not an address means the request did not come through the proxies: REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.FINSAM_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    return _address(forwarded[-proxies]) or remote


def _address(entry: str) -> str | None:
    """An address of X-Forwarded-For, without a port some proxies add (`192.0.2.1:5100`, `[2001:db8::1]:80`)."""
    entry = entry.strip()
    if entry.startswith("["):
        entry = entry[1:].partition("]")[0]
    elif entry.count(":") == 1:
        entry = entry.partition(":")[0]
    try:
        return str(ipaddress.ip_address(entry))
    except ValueError:
        return None


def client_address(request) -> str:
    if request is None:
        return "-"
    return client_ip(request) or "-"


class LoginThrottle(AxesDatabaseHandler):
    """axes' database handler, plus a limit on failed logins per address across user names.

    axes counts failures per parameter set of AXES_LOCKOUT_PARAMETERS and locks when the largest count
    reaches AXES_FAILURE_LIMIT, one limit for every set. Adding the set ["ip_address"] would therefore lock
    an address (an office behind one NAT) after five failures of anyone. Here the address's failures within
    the cool-off time, all user names together, are held against their own, higher limit; once it is
    reached the address counts as having reached AXES_FAILURE_LIMIT, so that both of axes' checks (before
    authenticating and after a failure) lock it out."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if self.address_failures(request) >= settings.FINSAM_LOGIN_ADDRESS_FAILURE_LIMIT:
            request.finsam_address_locked = True  # the lockout page says why
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def address_failures(self, request) -> int:
        attempts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def username_of(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anonym"
    return user.get_username()


def loggable_path(request) -> str:
    """The request path without its query string, with secret URL arguments replaced by `***`."""
    match = getattr(request, "resolver_match", None)
    if match is not None and SECRET_KWARGS & set(match.kwargs):
        path = request.path
        for name in SECRET_KWARGS & set(match.kwargs):
            path = path.replace(str(match.kwargs[name]), "***")
        return path
    # A mistyped reset link does not resolve, but still carries the token.
    return RESET_PATH.sub(r"\1***", request.path)


def association_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and "association" in match.kwargs:
        return str(match.kwargs["association"])
    return "-"


@receiver(user_logged_in, dispatch_uid="finsam.security.login")
def log_login(sender, request, user, **kwargs):
    logger.info("login user=%s ip=%s", user.get_username(), client_address(request))


@receiver(user_logged_out, dispatch_uid="finsam.security.logout")
def log_logout(sender, request, user, **kwargs):
    name = user.get_username() if user is not None else "anonym"
    logger.info("logout user=%s ip=%s", name, client_address(request))


@receiver(user_login_failed, dispatch_uid="finsam.security.login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in `credentials`; only the username is used.
    attempted = str(credentials.get("username", ""))[:150]
    logger.warning("login failed user=%s ip=%s", attempted or "-", client_address(request))


@receiver(user_locked_out, dispatch_uid="finsam.security.locked_out")
def log_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    logger.warning("login locked out user=%s ip=%s", username or "-", ip_address or client_address(request))


class SlidingSessionMiddleware:
    """A session ends SESSION_COOKIE_AGE (an hour) after the user's last request, not after the login.

    SESSION_SAVE_EVERY_REQUEST did that with a database write on every request, the busiest pages' and
    every saved budget cell's too. Here the session is saved (and its expiry moved) only when its last
    refresh is SESSION_REFRESH_SECONDS old, so a session ends between 59 and 60 minutes after the last
    activity, with one write a minute at most. Sits inside SessionMiddleware, which does the saving."""

    KEY = "_finsam_refreshed_at"

    def __init__(self, get_response):

        self.get_response = get_response
        self.refresh_seconds = settings.SESSION_REFRESH_SECONDS

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # An empty session (anonymous, or just logged out and flushed) is not created or revived.
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= self.refresh_seconds:
                session[self.KEY] = now
        return response


class RefusalLoggingMiddleware:
    """Log every 403 (forbidden) and 404 (not found, which is also how another association's objects
    answer) with who asked for what."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in REFUSAL_STATUSES:
            logger.warning(
                "refused status=%s user=%s method=%s path=%s association=%s ip=%s",
                response.status_code,
                username_of(request),
                request.method,
                loggable_path(request),
                association_of(request),
                client_address(request),
            )
        return response


DATABASE_ERRORS = (OperationalError, InterfaceError)


def server_error(request, template_name="500.html"):
    """handler500: a static page, rendered without the request so that no context processor, session or
    user lookup can touch a database that may be gone. A lost database connection answers 503."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        logger.error("database unavailable path=%s: %s", loggable_path(request), type(error).__name__)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(loader.get_template(template_name).render(), status=500)
