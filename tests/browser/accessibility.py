"""Runs the axe-core accessibility engine (WCAG 2.1 A and AA rules) on the main pages, logged
out and logged in as an administrator, on a desktop and on a phone-sized screen; fails on any
violation of serious or critical impact, and on pages wider than a phone's screen."""
import json
import os

from axe_playwright_python.sync_playwright import Axe

from harness import login, run

PAGES = ["/", "/organizations", "/organizations?q=%EC%84%9C%EC%9A%B8", "/users", "/users/new", "/account", "/admin/audit"]
OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def check(page, axe, label, out_dir):
    results = axe.run(page, options=OPTIONS)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    if bad:
        with open(os.path.join(out_dir, "violations.json"), "w") as f:
            json.dump(bad, f, indent=1, ensure_ascii=False)
    assert not bad, f"{label}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']} ×{len(v['nodes'])}" for v in bad)


def test(page, base_url, out_dir):
    axe = Axe()
    page.goto(base_url + "/login")
    check(page, axe, "/login", out_dir)
    login(page, base_url, "admin@demo.glocal.example", "glocal-demo")
    for width, height in [(1280, 900), (375, 740)]:
        page.set_viewport_size({"width": width, "height": height})
        for path in PAGES:
            page.goto(base_url + path)
            check(page, axe, f"{path} at {width}px", out_dir)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than a {width}px screen"
        page.goto(base_url + "/users/new")
        page.screenshot(path=os.path.join(out_dir, f"user-form-{width}.png"), full_page=True)


if __name__ == "__main__":
    run(test)
