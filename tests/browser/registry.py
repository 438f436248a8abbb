"""The exchange registry's main flow in a real browser: a member's official opens their
relationships, sees the map of partners, follows a relationship, records an activity with the
form, finds a city by a name in another script, and opens the partner directory and partner
seeking. Every page passes the axe-core WCAG 2.1 A/AA checks (serious and critical) and fits a
phone's screen."""
import os

from harness import check_accessibility, login, run


def test(page, base_url, out_dir):
    login(page, base_url, "seoul@demo.glocal.example", "glocal-demo")
    page.click("nav.main-nav >> text=국제교류 현황")
    page.wait_for_load_state("load")
    assert page.locator("figure.chart svg").count() >= 3, "statistics charts are drawn"
    check_accessibility(page, "/registry")
    page.click("text=우리 기관의 교류")
    page.wait_for_load_state("load")
    assert "서울특별시" in page.inner_text("h1")
    assert page.locator("figure.map svg circle").count() > 100, "the map has its world and partners"
    page.screenshot(path=os.path.join(out_dir, "member.png"), full_page=True)
    check_accessibility(page, "member page")

    page.click("table >> text=도쿄도")
    page.wait_for_load_state("load")
    assert "도쿄도" in page.inner_text("h1")
    page.select_option("#kind", "delegation")
    page.fill("#started_on", "2026-03-02")
    page.fill("#title", "청소년 대표단 도쿄 방문")
    page.fill("#participants", "청소년 20명, 인솔 3명")
    page.click("form.grid-form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator(".notice").count() == 1, "saved notice"
    log = page.inner_text("ol.activity-log")
    assert "청소년 대표단 도쿄 방문" in log and "2026-03-02" in log, log
    check_accessibility(page, "relationship page")

    page.goto(base_url + "/registry/cities")
    page.fill("#q", "臺中")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("load")
    main = page.inner_text("main")
    assert "타이중시" in main and "TW" in main and "Asia/Taipei" in main, main
    check_accessibility(page, "city search")
    page.click("table >> text=타이중시")
    page.wait_for_load_state("load")
    assert "Taichung" in page.inner_text("main") and "Asia/Taipei" in page.inner_text("main")

    page.goto(base_url + "/registry/partners")
    page.click("text=세계지방정부연합 아시아태평양지부")
    page.wait_for_load_state("load")
    assert "Won Hee-Ryong" in page.inner_text("main")
    check_accessibility(page, "partner page")

    page.goto(base_url + "/registry/seeking")
    assert page.locator("table.score").count() == 10, "ten explained recommendations"
    check_accessibility(page, "seeking page")

    page.set_viewport_size({"width": 375, "height": 740})
    for path in ["/registry", "/registry/seeking", "/registry/partners"]:
        page.goto(base_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} is {overflow}px wider than a phone"
    page.goto(base_url + "/registry")
    page.screenshot(path=os.path.join(out_dir, "registry-phone.png"), full_page=True)


if __name__ == "__main__":
    run(test)
