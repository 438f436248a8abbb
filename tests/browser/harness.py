"""Shared launch code for the browser tests: real Chromium from Debian, driven by Playwright."""
import os
import sys

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
