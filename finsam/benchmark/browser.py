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

# Runs in the page: arm a MutationObserver on the costs total, press Enter (from Playwright) and resolve
# with the milliseconds until the total's text changed.
ARM = """
(selector) => {
  const total = document.querySelector('#total-costs');
  window.__latency = new Promise((resolve) => {
    const before = total.textContent;
    const started = performance.now();
    const observer = new MutationObserver(() => {
      const now = document.querySelector('#total-costs');
      if (now && now.textContent !== before) { observer.disconnect(); resolve(performance.now() - started); }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true});
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
            page.evaluate(ARM, cell)
            field.press("Enter")
            samples.append(page.evaluate("window.__latency"))
            page.wait_for_timeout(50)
        browser.close()
    ordered = sorted(samples)
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "runs": runs,
    }
