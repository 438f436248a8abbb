"""The desk's main flow in a real browser: a member's official files a translation request
through its form, the desk's staff open it from their queue, take the steps it needs
(register, department, staff member) and send the final response, and the requester reads
the answer. Every page passes the axe-core WCAG 2.1 A/AA checks (serious and critical)."""
import os

from harness import check_accessibility, login, run


def submit(page, action):
    page.click(f"form[action$='/actions/{action}'] button[type=submit]")
    page.wait_for_load_state("load")


def test(page, base_url, out_dir):
    login(page, base_url, "seoul@demo.glocal.example", "glocal-demo")
    page.click("nav.main-nav >> text=온라인 민원실")
    page.wait_for_load_state("load")
    check_accessibility(page, "/desk (requester)")
    page.click("main >> text=새 요청")
    page.wait_for_load_state("load")
    check_accessibility(page, "/desk/new")
    page.click("ul.tiles >> text=통역·번역")
    page.wait_for_load_state("load")
    page.fill("#title", "브라우저 번역 요청")
    page.fill("[id='fields.source_language']", "ko")
    page.fill("[id='fields.target_languages']", "ja")
    page.fill("[id='fields.text']", "자매도시 협정서 초안입니다")
    check_accessibility(page, "translation form")
    page.click("form.grid-form button[type=submit]")
    page.wait_for_load_state("load")
    assert page.locator(".notice").count() == 1, "filed notice"
    assert "브라우저 번역 요청" in page.inner_text("h1")
    assert page.locator("ol.desk-steps li").count() == 6, "six steps"
    request_url = page.url
    page.screenshot(path=os.path.join(out_dir, "request-requester.png"), full_page=True)
    check_accessibility(page, "request (requester)")
    page.click("text=로그아웃")
    page.wait_for_load_state("load")

    login(page, base_url, "staff@demo.glocal.example", "glocal-demo")
    page.goto(base_url + "/desk")
    check_accessibility(page, "/desk (staff)")
    page.click("table >> text=브라우저 번역 요청")
    page.wait_for_load_state("load")
    assert page.url == request_url
    check_accessibility(page, "request (staff)")
    if page.locator("form[action$='/actions/register']").count():
        submit(page, "register")
    if page.locator("form[action$='/actions/assign_department']").count():
        page.select_option("[id='assign_department-department_id']", label="국제협력부")
        submit(page, "assign_department")
    if page.locator("form[action$='/actions/assign_staff']").count() and "이서연" not in page.inner_text("dl.facts"):
        page.select_option("[id='assign_staff-assignee_id']", label="이서연 Lee Seoyeon")
        submit(page, "assign_staff")
    page.fill("[id='final_response-body']", "번역본을 보내 드립니다. 감사합니다.")
    submit(page, "final_response")
    assert page.locator(".notice").count() == 1
    assert "답변 완료" in page.inner_text("main")
    check_accessibility(page, "request answered (staff)")
    page.click("text=로그아웃")
    page.wait_for_load_state("load")

    login(page, base_url, "seoul@demo.glocal.example", "glocal-demo")
    page.goto(request_url)
    assert "번역본을 보내 드립니다" in page.inner_text("ol.thread")
    assert page.locator("form[action$='/rating']").count() == 1, "the rating form"
    page.screenshot(path=os.path.join(out_dir, "request-answered.png"), full_page=True)
    check_accessibility(page, "request answered (requester)")


if __name__ == "__main__":
    run(test)
