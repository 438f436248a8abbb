//! Browser tests: the real server on a loopback port, real Chromium driven by Playwright
//! (scripts in `tests/browser/`). Skipped, and said so, where Chromium or Playwright is
//! missing — unless `GLOCAL_REQUIRE_BROWSER=1` (set by CI), which makes that a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::TestApp;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Whether a browser test can run here; prints why not.
pub fn browser_available() -> bool {
    let chromium = std::env::var("GLOCAL_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let has_chromium = Path::new(&chromium).exists();
    let has_playwright =
        Command::new("python3").args(["-c", "import playwright"]).output().is_ok_and(|o| o.status.success());
    if has_chromium && has_playwright {
        return true;
    }
    let why =
        format!("browser test SKIPPED: chromium at {chromium}: {has_chromium}, python playwright: {has_playwright}");
    if std::env::var("GLOCAL_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("{why} (GLOCAL_REQUIRE_BROWSER=1)");
    }
    eprintln!("{why}");
    false
}

/// Runs `tests/browser/<script>` against `base_url`; screenshots go to
/// `target/screenshots/<script>/`.
pub fn run_script(script: &str, base_url: &str) {
    let root = repo_root();
    let out = root.join("target/screenshots").join(script.trim_end_matches(".py"));
    let output = Command::new("python3")
        .arg(root.join("tests/browser").join(script))
        .arg(base_url)
        .arg(&out)
        .current_dir(root.join("tests/browser"))
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_in_and_switch_through_the_five_languages() {
    if !browser_available() {
        return;
    }
    let app = TestApp::new().await;
    let base = app.serve().await;
    tokio::task::spawn_blocking(move || run_script("locales.py", &base)).await.unwrap();
    let shot = repo_root().join("target/screenshots/locales/organizations-ja.png");
    assert!(shot.metadata().is_ok_and(|m| m.len() > 10_000), "screenshot missing: {}", shot.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn main_pages_pass_the_accessibility_checks_on_desktop_and_phone() {
    if !browser_available() {
        return;
    }
    let app = TestApp::new().await;
    let base = app.serve().await;
    tokio::task::spawn_blocking(move || run_script("accessibility.py", &base)).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_korean_search_finds_and_opens_the_chinese_trip_report() {
    if !browser_available() {
        return;
    }
    let app = TestApp::new().await;
    let base = app.serve().await;
    tokio::task::spawn_blocking(move || run_script("library.py", &base)).await.unwrap();
    let shot = repo_root().join("target/screenshots/library/report.png");
    assert!(shot.metadata().is_ok_and(|m| m.len() > 10_000), "screenshot missing: {}", shot.display());
}
