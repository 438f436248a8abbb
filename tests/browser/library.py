"""The library's search in a real browser: a Korean official searches in Korean for sister-city
relations (자매결연), finds the Traditional Chinese trip report of Taichung (姊妹市) with the
matched words marked, narrows by a facet, and opens the Chinese report. The search page passes
the axe-core WCAG 2.1 A/AA checks (serious and critical)."""
import os

from harness import check_accessibility, login, run


def test(page, base_url, out_dir):
    login(page, base_url, "seoul@demo.glocal.example", "glocal-demo")
    page.goto(base_url + "/library")
    page.click("text=자료실 검색")
    page.wait_for_url("**/library/search")
    page.fill("#q", "자매결연")
    page.click("form.search-form button[type=submit]")
    page.wait_for_load_state("load")

    first = page.locator("ol.hits > li").first
    title = first.locator("h2 a")
    assert title.get_attribute("lang") == "zh-Hant", title.get_attribute("lang")
    assert "臺中市政府" in title.inner_text(), title.inner_text()
    marks = first.locator(".snippet mark").all_inner_texts()
    assert "姊妹市" in marks, marks
    assert "姐妹城市" in page.inner_text("p.expanded"), "the widened terms are shown"
    page.screenshot(path=os.path.join(out_dir, "search-ko.png"), full_page=True)
    check_accessibility(page, "search page")

    # Narrow by the language facet: only the Traditional Chinese report is left.
    page.click("section.facet[data-facet=language] >> text=繁體中文")
    page.wait_for_load_state("load")
    assert page.locator("ol.hits > li").count() == 1
    assert "language=zh-Hant" in page.url, page.url

    page.locator("ol.hits > li h2 a").first.click()
    page.wait_for_load_state("load")
    h1 = page.inner_text("h1")
    assert "臺中市政府" in h1, h1
    assert "姊妹市" in page.inner_text("main"), "the report's text is shown"
    page.screenshot(path=os.path.join(out_dir, "report.png"), full_page=True)


if __name__ == "__main__":
    run(test)
