"""Logs in, switches the interface through all five languages with the header's language
control, checks a translated string in each, and saves a screenshot of each."""
import os

from harness import login, run

EXPECTED = {
    "ko": ("기관", "로그아웃"),
    "en": ("Organisations", "Log out"),
    "zh-Hans": ("机构", "退出登录"),
    "zh-Hant": ("機構", "登出"),
    "ja": ("機関", "ログアウト"),
}


def test(page, base_url, out_dir):
    login(page, base_url, "seoul@demo.glocal.example", "glocal-demo")
    for tag, (nav_word, logout) in EXPECTED.items():
        page.select_option("#lang-select", tag)
        page.click("form.lang-switch button[type=submit]")
        page.wait_for_load_state("load")
        assert page.get_attribute("html", "lang") == tag, f"lang is {page.get_attribute('html', 'lang')}, wanted {tag}"
        nav = page.inner_text("nav.main-nav")
        assert nav_word in nav, f"{tag}: {nav_word!r} not in {nav!r}"
        assert logout in page.inner_text("header"), f"{tag}: {logout!r} missing"
        page.goto(base_url + "/organizations?q=" + "서울")
        assert "1100000000" in page.inner_text("main")
        page.screenshot(path=os.path.join(out_dir, f"organizations-{tag}.png"), full_page=False)
    # Keyboard only: the skip link is the first stop and leads to the content.
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused, f"first tab stop is {focused!r}"


if __name__ == "__main__":
    run(test)
