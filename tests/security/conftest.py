"""Fixtures for the security tests that make thousands of requests."""

import logging

import pytest


@pytest.fixture
def quiet_refusals():
    """Thousands of expected 403/404 answers: keep their log lines out of the run (test_auth checks them)."""
    loggers = [logging.getLogger(name) for name in ("finsam.security", "django.request")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture
def uninstrumented_templates(monkeypatch):
    """The test client copies every template context it renders (for `response.context`); thousands of
    requests that never look at it do not need that cost."""
    from django.template import Template

    original = getattr(Template, "_original_render", None)
    if original is not None:
        monkeypatch.setattr(Template, "_render", original)
