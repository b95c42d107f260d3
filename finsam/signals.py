"""Signals the core sends, so that the floors above it can follow without the core importing them."""

from django.dispatch import Signal

# An invitation was accepted (`finsam.invitations`, both the new-account and the existing-user path). Sent
# inside the acceptance's transaction, after the membership exists and the invitation is marked used, with
# the keyword arguments `invitation` and `membership` (the person's membership in the association; one they
# already had keeps its role, so a receiver checks `membership.role`). A receiver that raises rolls the
# whole acceptance back: the link stays unused.
invitation_accepted = Signal()
