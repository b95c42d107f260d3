"""In-browser latency: from pressing Enter in a budget cell to the updated total on screen (Playwright)."""

from __future__ import annotations

import statistics

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Runs in the page: arm a MutationObserver on the result row (every typed line changes the result); the
# clock starts when the page receives the Enter key (keydown), not when Playwright sends it (a few ms of
# its own transport), and resolves with the milliseconds until the result's text changed, or -1 after 5 s.
ARM = """
() => {
  const text = () => (document.querySelector('#grid-result') || {}).textContent;
  const before = text();
  let started = performance.now();
  window.addEventListener('keydown', () => { started = performance.now(); }, {capture: true, once: true});
  window.__latency = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (text() !== before) { observer.disconnect(); resolve(performance.now() - started); }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true});
    setTimeout(() => { observer.disconnect(); resolve(-1); }, 5000);
  });
}
"""


def enter_to_total_ms(base_url: str, grid_path: str, username: str, password: str, *, runs: int = 15) -> dict:
    from playwright.sync_api import sync_playwright

    samples = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.set_extra_http_headers({"X-Forwarded-Proto": "https"})
        page.goto(f"{base_url}/konto/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        page.goto(f"{base_url}{grid_path}")
        cell = "form[hx-post*='/budget/rad/'] input[name=amount]"
        for run in range(runs):
            field = page.locator(cell).first
            field.click()
            field.fill(str(100 + run))
            page.evaluate(ARM)
            field.press("Enter")
            elapsed = page.evaluate("window.__latency")
            if elapsed >= 0:
                samples.append(elapsed)
            page.wait_for_timeout(50)
        browser.close()
    if not samples:
        return {"median_ms": float("nan"), "p95_ms": float("nan"), "runs": runs, "timeouts": runs}
    ordered = sorted(samples)
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "runs": runs,
        "timeouts": runs - len(samples),
    }
