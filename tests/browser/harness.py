"""Shared code of the browser tests: real Chromium from Debian, driven by Playwright, and the
axe-core accessibility check."""
import json
import os
import sys

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("GLOCAL_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def run(test):
    """Runs test(page, base_url, out_dir) in a fresh browser; exits non-zero on failure."""
    base_url, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ko-KR")
        try:
            test(page, base_url, out_dir)
        except Exception:
            page.screenshot(path=os.path.join(out_dir, "failure.png"), full_page=True)
            raise
        finally:
            browser.close()


def login(page, base_url, email, password):
    page.goto(base_url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(base_url + "/")


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def check_accessibility(page, label, out_dir=None):
    """Runs axe-core (WCAG 2.1 A and AA rules) on the page; fails on a serious or critical
    violation, written to out_dir/violations.json when given."""
    results = Axe().run(page, options=AXE_OPTIONS)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    if bad and out_dir:
        with open(os.path.join(out_dir, "violations.json"), "w") as f:
            json.dump(bad, f, indent=1, ensure_ascii=False)
    assert not bad, f"{label}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']} ×{len(v['nodes'])}" for v in bad)
