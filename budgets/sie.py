"""Reading SIE 4 files: the export every Swedish accounting system writes (Fortnox, Visma and the rest).

A SIE file is lines of `#LABEL field field ...`; fields are separated by blanks, quoted where they hold
blanks (`\\"` inside quotes is a quote), and object lists (cost centres, projects) are `{dim "code" ...}`.
Vouchers are `#VER` lines followed by a `{ ... }` block of `#TRANS` rows. The character set is CP437
("PC8"), the only one the format defines (files that say so but are UTF-8 or Windows-1252 are recognised). No well-kept Python library reads the format, so this small
parser is ours; it only reads (it never executes or resolves anything) and bounds what it accepts.

The parser knows nothing of budgets: it returns what the file says, with amounts as the file signs them
(revenue negative). `budget_sign` turns an account's amount into the sign a budget line uses.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_LINES = 500_000
MAX_FIELDS = 64

Objects = tuple[tuple[str, str], ...]  # ((dimension, object code), ...), sorted


class SieError(ValueError):
    """A file finsam cannot read as SIE 4; the message is for the user (Swedish)."""


@dataclass(frozen=True)
class Transaction:
    voucher: str  # series and number, e.g. "A 12"
    account: str
    objects: Objects
    amount: Decimal
    date: date


@dataclass(frozen=True)
class PeriodBalance:
    year: int  # 0 the file's current fiscal year, -1 the one before
    period: str  # YYYYMM
    account: str
    objects: Objects
    amount: Decimal


@dataclass
class SieFile:
    sie_type: str = ""
    program: str = ""
    company: str = ""
    org_number: str = ""
    fiscal_years: dict[int, tuple[date, date]] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    account_types: dict[str, str] = field(default_factory=dict)  # T, S, K or I
    dimensions: dict[str, str] = field(default_factory=dict)
    objects: dict[tuple[str, str], str] = field(default_factory=dict)
    results: dict[tuple[int, str], Decimal] = field(default_factory=dict)
    period_balances: list[PeriodBalance] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)

    def fiscal_year_index(self, year: int) -> int:
        """The index (0, -1, ...) of the fiscal year that starts in calendar year `year`."""
        for index, (start, _end) in self.fiscal_years.items():
            if start.year == year:
                return index
        held = ", ".join(str(start.year) for start, _end in sorted(self.fiscal_years.values()))
        raise SieError(
            _("Filen gäller räkenskapsåret %(held)s, inte %(year)s.") % {"held": held or "?", "year": year}
        )

    def is_revenue(self, account: str) -> bool:
        """Revenue (intäkt): by the file's #KTYP, else by the BAS chart (class 3, financial income 80–83)."""
        kind = self.account_types.get(account)
        if kind:
            return kind == "I"
        return account[:1] == "3" or account[:2] in {"80", "81", "82", "83"}

    def budget_sign(self, account: str, amount: Decimal) -> Decimal:
        """Revenue is negative in SIE (a credit) and positive in a budget; costs keep their sign."""
        return -amount if self.is_revenue(account) else amount

    def monthly(self, year: int, dimension: str | None = None) -> dict[tuple[str, str], dict[int, Decimal]]:
        """Amounts per (account, object code) and month of the fiscal year (1–12 from its start).

        `#PSALDO` rows give the figures where the file has them for that year (and, with `dimension`, rows
        for that dimension's objects); otherwise the vouchers' `#TRANS` rows are summed by their date's month.
        Without `dimension` the object code in the key is "".
        """
        start, _end = self.fiscal_years.get(year) or (None, None)
        if start is None:
            raise SieError(_("Filen saknar räkenskapsår %(year)s (#RAR).") % {"year": year})
        totals: dict[tuple[str, str], dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        balances = [row for row in self.period_balances if row.year == year]
        if dimension is None:
            chosen = [row for row in balances if not row.objects]
        else:
            chosen = [row for row in balances if len(row.objects) == 1 and row.objects[0][0] == dimension]
        if chosen:
            for row in chosen:
                month = _month_of(start, int(row.period[:4]), int(row.period[4:]))
                totals[(row.account, _code(row.objects, dimension))][month] += row.amount
        elif year == 0:  # vouchers are always the current year's
            for row in self.transactions:
                month = _month_of(start, row.date.year, row.date.month)
                totals[(row.account, _code(row.objects, dimension))][month] += row.amount
        return {key: dict(months) for key, months in totals.items()}


def _code(objects: Objects, dimension: str | None) -> str:
    if dimension is None:
        return ""
    return next((code for dim, code in objects if dim == dimension), "")


def _month_of(start: date, year: int, month: int) -> int:
    offset = (year - start.year) * 12 + month - start.month + 1
    if not 1 <= offset <= 12:
        raise SieError(
            _("Perioden %(period)s ligger utanför räkenskapsåret.") % {"period": f"{year}{month:02}"}
        )
    return offset


# --- Reading ------------------------------------------------------------------------------------------


_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|\{([^{}]*)\}|(\S+)')
_AMOUNT = re.compile(r"-?\d{1,15}(\.\d{1,6})?")
_DATE = re.compile(r"\d{8}")
_ACCOUNT = re.compile(r"\d{1,10}")


def decode(data: bytes) -> str:
    """The file's text. SIE defines one character set, PC8 (CP437); a file declaring another, or holding NUL
    bytes (UTF-16 and other binary files), is refused. A file that says PC8 (or nothing) but was written
    in UTF-8 or Windows-1252, as some programs do, is read in the one its Swedish letters show."""
    if len(data) > MAX_BYTES:
        raise SieError(_("Filen är för stor (högst %(mb)s MB).") % {"mb": MAX_BYTES // (1024 * 1024)})
    if b"\x00" in data:
        raise SieError(_("Filen har en okänd teckenkodning; SIE-filer skrivs med teckenuppsättningen PC8."))
    declared = re.search(rb"^#FORMAT[ \t]+(\S+)", data, re.MULTILINE)
    if declared and declared.group(1).strip(b'"').upper() != b"PC8":
        name = declared.group(1).decode("ascii", "replace")
        raise SieError(
            _("Filen anger teckenkodningen %(name)s; SIE 4 skrivs med PC8, som finsam läser.")
            % {"name": name}
        )
    # Some programs write UTF-8 or Windows-1252 under "PC8". Text with letters beyond ASCII that is valid
    # UTF-8 is UTF-8 (a PC8 file with Swedish letters almost never is).
    if not data.isascii():
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    # Windows-1252 or PC8: Swedish names tell which, as å ä ö Å Ä Ö are other bytes in the two, so the one whose letters the file holds more of is the one it was written in.
    in_cp437 = sum(data.count(byte) for byte in (0x86, 0x84, 0x94, 0x8F, 0x8E, 0x99))
    in_cp1252 = sum(data.count(byte) for byte in (0xE5, 0xE4, 0xF6, 0xC5, 0xC4, 0xD6))
    return data.decode("cp1252", "replace") if in_cp1252 > in_cp437 else data.decode("cp437")


def tokens(line: str, number: int) -> list[str | Objects]:
    """The fields of one line: strings, and object lists as sorted (dimension, code) pairs."""
    fields: list[str | Objects] = []
    for match in _TOKEN.finditer(line):
        quoted, objects, bare = match.groups()
        if objects is not None:
            fields.append(_objects(objects, number))
        elif quoted is not None:
            fields.append(_unescape(quoted))
        else:
            if '"' in bare or "{" in bare or "}" in bare:
                raise SieError(
                    _("Rad %(line)s: ett citattecken eller en klammer är inte avslutad.") % {"line": number}
                )
            fields.append(bare)
        if len(fields) > MAX_FIELDS:
            raise SieError(_("Rad %(line)s har för många fält.") % {"line": number})
    return fields


def _objects(text: str, number: int) -> Objects:
    parts = []
    for quoted, _nested, bare in _TOKEN.findall(text):
        if '"' in bare:
            raise SieError(_("Rad %(line)s: ett citattecken är inte avslutat.") % {"line": number})
        parts.append(_unescape(quoted) if bare == "" else bare)
    if len(parts) % 2:
        raise SieError(
            _("Rad %(line)s: objektlistan ska bestå av par av dimension och objekt.") % {"line": number}
        )
    return tuple(sorted(zip(parts[::2], parts[1::2], strict=True)))


def _unescape(quoted: str) -> str:
    return re.sub(r"\\(.)", r"\1", quoted)


def read_sie(data: bytes) -> SieFile:
    """Parse a SIE 4 file, or raise SieError saying (in Swedish) what is wrong and on which line."""
    text = decode(data)
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        raise SieError(_("Filen har för många rader (högst %(count)s).") % {"count": MAX_LINES})
    sie = SieFile()
    reader = _Reader(sie)
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line:
            reader.line(line, number)
    reader.finish()
    if not sie.sie_type:
        raise SieError(_("Filen saknar #SIETYP och är ingen SIE 4-fil."))
    if sie.sie_type.upper() not in {"4", "4E", "4I"}:
        raise SieError(
            _("Filen är SIE typ %(type)s; finsam läser SIE typ 4 (med verifikationer).")
            % {"type": sie.sie_type}
        )
    if 0 not in sie.fiscal_years:
        raise SieError(_("Filen saknar räkenskapsåret (#RAR 0)."))
    return sie


class _Reader:
    """Reads the lines one at a time, keeping the voucher block it is inside."""

    def __init__(self, sie: SieFile):
        self.sie = sie
        self.voucher: tuple[str, date, int] | None = None  # (series and number, date, line)
        self.in_block = False
        self.voucher_sum = Decimal(0)

    def line(self, line: str, number: int) -> None:
        if line == "{":
            if self.voucher is None or self.in_block:
                raise SieError(_("Rad %(line)s: en klammer utan verifikation.") % {"line": number})
            self.in_block = True
            return
        if line == "}":
            if not self.in_block:
                raise SieError(_("Rad %(line)s: en avslutande klammer utan början.") % {"line": number})
            self._close_voucher()
            return
        if not line.startswith("#"):
            raise SieError(_("Rad %(line)s börjar inte med en etikett (#).") % {"line": number})
        fields = tokens(line, number)
        label, args = str(fields[0]).upper(), fields[1:]
        if self.voucher is not None and not self.in_block:
            raise SieError(
                _("Rad %(line)s: verifikationen saknar sina rader inom klamrar.") % {"line": number}
            )
        if self.in_block and label not in {"#TRANS", "#RTRANS", "#BTRANS"}:
            raise SieError(
                _("Rad %(line)s: %(label)s kan inte stå i en verifikation.")
                % {"line": number, "label": label}
            )
        handler = getattr(self, "_" + label[1:].lower(), None)
        if handler is not None:
            try:
                handler(args, number)
            except SieError:
                raise
            except (IndexError, TypeError, ValueError, InvalidOperation):
                raise SieError(
                    _("Rad %(line)s: %(label)s saknar fält eller har fel fält.")
                    % {"line": number, "label": label}
                ) from None

    def finish(self) -> None:
        if self.voucher is not None:
            raise SieError(
                _("Filen slutar mitt i verifikationen på rad %(line)s.") % {"line": self.voucher[2]}
            )

    def _close_voucher(self) -> None:
        name, _day, number = self.voucher
        if self.voucher_sum != 0:
            raise SieError(
                _("Verifikation %(name)s (rad %(line)s) balanserar inte: raderna summerar till %(sum)s.")
                % {"name": name, "line": number, "sum": self.voucher_sum}
            )
        self.voucher, self.in_block, self.voucher_sum = None, False, Decimal(0)

    # One method per label finsam reads; every other label is ignored, as the format asks of readers.

    def _sietyp(self, args, number):
        self.sie.sie_type = _text(args[0])

    def _program(self, args, number):
        self.sie.program = " ".join(_text(arg) for arg in args)[:200]

    def _fnamn(self, args, number):
        self.sie.company = _text(args[0])[:200]

    def _orgnr(self, args, number):
        self.sie.org_number = _text(args[0])[:20]

    def _rar(self, args, number):
        start, end = _date(args[1], number), _date(args[2], number)
        if end < start:
            raise SieError(_("Rad %(line)s: räkenskapsåret slutar före det börjar.") % {"line": number})
        self.sie.fiscal_years[_year(args[0], number)] = (start, end)

    def _konto(self, args, number):
        self.sie.accounts[_account(args[0], number)] = _text(args[1])[:200]

    def _ktyp(self, args, number):
        self.sie.account_types[_account(args[0], number)] = _text(args[1]).upper()[:1]

    def _dim(self, args, number):
        self.sie.dimensions[_text(args[0])] = _text(args[1])[:200]

    def _objekt(self, args, number):
        self.sie.objects[(_text(args[0]), _text(args[1]))] = _text(args[2])[:200]

    def _res(self, args, number):
        self.sie.results[(_year(args[0], number), _account(args[1], number))] = _amount(args[2], number)

    def _psaldo(self, args, number):
        period = _text(args[1])
        if not re.fullmatch(r"\d{6}", period) or not 1 <= int(period[4:]) <= 12:
            raise SieError(
                _("Rad %(line)s: perioden ”%(period)s” är inte ÅÅÅÅMM.") % {"line": number, "period": period}
            )
        objects = args[3] if isinstance(args[3], tuple) else ()
        balance = PeriodBalance(
            _year(args[0], number), period, _account(args[2], number), objects, _amount(args[4], number)
        )
        self.sie.period_balances.append(balance)

    def _ver(self, args, number):
        series, serial = _text(args[0]), _text(args[1])
        self.voucher = (f"{series} {serial}".strip(), _date(args[2], number), number)

    def _trans(self, args, number):
        if not self.in_block:
            raise SieError(_("Rad %(line)s: #TRANS utanför en verifikation.") % {"line": number})
        if not isinstance(args[1], tuple):  # an older writer leaves the object list out altogether
            args = [args[0], (), *args[1:]]
        objects = args[1]
        amount = _amount(args[2], number)
        day = _date(args[3], number) if len(args) > 3 and _text(args[3]) else self.voucher[1]
        self.sie.transactions.append(
            Transaction(self.voucher[0], _account(args[0], number), objects, amount, day)
        )
        self.voucher_sum += amount

    # Added (#RTRANS, always followed by the same row as #TRANS) and removed (#BTRANS) rows are history.
    def _rtrans(self, args, number):
        if not self.in_block:
            raise SieError(_("Rad %(line)s: #RTRANS utanför en verifikation.") % {"line": number})

    _btrans = _rtrans


def _text(value) -> str:
    if isinstance(value, tuple):
        raise ValueError("an object list where a field was expected")
    return value


def _amount(value, number: int) -> Decimal:
    text = _text(value)
    if not _AMOUNT.fullmatch(text):
        raise SieError(_("Rad %(line)s: ”%(value)s” är inget belopp.") % {"line": number, "value": text[:40]})
    return Decimal(text)


def _date(value, number: int) -> date:
    text = _text(value)
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise SieError(
            _("Rad %(line)s: ”%(value)s” är inget datum (ÅÅÅÅMMDD).") % {"line": number, "value": text[:40]}
        ) from None


def _account(value, number: int) -> str:
    text = _text(value)
    if not _ACCOUNT.fullmatch(text):
        raise SieError(
            _("Rad %(line)s: ”%(value)s” är inget kontonummer.") % {"line": number, "value": text[:40]}
        )
    return text


def _year(value, number: int) -> int:
    text = _text(value)
    if not re.fullmatch(r"-?\d{1,2}", text):
        raise SieError(
            _("Rad %(line)s: ”%(value)s” är inget årsnummer (0, -1 …).")
            % {"line": number, "value": text[:40]}
        )
    return int(text)
