"""Runs the axe-core accessibility engine (WCAG 2.1 A and AA rules) on the main pages, logged
out and logged in as an administrator, on a desktop and on a phone-sized screen; fails on any
violation of serious or critical impact, and on pages wider than a phone's screen."""
import os

from harness import check_accessibility, login, run

PAGES = ["/", "/organizations", "/organizations?q=%EC%84%9C%EC%9A%B8", "/users", "/users/new", "/account", "/admin/audit"]


def test(page, base_url, out_dir):
    page.goto(base_url + "/login")
    check_accessibility(page, "/login", out_dir)
    login(page, base_url, "admin@demo.glocal.example", "glocal-demo")
    for width, height in [(1280, 900), (375, 740)]:
        page.set_viewport_size({"width": width, "height": height})
        for path in PAGES:
            page.goto(base_url + path)
            check_accessibility(page, f"{path} at {width}px", out_dir)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow}px wider than a {width}px screen"
        page.goto(base_url + "/users/new")
        page.screenshot(path=os.path.join(out_dir, f"user-form-{width}.png"), full_page=True)


if __name__ == "__main__":
    run(test)
