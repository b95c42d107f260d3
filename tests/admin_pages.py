"""Admin pages as a browser sees them: the form controls a person can change, and what a browser would
post back; for the admin tests (`test_admin_locks`, `test_admin_walk`)."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser

from django.urls import reverse

from tests.security.test_atomicity import dump_everything

BUTTONS = ("_save", "_continue", "_addanother", "_saveasnew")


class Controls(HTMLParser):
    """The form controls of a page: what a browser would post, and which of them a person can change."""

    def __init__(self, html: str):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self.editable: list[str] = []
        self.kinds: dict[str, str] = {}  # name -> "textarea", "select" or the input's type; dates as "date"
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value", "")))
        if tag not in ("input", "select", "textarea") or not name:
            return
        kind = tag if tag != "input" else attrs.get("type", "text")
        if {"vDateField", "vTimeField"} & set((attrs.get("class") or "").split()):
            kind = "date"
        self.kinds[name] = kind
        if "disabled" not in attrs and kind not in ("hidden", "submit", "button", "reset"):
            self.editable.append(name)
        if tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea, self._text = name, ""
        elif kind in ("checkbox", "radio"):
            if "checked" in attrs:
                self.values.append((name, attrs.get("value", "on")))
        elif kind not in ("submit", "button", "reset"):
            self.values.append((name, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None

    def post(self) -> dict[str, list[str]]:
        """What a browser would post (the empty template rows of inlines left out)."""
        data: dict[str, list[str]] = {}
        for name, value in self.values:
            if "__prefix__" not in name and name not in BUTTONS:
                data.setdefault(name, []).append(value)
        return data

    def changes(self) -> Iterator[tuple[dict[str, list[str]], str]]:
        """What a browser would post with one field of the page's object changed, one field after the
        other: a text gets a word, a number grows by one."""
        data = self.post()
        own = [name for name in self.editable if "-" not in name and name in data]
        for name in own:
            if self.kinds[name] in ("text", "textarea"):
                yield data | {name: [data[name][0] + " ändrad"]}, name
        for name in own:
            if self.kinds[name] == "number":
                yield data | {name: [str(int(float(data[name][0] or 0)) + 1)]}, name


def stored() -> dict:
    """Every row in the database but the admin's log of what it was asked and the login sessions."""
    dump = dump_everything()
    del dump["admin.LogEntry"], dump["sessions.Session"]
    return dump


def url(obj, view: str) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])
