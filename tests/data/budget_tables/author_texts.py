"""The author of the corpus's text tables: writes each table as literal text, and every sidecar, the
expected figures computed here by plain arithmetic on the base figures below, never by finsam.

Not run by the tests (they read the files it wrote); kept so a reviewer can see where each expected figure
comes from and a new shape can be added the same way: `python tests/data/budget_tables/author_texts.py`.
Written once as a quick script, so the house lint rules are waived for this file alone.
"""
# ruff: noqa

import json
from pathlib import Path

OUT = Path(__file__).resolve().parent
NB = "\u00a0"
YEARS = [2025, 2026, 2027]
# Base budget in tkr
REV = [
    ("Försäkringskassan/Arbetsförmedlingen", [4000, 4000, 4200]),
    ("Region Norrby", [2000, 2000, 2100]),
    ("Kommunerna", [2000, 2000, 2100]),
]
ADMIN = [
    ("Förbundschef", [900, 930, 960]),
    ("Kansli och lokaler", [300, 310, 320]),
    ("Styrelsens arvoden", [100, 110, 120]),
]
INS = [
    ("Insats Alfa", [3000, 3000, 3000]),
    ("Insats Beta", [2500, 2500, 0]),
    ("Ej beslutade insatser", [1000, 1150, 4000]),
]
OPENING = 1500


def col(rows, i):
    return sum(r[1][i] for r in rows)


def fmt(v, sep=" ", neg="-", paren=False, dec=None):
    """v in the table's unit (number)."""
    if dec is not None:
        s = f"{abs(v):.{dec}f}".replace(".", ",")
        whole, _, frac = s.partition(",")
    else:
        whole, frac = str(abs(int(v))), ""
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = sep.join(groups) + ("," + frac if frac else "")
    if v < 0:
        return f"({text})" if paren else neg + text
    return text


def base_expected(
    scale=1000, years=YEARS, fin_income=None, fin_cost=None, opening=OPENING, rev=REV, admin=ADMIN, ins=INS
):
    idx = [YEARS.index(y) for y in years]
    r = {y: col(rev, i) * scale for y, i in zip(years, idx)}
    c = {y: (col(admin, i) + col(ins, i)) * scale for y, i in zip(years, idx)}
    if fin_income:
        for y, i in zip(years, idx):
            r[y] += fin_income[i] * scale
    if fin_cost:
        for y, i in zip(years, idx):
            c[y] += fin_cost[i] * scale
    res = {y: r[y] - c[y] for y in years}
    exp = {"revenue": r, "costs": c, "result": res}
    if opening is not None:
        eq = opening * scale
        closing = {}
        for y in years:
            eq += res[y]
            closing[y] = eq
        exp["opening_equity"] = opening * scale
        exp["closing_equity"] = closing
    return exp


files = {}


def write(name, text, expected, shapes, readings=None, extra=None):
    (OUT / name).write_text(text, encoding="utf-8")
    side = {
        "shapes": shapes,
        **{
            k: ({str(y): v for y, v in val.items()} if isinstance(val, dict) else val)
            for k, val in expected.items()
        },
    }
    side["readings"] = readings or {}
    if extra:
        side.update(extra)
    (OUT / (name.rsplit(".", 1)[0] + ".json")).write_text(
        json.dumps(side, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def rows_text(rows, f, sign=1, sep="\t", lead=""):
    return "".join(f"{lead}{label}{sep}" + sep.join(f(sign * v) for v in vals) + "\n" for label, vals in rows)


# 01: Word paste, kind row above the years (merged "Plan" cells), costs negative, hyphen, space thousands
f = lambda v: fmt(v, " ", "-")
t = "Verksamhetsplan och budget 2025, plan 2026–2027 (tkr)\n\n\t\tPlan\tPlan\n\t2025\t2026\t2027\nIntäkter\n"
t += rows_text(REV, f) + "Summa intäkter\t" + "\t".join(f(col(REV, i)) for i in range(3)) + "\n"
t += (
    "Kostnader\nAdministration\n"
    + rows_text(ADMIN, f, -1)
    + "Summa administration\t"
    + "\t".join(f(-col(ADMIN, i)) for i in range(3))
    + "\n"
)
t += (
    "Insatser\n"
    + rows_text(INS, f, -1)
    + "Summa insatser\t"
    + "\t".join(f(-col(INS, i)) for i in range(3))
    + "\n"
)
t += "Summa kostnader\t" + "\t".join(f(-col(ADMIN, i) - col(INS, i)) for i in range(3)) + "\n"
t += "Resultat\t" + "\t".join(f(col(REV, i) - col(ADMIN, i) - col(INS, i)) for i in range(3)) + "\n"
write(
    "01-word-kind-row-above.txt",
    t,
    base_expected(opening=None),
    ["word-merged-cells", "space-thousands", "hyphen-minus", "costs-negative", "unit-in-title"],
    {
        "Summa administration": "group_total",
        "Summa insatser": "group_total",
        "Summa kostnader": "costs_total",
        "Resultat": "result",
        "Summa intäkter": "revenue_total",
    },
    {"columns": [[2025, "budget"], [2026, "plan"], [2027, "plan"]], "unit": "tkr"},
)

# 02: Word paste, no-break space thousands, U+2212 minus, costs negative, kronor, kinds in year cells, equity rows
f = lambda v: fmt(v * 1000, NB, "\u2212")
t = "Budget för Samordningsförbundet Norrby\nBelopp i kronor\n\tBudget 2025\tPlan 2026\tPlan 2027\n"
t += "Intäkter\n" + rows_text(REV, f) + "Kostnader\n" + rows_text(ADMIN + INS, f, -1)
t += "Summa kostnader\t" + "\t".join(f(-col(ADMIN, i) - col(INS, i)) for i in range(3)) + "\n"
res = [col(REV, i) - col(ADMIN, i) - col(INS, i) for i in range(3)]
t += "Årets resultat\t" + "\t".join(f(v) for v in res) + "\n"
eq = [OPENING]
for v in res:
    eq.append(eq[-1] + v)
t += "Eget kapital vid årets början\t" + "\t".join(f(v) for v in eq[:3]) + "\n"
t += "Eget kapital vid årets slut\t" + "\t".join(f(v) for v in eq[1:]) + "\n"
write(
    "02-word-nbsp-minus-sign-equity.txt",
    t,
    base_expected(scale=1000),
    ["word-merged-cells", "nbsp-thousands", "minus-sign", "costs-negative", "equity-rows", "unit-in-title"],
    {
        "Årets resultat": "result",
        "Eget kapital vid årets början": "opening_equity",
        "Eget kapital vid årets slut": "closing_equity",
        "Summa kostnader": "costs_total",
    },
    {"columns": [[2025, "budget"], [2026, "plan"], [2027, "plan"]], "unit": "kr"},
)

# 03: header words after the year ("2025 Budget"), hyphen negatives, ingående/utgående eget kapital, tkr.
f = lambda v: fmt(v, " ", "-")
t = "Ekonomisk plan, tkr.\n\t2025 Budget\t2026 Plan\t2027 Plan\nIntäkter\n" + rows_text(REV, f)
t += "Summa intäkter\t" + "\t".join(f(col(REV, i)) for i in range(3)) + "\nKostnader\n"
t += rows_text(ADMIN, f, -1) + rows_text(INS, f, -1)
t += "Summa kostnader\t" + "\t".join(f(-col(ADMIN, i) - col(INS, i)) for i in range(3)) + "\n"
t += "Resultat\t" + "\t".join(f(v) for v in res) + "\n"
t += "Ingående eget kapital\t" + "\t".join(f(v) for v in eq[:3]) + "\n"
t += "Utgående eget kapital\t" + "\t".join(f(v) for v in eq[1:]) + "\n"
write(
    "03-year-before-kind-equity.txt",
    t,
    base_expected(),
    [
        "header-words-any-order",
        "space-thousands",
        "hyphen-minus",
        "costs-negative",
        "equity-rows",
        "unit-in-title",
    ],
    {
        "Ingående eget kapital": "opening_equity",
        "Utgående eget kapital": "closing_equity",
        "Resultat": "result",
    },
    {"columns": [[2025, "budget"], [2026, "plan"], [2027, "plan"]], "unit": "tkr"},
)

# 04: dot thousands, parenthesised negatives (accounts style), kronor in SEK
f = lambda v: fmt(v * 1000, ".", paren=True)
t = "Budget 2025–2027 (SEK)\n\tBudget 2025\tPlan 2026\tPlan 2027\nIntäkter\n" + rows_text(REV, f)
t += "Summa intäkter\t" + "\t".join(f(col(REV, i)) for i in range(3)) + "\nKostnader\n"
t += (
    "Administration\n"
    + rows_text(ADMIN, f, -1)
    + "Summa administration\t"
    + "\t".join(f(-col(ADMIN, i)) for i in range(3))
    + "\n"
)
t += (
    "Insatser\n"
    + rows_text(INS, f, -1)
    + "Summa insatser\t"
    + "\t".join(f(-col(INS, i)) for i in range(3))
    + "\n"
)
t += "Summa kostnader\t" + "\t".join(f(-col(ADMIN, i) - col(INS, i)) for i in range(3)) + "\n"
t += "Resultat\t" + "\t".join(f(v) for v in res) + "\n"
write(
    "04-dot-thousands-parentheses.txt",
    t,
    base_expected(opening=None),
    ["dot-thousands", "parenthesised-negatives", "costs-negative"],
    {
        "Summa administration": "group_total",
        "Summa insatser": "group_total",
        "Summa kostnader": "costs_total",
    },
    {"columns": [[2025, "budget"], [2026, "plan"], [2027, "plan"]], "unit": "kr"},
)

# 05: costs positive, space thousands, "tkr." in a caption line above, Utfall/Prognos columns before
OUT_REV = [4000, 4000, 4000]
f = lambda v: fmt(v, " ", "-")
t = "Tabell 3. Budget och plan\nBelopp i tkr.\n\tPrognos 2024\tBudget 2025\tPlan 2026\nIntäkter\n"
REV5 = [(l, [v[0], v[0], v[1]]) for l, v in REV]
ADM5 = [(l, [v[0], v[0], v[1]]) for l, v in ADMIN]
INS5 = [(l, [v[0], v[0], v[1]]) for l, v in INS]
t += rows_text(REV5, f) + "Summa intäkter\t" + "\t".join(f(col(REV5, i)) for i in range(3)) + "\nKostnader\n"
t += (
    rows_text(ADM5 + INS5, f)
    + "Summa kostnader\t"
    + "\t".join(f(col(ADM5, i) + col(INS5, i)) for i in range(3))
    + "\n"
)
t += "Resultat\t" + "\t".join(f(col(REV5, i) - col(ADM5, i) - col(INS5, i)) for i in range(3)) + "\n"
e5 = {
    "revenue": {2024: col(REV5, 0) * 1000, 2025: col(REV5, 1) * 1000, 2026: col(REV5, 2) * 1000},
    "costs": {y: (col(ADM5, i) + col(INS5, i)) * 1000 for i, y in enumerate([2024, 2025, 2026])},
}
e5["result"] = {y: e5["revenue"][y] - e5["costs"][y] for y in e5["revenue"]}
write(
    "05-costs-positive-forecast-first.txt",
    t,
    e5,
    ["costs-positive", "space-thousands", "unit-in-caption"],
    {"Summa kostnader": "costs_total", "Resultat": "result", "Summa intäkter": "revenue_total"},
    {"columns": [[2024, "forecast"], [2025, "budget"], [2026, "plan"]], "unit": "tkr"},
)


# ---- a general renderer for the remaining text shapes -----------------------------------------------
def render(
    *,
    title_lines,
    header_cells,
    kind_row=None,
    rev=REV,
    admin=ADMIN,
    ins=INS,
    years_idx=(0, 1, 2),
    f=lambda v: fmt(v),
    cost_sign=-1,
    group_sums=True,
    section_sums=True,
    result="Resultat",
    extra_first=None,
    extra_last=None,
    label_prefix=lambda i, l: l,
    rev_heading="Intäkter",
    cost_heading="Kostnader",
    admin_name="Administration",
    ins_name="Insatser",
    ins_sum_label=None,
    after_result=(),
    fin_before=(),
    equity=None,
    admin_as_sum=False,
    ins_as_sum=False,
    note_col=None,
    pct_col=False,
    scale_f=1,
    rev_rows_extra=(),
    split_tables=None,
    error=None,
):
    """Rows of (label, values in table unit (tkr base * scale_f), extra cells)."""
    ids = list(years_idx)

    def vals(v):
        return [v[i] * scale_f for i in ids]

    lines = []

    def row(label, values, note="", pct=""):
        cells = [label]
        if extra_first is not None:
            cells.append(f(sum(values)) if values else "")
        if note_col is not None:
            cells.append(note)
        cells += [f(v) for v in values] if values else []
        if values and len(cells) < 1 + (extra_first is not None) + (note_col is not None) + len(ids):
            pass
        if not values:
            cells = [label]
        else:
            if extra_last is not None:
                cells.append(f(sum(values)))
            if pct_col:
                cells.append(pct)
        lines.append("\t".join(cells))

    for t in title_lines:
        lines.append(t)
    if kind_row:
        lines.append(kind_row)
    lines.append("\t".join(header_cells))
    rows_out = {}
    lines.append(rev_heading)
    revenue_total = [0] * len(ids)
    for i, (l, v) in enumerate(rev):
        vv = vals(v)
        row(label_prefix(i, l), vv, note="1" if i == 0 else "", pct=f"{round(100 * v[0] / col(rev, 0))} %")
        revenue_total = [a + b for a, b in zip(revenue_total, vv)]
    for l, v in rev_rows_extra:
        row(l, [x * scale_f for x in v]) if isinstance(v, list) else lines.append(l)
    for item in fin_before:
        pass
    if section_sums:
        row("Summa intäkter", revenue_total, pct="100 %")
    if split_tables:
        lines.append("")
        lines.append(split_tables)
    lines.append(cost_heading)
    cost_total = [0] * len(ids)
    for name, group, as_sum in ((admin_name, admin, admin_as_sum), (ins_name, ins, ins_as_sum)):
        gsum = [sum(v[i] for _, v in group) * scale_f for i in ids]
        cost_total = [a + b for a, b in zip(cost_total, gsum)]
        if as_sum:
            row(f"Summa {name.lower()}", [cost_sign * x for x in gsum])
            continue
        lines.append(name)
        for i, (l, v) in enumerate(group):
            row(label_prefix(i, l), [cost_sign * x for x in vals(v)], note="2" if i == 0 else "")
        if group_sums:
            printed = [cost_sign * x for x in gsum]
            if error and error[0] == name:
                printed[error[1]] += cost_sign * error[2]
            label = ins_sum_label if name == ins_name and ins_sum_label else f"Summa {name.lower()}"
            row(label, printed)
    if section_sums:
        printed = [cost_sign * x for x in cost_total]
        if error:
            printed[error[1]] += cost_sign * error[2]
        row("Summa kostnader", printed)
    res = [r - c for r, c in zip(revenue_total, cost_total)]
    printed_res = list(res)
    if error:
        printed_res[error[1]] -= error[2]
    if result:
        row(result, printed_res)
    for label, values in after_result:
        row(label, values)
    if equity:
        opening, (open_label, close_label) = equity
        eq = [opening * scale_f]
        for v in printed_res:
            eq.append(eq[-1] + v)
        if open_label:
            row(open_label, eq[:-1])
        if close_label:
            row(close_label, eq[1:])
    return "\n".join(lines) + "\n", revenue_total, cost_total, res


def expected_from(years, revenue_total, cost_total, res, unit_factor, opening=None, fin=(0, 0, 0)):
    exp = {
        "revenue": {y: revenue_total[i] * unit_factor for i, y in enumerate(years)},
        "costs": {y: cost_total[i] * unit_factor for i, y in enumerate(years)},
        "result": {y: res[i] * unit_factor for i, y in enumerate(years)},
    }
    if opening is not None:
        eq = opening * unit_factor
        exp["opening_equity"] = eq
        closing = {}
        for y in years:
            eq += exp["result"][y]
            closing[y] = eq
        exp["closing_equity"] = closing
    return exp


Y3 = [2025, 2026, 2027]
K3 = [[2025, "budget"], [2026, "plan"], [2027, "plan"]]

# 06: nbsp thousands, costs positive, TSEK in the header's first cell, a note column
f = lambda v: fmt(v, NB, "-")
t, r, c, s = render(
    title_lines=["Budget 2025 med plan för 2026–2027"],
    header_cells=["TSEK", "Not", "Budget 2025", "Plan 2026", "Plan 2027"],
    f=f,
    cost_sign=1,
    note_col=True,
)
write(
    "06-nbsp-costs-positive-note-column.txt",
    t,
    expected_from(Y3, r, c, s, 1000),
    ["nbsp-thousands", "costs-positive", "note-column"],
    {"Summa kostnader": "costs_total", "Summa administration": "group_total", "Resultat": "result"},
    {"columns": K3, "unit": "tkr"},
)

# 07: dot thousands, kSEK, note column, costs positive, two years
f = lambda v: fmt(v, ".", "-")
t, r, c, s = render(
    title_lines=["Budget (kSEK)"],
    header_cells=["", "Not", "Budget 2025", "Plan 2026"],
    years_idx=(0, 1),
    f=f,
    cost_sign=1,
    note_col=True,
)
write(
    "07-dot-thousands-ksek-note.txt",
    t,
    expected_from([2025, 2026], r, c, s, 1000),
    ["dot-thousands", "note-column", "costs-positive"],
    {"Summa insatser": "group_total"},
    {"columns": [[2025, "budget"], [2026, "plan"]], "unit": "tkr"},
)

# 08: minus sign, "tusental kronor" in the title, percent column last, costs negative
f = lambda v: fmt(v, " ", "\u2212")
t, r, c, s = render(
    title_lines=["Verksamhetens budget, tusental kronor"],
    header_cells=["", "Budget 2025", "Plan 2026", "Plan 2027", "Andel %"],
    f=f,
    pct_col=True,
)
write(
    "08-minus-sign-percent-column.txt",
    t,
    expected_from(Y3, r, c, s, 1000),
    ["minus-sign", "percent-column", "costs-negative", "unit-in-title"],
    {"Summa kostnader": "costs_total"},
    {"columns": K3, "unit": "tkr"},
)

# 09: parenthesised negatives, "Belopp i tusen kronor", a sum column first
f = lambda v: fmt(v, " ", paren=True)
t, r, c, s = render(
    title_lines=["Belopp i tusen kronor"],
    header_cells=["", "Totalt 2025–2027", "Budget 2025", "Plan 2026", "Plan 2027"],
    f=f,
    extra_first=True,
)
write(
    "09-parentheses-sum-column-first.txt",
    t,
    expected_from(Y3, r, c, s, 1000),
    ["parenthesised-negatives", "sum-column-first", "costs-negative", "unit-in-caption"],
    {"Summa administration": "group_total"},
    {"columns": K3, "unit": "tkr"},
)

# 10: kronor ("kr"), costs positive, a deficit printed with a hyphen, the sum column last ("2025–2027 Totalt")
INS10 = [
    ("Insats Alfa", [3000, 3000, 3000]),
    ("Insats Beta", [2500, 2500, 0]),
    ("Ej beslutade insatser", [1000, 1150, 4500]),
]
f = lambda v: fmt(v, " ", "-")
t, r, c, s = render(
    title_lines=["Budget, kr"],
    header_cells=["", "Budget 2025", "Plan 2026", "Plan 2027", "2025–2027 Totalt"],
    f=f,
    cost_sign=1,
    extra_last=True,
    ins=INS10,
    scale_f=1000,
)
write(
    "10-kronor-costs-positive-sum-column-last.txt",
    t,
    expected_from(Y3, r, c, s, 1),
    ["costs-positive", "sum-column-last", "hyphen-minus", "space-thousands"],
    {"Resultat": "result"},
    {"columns": K3, "unit": "kr"},
)

# 11: SEK, a note column and a percent column, spaces between thousands
f = lambda v: fmt(v, " ", "-")
t, r, c, s = render(
    title_lines=["Budget 2025–2027", "Belopp i SEK"],
    header_cells=["", "Not", "2025", "2026", "2027", "%"],
    f=f,
    note_col=True,
    pct_col=True,
    scale_f=1000,
)
write(
    "11-sek-note-and-percent.txt",
    t,
    expected_from(Y3, r, c, s, 1),
    ["note-column", "percent-column", "space-thousands", "costs-negative", "unit-in-caption"],
    {"Summa kostnader": "costs_total"},
    {"columns": [[2025, "budget"], [2026, "plan"], [2027, "plan"]], "unit": "kr"},
)

# 12: several tables on one page: revenue and costs as two Word tables with the same years
f = lambda v: fmt(v, " ", "-")
t, r, c, s = render(
    title_lines=["Budget 2025, plan 2026–2027 (tkr)"],
    kind_row="\tBudget\tPlan\tPlan",
    header_cells=["Intäkter", "2025", "2026", "2027"],
    rev_heading="Medlemsavgifter",
    f=f,
    split_tables="Kostnader\t2025\t2026\t2027",
)
write(
    "12-two-tables-same-years.txt",
    t,
    expected_from(Y3, r, c, s, 1000),
    ["several-tables", "word-merged-cells", "costs-negative", "hyphen-minus"],
    {"Summa intäkter": "revenue_total", "Summa kostnader": "costs_total"},
    {"columns": K3, "unit": "tkr"},
)

# 13: a budget table with a second table below it (other years: not read); a subtotal worded unlike its group
f = lambda v: fmt(v, " ", "-")
t, r, c, s = render(
    title_lines=["Budget 2025–2027, tkr"],
    header_cells=["", "Budget 2025", "Plan 2026", "Plan 2027"],
    f=f,
    ins_sum_label="Summa verksamhetskostnader",
    ins_name="Verksamhet",
)
t += "\nJämförelse med tidigare år\n\tUtfall 2022\tUtfall 2023\tPrognos 2024\nIntäkter\t7 600\t7 800\t8 000\nKostnader\t-7 000\t-7 700\t-8 100\n"
write(
    "13-second-table-other-years.txt",
    t,
    expected_from(Y3, r, c, s, 1000),
    ["several-tables", "subtotal-worded-unlike-group", "costs-negative"],
    {"Summa verksamhetskostnader": "group_total", "Summa kostnader": "costs_total"},
    {"columns": K3, "unit": "tkr"},
)

# 14: the sum column first, kinds after the years, bullets "• "
f = lambda v: fmt(v, " ", "-")
t, r, c, s = render(
    title_lines=["Budget (Tkr)"],
    header_cells=["", "2025–2027", "2025 Budget", "2026 Plan", "2027 Plan"],
    f=f,
    extra_first=True,
    label_prefix=lambda i, l: "• " + l,
)
write(
    "14-sum-first-bullets.txt",
    t,
    expected_from(Y3, r, c, s, 1000),
    ["sum-column-first", "header-words-any-order", "bullets", "costs-negative"],
    {"Förbundschef": "line", "Kommunerna": "contribution"},
    {"columns": K3, "unit": "tkr"},
)

# 15: the sum column last ("Summa"), numbered labels "1. " and "a) ", costs positive
f = lambda v: fmt(v, " ", "-")
t, r, c, s = render(
    title_lines=["Budget 2025 och plan 2026–2027, tkr"],
    header_cells=["", "Budget 2025", "Plan 2026", "Plan 2027", "Summa"],
    f=f,
    extra_last=True,
    cost_sign=1,
    label_prefix=lambda i, l: f"{i + 1}. {l}" if i % 2 == 0 else f"{'abc'[i]}) {l}",
)
write(
    "15-sum-last-numbered-labels.txt",
    t,
    expected_from(Y3, r, c, s, 1000),
    ["sum-column-last", "bullets", "costs-positive", "unit-in-title"],
    {"Förbundschef": "line", "Region Norrby": "contribution"},
    {"columns": K3, "unit": "tkr"},
)

# 16: millions (mnkr), result before financial items, financial items and equity below the result
f = lambda v: fmt(v / 1000, " ", "-", dec=2)
FI, FC = [20, 20, 20], [10, 10, 10]
t, r, c, s = render(
    title_lines=["Budget i mnkr"],
    header_cells=["", "Budget 2025", "Plan 2026", "Plan 2027"],
    f=f,
    result="Resultat före finansiella poster",
    after_result=[("Finansiella intäkter", FI), ("Finansiella kostnader", [-x for x in FC])],
)
res16 = [x + a - b for x, a, b in zip(s, FI, FC)]
eq = [OPENING]
for v in res16:
    eq.append(eq[-1] + v)
t += "Årets resultat\t" + "\t".join(f(v) for v in res16) + "\n"
t += "Eget kapital vid årets början\t" + "\t".join(f(v) for v in eq[:3]) + "\n"
t += "Eget kapital vid årets slut\t" + "\t".join(f(v) for v in eq[1:]) + "\n"
e = expected_from(
    Y3, [a + b for a, b in zip(r, FI)], [a + b for a, b in zip(c, FC)], res16, 1000, opening=OPENING
)
write(
    "16-mnkr-financial-below-result.txt",
    t,
    e,
    ["millions", "financial-items-below-result", "result-rows", "equity-rows", "costs-negative"],
    {
        "Resultat före finansiella poster": "result_before_financial",
        "Finansiella intäkter": "financial_income",
        "Finansiella kostnader": "financial_cost",
        "Årets resultat": "result",
        "Eget kapital vid årets början": "opening_equity",
        "Eget kapital vid årets slut": "closing_equity",
    },
    {"columns": K3, "unit": "tkr"},
)

# 17: Mkr; the municipalities' joint contribution and its "varav" rows per municipality
f = lambda v: fmt(v / 1000, " ", "-", dec=2)
REV17 = REV + []
t, r, c, s = render(
    title_lines=["Budget (Mkr)"],
    header_cells=["", "Budget 2025", "Plan 2026", "Plan 2027"],
    f=f,
    rev=REV,
    rev_rows_extra=[
        ("varav Alby kommun", [1000, 1000, 1050]),
        ("varav Bergby kommun", [600, 600, 630]),
        ("varav Cedby kommun", [400, 400, 420]),
    ],
)
write(
    "17-mkr-joint-contribution-varav.txt",
    t,
    expected_from(Y3, r, c, s, 1000),
    ["millions", "joint-contribution-breakdown", "costs-negative"],
    {"varav Alby kommun": "breakdown", "Kommunerna": "contribution"},
    {"columns": K3, "unit": "tkr"},  # the parts become the key (fixed shares): all compared
)

# 18: a members' total with every member below it, per municipality, bullets "- "
f = lambda v: fmt(v, " ", "-")
REV18 = [
    ("Medlemsavgifter", [8000, 8000, 8400]),
    ("Försäkringskassan", [2000, 2000, 2100]),
    ("Arbetsförmedlingen", [2000, 2000, 2100]),
    ("Region Norrby", [2000, 2000, 2100]),
    ("Alby kommun", [1000, 1000, 1050]),
    ("Bergby kommun", [600, 600, 630]),
    ("Cedby kommun", [400, 400, 420]),
]
t, r, c, s = render(
    title_lines=["Budget, belopp i tkr"],
    header_cells=["", "Budget 2025", "Plan 2026", "Plan 2027"],
    f=f,
    rev=REV18,
    section_sums=False,
    label_prefix=lambda i, l: ("- " + l) if i else l,
)
rt = [8000, 8000, 8400]
s = [a - b for a, b in zip(rt, c)]
t = t.replace(
    "Resultat\t" + "\t".join(f(x) for x in [a + a - b for a, b in zip(rt, c)]),
    "Resultat\t" + "\t".join(f(x) for x in s),
)
write(
    "18-members-total-and-municipalities.txt",
    t,
    expected_from(Y3, rt, c, s, 1000),
    ["joint-contribution-breakdown", "bullets", "costs-negative"],
    {
        "Medlemsavgifter": "contributions_total",
        "Alby kommun": "contribution",
        "Region Norrby": "contribution",
    },
    {"columns": K3, "unit": "tkr"},  # the parts become the key (fixed shares): all compared
)

# 19: a sum row carrying a group (detail in an appendix); interest below the result; balanserat resultat
f = lambda v: fmt(v, " ", "-")
t, r, c, s = render(
    title_lines=["Budget 2025–2027 (tkr)"],
    header_cells=["", "Budget 2025", "Plan 2026", "Plan 2027"],
    f=f,
    admin_as_sum=True,
    after_result=[("Ränteintäkter", [5, 5, 5]), ("Räntekostnader", [-1, -1, -1])],
)
res19 = [x + 4 for x in s]
eq = [OPENING]
for v in res19:
    eq.append(eq[-1] + v)
t += "Resultat efter finansiella poster\t" + "\t".join(f(v) for v in res19) + "\n"
t += "Balanserat resultat\t" + "\t".join(f(v) for v in eq[:3]) + "\n"
t += "Eget kapital\t" + "\t".join(f(v) for v in eq[1:]) + "\n"
t = t.replace(
    "Kostnader\nSumma administration", "Kostnader\nAdministration\nSumma administration (se bilaga 2)"
)
write(
    "19-sum-as-line-interest-below-result.txt",
    t,
    expected_from(Y3, [a + 5 for a in r], [a + 1 for a in c], res19, 1000, opening=OPENING),
    ["sum-without-detail", "financial-items-below-result", "result-rows", "equity-rows", "costs-negative"],
    {
        "Summa administration (se bilaga 2)": "line",
        "Resultat": "result_before_financial",
        "Ränteintäkter": "financial_income",
        "Räntekostnader": "financial_cost",
        "Resultat efter finansiella poster": "result",
        "Balanserat resultat": "opening_equity",
        "Eget kapital": "closing_equity",
    },
    {"columns": K3, "unit": "tkr"},
)

# 20: groups given only as sums (detail in appendices), a subtotal named unlike anything above it
f = lambda v: fmt(v, " ", "-")
t, r, c, s = render(
    title_lines=["Sammanställning, tkr"],
    header_cells=["", "Budget 2025", "Plan 2026", "Plan 2027"],
    f=f,
    admin_as_sum=True,
    ins_as_sum=True,
)
write(
    "20-groups-as-sums.txt",
    t,
    expected_from(Y3, r, c, s, 1000),
    ["sum-without-detail", "subtotal-worded-unlike-group", "costs-negative"],
    {"Summa administration": "line", "Summa insatser": "line", "Summa kostnader": "costs_total"},
    {"columns": K3, "unit": "tkr"},
)

# 24: one arithmetic error: the administration subtotal of 2025 is 10 tkr too high, and the costs, the
# result and the equity the table prints follow from it.
f = lambda v: fmt(v, " ", "-")
t, r, c, s = render(
    title_lines=["Budget 2025–2027 (tkr)"],
    header_cells=["", "Budget 2025", "Plan 2026", "Plan 2027"],
    f=f,
    error=("Administration", 0, 10),
    equity=(OPENING, ("Ingående eget kapital", "Utgående eget kapital")),
)
e = expected_from(Y3, r, c, s, 1000, opening=OPENING)
e["closing_equity"] = {y: v - 10000 for y, v in e["closing_equity"].items()}
write(
    "24-one-error-in-a-subtotal.txt",
    t,
    e,
    ["arithmetic-error", "equity-rows", "costs-negative"],
    {"Summa administration": "group_total", "Summa kostnader": "costs_total"},
    {
        "columns": K3,
        "unit": "tkr",
        "differences": [["Summa administration", 2025]],
        "follows": [
            ["Summa kostnader", 2025],
            ["Resultat", 2025],
            ["Utgående eget kapital", 2025],
            ["Utgående eget kapital", 2026],
            ["Utgående eget kapital", 2027],
        ],
    },
)

# 25: one arithmetic error in the costs total of 2026 (the subtotals are right); the result follows
t = (OUT / "01-word-kind-row-above.txt").read_text(encoding="utf-8")
t = t.replace("Summa kostnader\t-7 800\t-8 000\t-8 400", "Summa kostnader\t-7 800\t-8 100\t-8 400")
t = t.replace("Resultat\t200\t0\t0", "Resultat\t200\t-100\t0")
write(
    "25-one-error-in-the-costs-total.txt",
    t,
    base_expected(opening=None),
    ["arithmetic-error", "word-merged-cells", "costs-negative"],
    {"Summa kostnader": "costs_total", "Resultat": "result"},
    {
        "columns": K3,
        "unit": "tkr",
        "differences": [["Summa kostnader", 2026]],
        "follows": [["Resultat", 2026]],
    },
)

# sidecars of the workbooks (built by build_xlsx.py beside this file)
write_side = lambda name, exp, shapes, readings, extra: (OUT / name).write_text(
    json.dumps(
        {
            "shapes": shapes,
            **{
                k: ({str(y): v for y, v in val.items()} if isinstance(val, dict) else val)
                for k, val in exp.items()
            },
            "readings": readings,
            **extra,
        },
        ensure_ascii=False,
        indent=1,
    )
    + "\n",
    encoding="utf-8",
)
write_side(
    "21-excel-export.json",
    base_expected(opening=None),
    ["excel-export", "note-column", "sum-column-last", "costs-negative", "unit-in-title"],
    {"Summa administration": "group_total", "Summa kostnader": "costs_total", "Resultat": "result"},
    {"columns": K3, "unit": "tkr"},
)
write_side(
    "22-excel-kronor-shown-in-thousands.json",
    base_expected(opening=None),
    ["excel-export", "sum-column-first", "costs-positive", "word-merged-cells"],
    {"Summa kostnader": "costs_total", "Förbundschef": "line"},
    {"columns": K3, "unit": "tkr"},
)
e = {
    "revenue": {2025: 8010000, 2026: 8010000},
    "costs": {2025: 7800000, 2026: 8000000},
    "result": {2025: 210000, 2026: 10000},
    "opening_equity": 1500000,
    "closing_equity": {2025: 1710000, 2026: 1720000},
}
write_side(
    "23-excel-percent-financial-equity.json",
    e,
    [
        "excel-export",
        "percent-column",
        "financial-items-below-result",
        "equity-rows",
        "result-rows",
        "unit-in-caption",
    ],
    {
        "Resultat före finansiella poster": "result_before_financial",
        "Ränteintäkter": "financial_income",
        "Årets resultat": "result",
        "Ingående eget kapital": "opening_equity",
        "Utgående eget kapital": "closing_equity",
    },
    {"columns": [[2025, "budget"], [2026, "plan"]], "unit": "tkr"},
)
