"""Writing SIE 4 files for the tests, as accounting systems write them: CP437, quoted names, cost centres
(dimension 1) and projects (dimension 6), vouchers in `{ }` blocks, period balances."""

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Voucher:
    series: str
    number: int
    day: str  # YYYYMMDD
    text: str
    rows: list[tuple[str, dict[str, str], Decimal]]  # (account, {dimension: object}, amount)


@dataclass
class SieWriter:
    year: int = 2020
    company: str = "Samordningsförbundet Örnsköldsvik"
    accounts: dict[str, str] = field(
        default_factory=lambda: {
            "1930": "Företagskonto",
            "3010": "Bidrag från Försäkringskassan",
            "3020": "Bidrag från Region Västernorrland",
            "3030": "Bidrag från kommunen",
            "5010": "Lokalhyra",
            "7010": "Löner tjänstemän",
            "6550": "Konsultarvoden",
            "8310": "Ränteintäkter",
        }
    )
    account_types: dict[str, str] = field(default_factory=dict)
    vouchers: list[Voucher] = field(default_factory=list)
    period_balances: list[tuple[str, str, dict[str, str], Decimal]] = field(default_factory=list)
    sie_type: str = "4"
    format_line: str | None = "#FORMAT PC8"

    def voucher(self, day: str, text: str, *rows) -> None:
        self.vouchers.append(Voucher("A", len(self.vouchers) + 1, day, text, list(rows)))

    def text(self) -> str:
        lines = ["#FLAGGA 0", '#PROGRAM "Fortnox" 3.0']
        if self.format_line:
            lines.append(self.format_line)
        lines += [
            f"#GEN {self.year + 1}0115",
            f"#SIETYP {self.sie_type}",
            f'#FNAMN "{self.company}"',
            "#ORGNR 222000-1234",
            f"#RAR 0 {self.year}0101 {self.year}1231",
            f"#RAR -1 {self.year - 1}0101 {self.year - 1}1231",
            "#KPTYP BAS2014",
        ]
        lines += [f'#KONTO {number} "{name}"' for number, name in self.accounts.items()]
        lines += [f"#KTYP {number} {kind}" for number, kind in self.account_types.items()]
        lines += ['#DIM 1 "Kostnadsställe"', '#DIM 6 "Projekt"', '#OBJEKT 1 "10" "Kansli"']
        lines += ['#OBJEKT 6 "P1" "Steget vidare"', "#IB 0 1930 500000.00", "#IB -1 1930 450000.00"]
        for period, account, objects, amount in self.period_balances:
            lines.append(f"#PSALDO 0 {period} {account} {_objects(objects)} {amount:.2f}")
        for voucher in self.vouchers:
            lines.append(
                f'#VER {voucher.series} {voucher.number} {voucher.day} "{voucher.text}" {voucher.day}'
            )
            lines.append("{")
            for account, objects, amount in voucher.rows:
                lines.append(f'   #TRANS {account} {_objects(objects)} {amount:.2f} {voucher.day} ""')
            lines.append("}")
        return "\r\n".join(lines) + "\r\n"

    def bytes(self) -> bytes:
        return self.text().encode("cp437")


def _objects(objects: dict[str, str]) -> str:
    return "{" + " ".join(f'{dim} "{code}"' for dim, code in objects.items()) + "}"


def a_year_of_vouchers(year: int = 2020) -> SieWriter:
    """Grants in, rent, salaries and a project's consultancy over the year's tertials."""
    sie = SieWriter(year=year)
    d = Decimal
    sie.voucher(f"{year}0115", "Bidrag FK", ("1930", {}, d("600000")), ("3010", {}, d("-600000")))
    sie.voucher(f"{year}0115", "Bidrag regionen", ("1930", {}, d("300000")), ("3020", {}, d("-300000")))
    sie.voucher(
        f"{year}0131", "Hyra januari", ("5010", {"1": "10"}, d("12500.50")), ("1930", {}, d("-12500.50"))
    )
    sie.voucher(
        f"{year}0525",
        "Lön maj",
        ("7010", {"1": "10"}, d("45000")),
        ("6550", {"1": "10", "6": "P1"}, d("20000")),
        ("1930", {}, d("-65000")),
    )
    sie.voucher(
        f"{year}0915", "Konsult Steget vidare", ("6550", {"6": "P1"}, d("80000")), ("1930", {}, d("-80000"))
    )
    sie.voucher(f"{year}1231", "Ränta", ("1930", {}, d("312.25")), ("8310", {}, d("-312.25")))
    return sie
