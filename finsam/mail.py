"""Sending e-mail after the action it reports has committed, through Django's mail framework (console in
development, locmem in tests, SMTP in production; see MAILERS in settings).

A refused or rolled-back action sends nothing. A mail server that fails is logged and never undoes the
action the user took.
"""

import logging

from django.core.mail import EmailMessage, mailers
from django.db import transaction

logger = logging.getLogger(__name__)


def send_on_commit(messages: list[EmailMessage], *, what: str) -> None:
    """Send `messages` when the surrounding transaction commits; `what` names them in the log."""
    if not messages:
        return

    def send():
        try:
            mailers.default.send_messages(messages)
        except Exception:
            # The action is committed; a failing mail server must not turn it into an error page.
            logger.exception("Could not send %d e-mail(s): %s", len(messages), what)

    transaction.on_commit(send)
