"""The corpus's Excel workbooks, built with openpyxl when a test asks for them (`build(name)`), so the
repository holds their recipe rather than binary files. Each has a sidecar `<name without .xlsx>.json`."""

from __future__ import annotations

import io

import openpyxl

WORKBOOKS: dict[str, object] = {}


def workbook(name: str):
    def register(function):
        WORKBOOKS[name] = function
        return function

    return register


def build(name: str) -> bytes:
    book = openpyxl.Workbook()
    WORKBOOKS[name](book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
