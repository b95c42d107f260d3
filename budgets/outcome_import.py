"""The year's outcome from the accounting system: an SIE 4 file or an .xlsx of account balances, mapped to
the follow-up's rows (budgets.followup) by the association's `OutcomeMapping` rules.

Reading gives `Balances`: per account (and, where the file has them, per cost centre, dimension 1, and
project, dimension 6) an amount per period of the file (12 months, or 3 tertials from a spreadsheet),
already signed as a budget signs them (revenue positive, `budgets.sie.SieFile.budget_sign`). Balance-sheet
accounts (classes 1 and 2) are left out and counted. `Balances` travel between the preview and the import
as signed JSON (`dumps` / `loads`), so nothing is stored before "Importera".

`outcome_preview` applies the rules: an account is split by one dimension at a time (projects first, then
cost centres), where a rule names an object of that dimension; an object's part goes to its rule's row and
what is left of the account to the account's own rule (the longest matching account prefix). What no rule
takes is listed as unmapped, never dropped. Months are summed to tertials where the follow-up has tertials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core import signing
from django.utils.translation import gettext as _

from budgets.imports.files import read_upload
from budgets.imports.table import BudgetParseError, split_rows
from budgets.sie import MAX_BYTES, SieError, SieFile, read_sie
from finsam.money import round_half_up

ZERO = Decimal(0)
DIMENSIONS = ("6", "1")  # the order in which an account is split: projects first, then cost centres
SALT = "finsam.budgets.outcome_import"
MAX_ENTRIES = 5000


class OutcomeFileError(ValueError):
    """A file that cannot be imported; the message is for the user (Swedish)."""


@dataclass
class Balances:
    """What a file says, per (account, dimension, object code) → amounts per file period (budget signs).
    The dimension "" with object "" is the whole account."""

    source: str
    year: int
    period_count: int  # 12 or 3
    names: dict[str, str] = field(default_factory=dict)  # account → name
    objects: dict[str, str] = field(default_factory=dict)  # "dim:code" → name
    entries: dict[tuple[str, str, str], list[Decimal]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # balance-sheet accounts left out

    def accounts(self) -> list[str]:
        return sorted({account for account, dim, _code in self.entries if dim == ""})


def is_balance_sheet(account: str) -> bool:
    return account[:1] in {"1", "2"}


# --- Reading ------------------------------------------------------------------------------------------


def read_outcome_file(name: str, data: bytes, *, year: int) -> Balances:
    """A SIE 4 file or an .xlsx (or text table) of account balances for budget year `year`, or
    `OutcomeFileError` saying what is wrong."""
    if not data:
        raise OutcomeFileError(_("Filen är tom."))
    if len(data) > MAX_BYTES:
        raise OutcomeFileError(_("Filen är för stor (högst %(mb)s MB).") % {"mb": MAX_BYTES // (1024 * 1024)})
    if data[:4] == b"PK\x03\x04" or name.lower().endswith((".xlsx", ".xlsm", ".csv", ".xls")):
        return _read_table(name, data, year=year)
    try:
        sie = read_sie(data)
        index = sie.fiscal_year_index(year)
        return _from_sie(name, sie, index, year)
    except SieError as error:
        raise OutcomeFileError(str(error)) from None


def _from_sie(name: str, sie: SieFile, index: int, year: int) -> Balances:
    balances = Balances(source=name, year=year, period_count=12, names=dict(sie.accounts))
    balances.objects = {f"{dim}:{code}": text for (dim, code), text in sie.objects.items()}
    views = [("", sie.monthly(index))] + [(dim, sie.monthly(index, dim)) for dim in DIMENSIONS]
    for dim, monthly in views:
        for (account, code), months in monthly.items():
            if dim and not code:
                continue
            amounts = [sie.budget_sign(account, months.get(month, ZERO)) for month in range(1, 13)]
            _add(balances, account, dim, code, amounts)
    return balances


def _add(balances: Balances, account: str, dim: str, code: str, amounts: list[Decimal]) -> None:
    if is_balance_sheet(account):
        if account not in balances.ignored:
            balances.ignored.append(account)
        return
    key = (account, dim, code)
    if key not in balances.entries and len(balances.entries) >= MAX_ENTRIES:
        raise OutcomeFileError(_("Filen har för många konton och objekt."))
    current = balances.entries.setdefault(key, [ZERO] * len(amounts))
    balances.entries[key] = [a + b for a, b in zip(current, amounts, strict=True)]


_ACCOUNT = re.compile(r"^(\d{4,6})\b\s*(.*)$")
_HEADERS = {"account": r"konto|account", "1": r"kostnadsst|\bkst\b|resultatenhet", "6": r"projekt|project"}
_SKIP = re.compile(r"summa|total|helår|ack", re.IGNORECASE)


def _read_table(name: str, data: bytes, *, year: int) -> Balances:
    """An .xlsx (or a text table) of balances: a column of accounts ("5010" or "5010 Lokalhyra"), optional
    columns of cost centres and projects, then one column per month (12) or tertial (3). The header row is
    the first that names the account column; without one, the first column is the account."""
    try:
        text, source = read_upload(name, data)
    except BudgetParseError as error:
        raise OutcomeFileError(" ".join(str(message) for message in error.args[0])) from None
    rows, _mode = split_rows(text)
    header = next(
        (row for row in rows[:30] if any(re.search(_HEADERS["account"], c, re.I) for c in row.cells)), None
    )
    columns: dict[str, int] = {}
    amount_columns: list[int] = []
    if header is not None:
        kinds = [
            next((k for k, pattern in _HEADERS.items() if re.search(pattern, cell, re.I)), None)
            for cell in header.cells
        ]
        for index, kind in enumerate(kinds):
            if kind and kind not in columns:
                columns[kind] = index
        amount_columns = [
            index
            for index, cell in enumerate(header.cells)
            if index > columns["account"] and not kinds[index] and cell and not _SKIP.search(cell)
        ]
        body = rows[rows.index(header) + 1 :]
    else:
        columns["account"] = 0
        width = max((len(row.cells) for row in rows), default=0)
        amount_columns = list(range(1, width))
        body = rows
    if len(amount_columns) not in (12, 3):
        raise OutcomeFileError(
            _(
                "Tabellen ska ha en kolumn per månad (12) eller per tertial (3) efter kontot; "
                "finsam hittade %(count)s."
            )
            % {"count": len(amount_columns)}
        )
    balances = Balances(source=source, year=year, period_count=len(amount_columns))
    signer = SieFile()
    for row in body:
        cells = row.cells + [""] * (max([*amount_columns, *columns.values()]) + 1 - len(row.cells))
        found = _ACCOUNT.match(cells[columns["account"]])
        if not found:
            continue
        account = found.group(1)
        if found.group(2):
            balances.names.setdefault(account, found.group(2)[:200])
        amounts = [signer.budget_sign(account, _number(cells[i], row.number)) for i in amount_columns]
        _add(balances, account, "", "", amounts)
        for dim in DIMENSIONS:
            code = cells[columns[dim]].strip()[:40] if dim in columns else ""
            if code:
                _add(balances, account, dim, code, amounts)
    if not balances.entries and not balances.ignored:
        raise OutcomeFileError(_("Tabellen har inga rader med kontonummer."))
    return balances


def _number(text: str, line: int) -> Decimal:
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-").replace(",", ".")
    if not cleaned or cleaned == "-":
        return ZERO
    if not re.fullmatch(r"-?\d{1,13}(\.\d{1,6})?", cleaned):
        raise OutcomeFileError(
            _("Rad %(line)s: ”%(value)s” är inget belopp.") % {"line": line, "value": text[:40]}
        )
    return Decimal(cleaned)


# --- Carrying the balances between the preview and the import -------------------------------------------


def dumps(balances: Balances, *, plan_id: int) -> str:
    payload = {
        "plan": plan_id,
        "source": balances.source[:200],
        "year": balances.year,
        "periods": balances.period_count,
        "names": balances.names,
        "objects": balances.objects,
        "ignored": balances.ignored,
        "entries": [[*key, [str(a) for a in amounts]] for key, amounts in balances.entries.items()],
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def loads(token: str, *, plan_id: int) -> Balances:
    """The balances of a preview, or `OutcomeFileError` for a token that is not this plan's preview."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=24 * 3600)
        if payload["plan"] != plan_id:
            raise ValueError(payload["plan"])
        balances = Balances(
            source=payload["source"],
            year=payload["year"],
            period_count=payload["periods"],
            names=payload["names"],
            objects=payload["objects"],
            ignored=payload["ignored"],
        )
        for account, dim, code, amounts in payload["entries"]:
            balances.entries[(account, dim, code)] = [Decimal(a) for a in amounts]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise OutcomeFileError(_("Förhandsgranskningen har gått ut. Ladda upp filen igen.")) from None
    return balances


# --- Mapping ------------------------------------------------------------------------------------------


@dataclass
class Source:
    """A part of an account the preview lists: the whole account (dim "") or one object's part."""

    account: str
    dimension: str
    code: str
    name: str
    total: Decimal
    row: str | None  # the row it goes to (None: unmapped)
    rule_account: str | None = None  # the account (prefix) of the rule that decided, None: no rule


@dataclass
class OutcomePreview:
    balances: Balances
    period_count: int  # the follow-up's
    periods: list[int]  # the follow-up's periods the file fills
    rows: dict[str, list[Decimal]]  # row key → amount per follow-up period (whole kronor)
    sources: list[Source]
    unmapped: list[Source]


def _best(rules: dict[tuple[str, str, str], str], account: str, dim: str, code: str):
    """The rule with the longest account prefix for (dim, code): (prefix, row) or None."""
    for length in range(len(account), 0, -1):
        row = rules.get((account[:length], dim, code))
        if row is not None:
            return account[:length], row
    return None


def outcome_preview(
    balances: Balances, rules: dict[tuple[str, str, str], str], *, period_count: int, known_rows: set[str]
) -> OutcomePreview:
    """What an import of `balances` stores with `rules` ((account prefix, dimension, object) → row key; a
    rule whose row is not in `known_rows` counts as none)."""
    if balances.period_count == 3 and period_count == 12:
        raise OutcomeFileError(
            _("Filen har tertial men förbundets uppföljning är per månad. Använd en fil med månader.")
        )
    rules = {key: row for key, row in rules.items() if row in known_rows}
    factor = balances.period_count // period_count  # 1, or 4 months in a tertial
    totals: dict[str, list[Decimal]] = {}
    sources: list[Source] = []
    unmapped: list[Source] = []

    def send(source: Source, amounts: list[Decimal]) -> None:
        sources.append(source)
        if source.row is None:
            if source.total:
                unmapped.append(source)
            return
        target = totals.setdefault(source.row, [ZERO] * balances.period_count)
        totals[source.row] = [a + b for a, b in zip(target, amounts, strict=True)]

    parts: dict[str, list[tuple[str, str, str]]] = {}
    for key in sorted(balances.entries):
        if key[1]:
            parts.setdefault(key[0], []).append(key)
    for account in balances.accounts():
        rest = list(balances.entries[(account, "", "")])
        split = parts.get(account, [])
        dim = next(
            (d for d in DIMENSIONS if any(k[1] == d and _best(rules, account, d, k[2]) for k in split)), None
        )
        if dim:
            for key in split:
                if key[1] != dim:
                    continue
                found = _best(rules, account, dim, key[2])
                if found is None:
                    continue
                amounts = balances.entries[key]
                name = balances.objects.get(f"{dim}:{key[2]}", "")
                send(Source(account, dim, key[2], name, sum(amounts, ZERO), found[1], found[0]), amounts)
                rest = [a - b for a, b in zip(rest, amounts, strict=True)]
        found = _best(rules, account, "", "")
        source = Source(
            account,
            "",
            "",
            balances.names.get(account, ""),
            sum(rest, ZERO),
            found[1] if found else None,
            found[0] if found else None,
        )
        send(source, rest)
    last = 0
    for amounts in [balances.entries[(a, "", "")] for a in balances.accounts()]:
        for index, amount in enumerate(amounts, start=1):
            if amount:
                last = max(last, index)
    filled = -(-last // factor) if last else 0
    rows = {
        key: [
            round_half_up(sum(amounts[p * factor : (p + 1) * factor], ZERO), 0) for p in range(period_count)
        ]
        for key, amounts in totals.items()
    }
    return OutcomePreview(
        balances=balances,
        period_count=period_count,
        periods=list(range(1, filled + 1)),
        rows=rows,
        sources=sources,
        unmapped=unmapped,
    )
