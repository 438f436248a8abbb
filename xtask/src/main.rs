//! Project automation: `cargo xtask test` runs the whole test suite, on every backend this
//! machine has, and says plainly what it could not run.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask test [-- extra cargo test args]\n\n  test   the whole suite: SQLite, then PostgreSQL, with the browser tests"
            );
            ExitCode::FAILURE
        }
    }
}

fn cargo(args: &[&str], envs: &[(&str, &str)]) -> bool {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(args);
    for (k, v) in envs {
        cmd.env(k, v);
    }
    eprintln!("\n$ {}cargo {}", envs.iter().map(|(k, v)| format!("{k}={v} ")).collect::<String>(), args.join(" "));
    cmd.status().is_ok_and(|s| s.success())
}

fn postgres_reachable(url: &str) -> bool {
    // host:port from postgres://user@host:port/db
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let hostport = rest.rsplit_once('@').map_or(rest, |(_, h)| h).split('/').next().unwrap_or_default();
    let hostport = if hostport.contains(':') { hostport.to_string() } else { format!("{hostport}:5432") };
    use std::net::ToSocketAddrs;
    hostport
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok())
}

fn browser_ready() -> (bool, String) {
    let chromium = std::env::var("GLOCAL_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let has_chromium = Path::new(&chromium).exists();
    let has_playwright =
        Command::new("python3").args(["-c", "import playwright"]).output().is_ok_and(|o| o.status.success());
    let why = match (has_chromium, has_playwright) {
        (true, true) => String::new(),
        (false, true) => format!("no Chromium at {chromium} (apt-get install chromium)"),
        (true, false) => "no Python Playwright (pip install -r tests/requirements.txt)".into(),
        (false, false) => format!("no Chromium at {chromium} and no Python Playwright"),
    };
    (has_chromium && has_playwright, why)
}

fn test(extra: &[String]) -> ExitCode {
    let started = Instant::now();
    let extra: Vec<&str> = extra.iter().map(String::as_str).filter(|a| *a != "--").collect();
    let mut ran = Vec::new();
    let mut skipped = Vec::new();
    let mut failed = Vec::new();

    let (browser, why_not) = browser_ready();
    if !browser {
        skipped.push(format!("browser tests: {why_not}"));
    }

    let mut args = vec!["test", "--workspace"];
    args.extend(&extra);
    if cargo(&args, &[]) {
        ran.push("unit and integration tests on SQLite".to_string());
    } else {
        failed.push("tests on SQLite".to_string());
    }

    let pg = std::env::var("GLOCAL_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG.to_string());
    if postgres_reachable(&pg) {
        let mut args = vec!["test", "--package", "glocal", "--test", "it"];
        args.extend(&extra);
        if cargo(&args, &[("GLOCAL_TEST_DATABASE_URL", &pg)]) {
            ran.push(format!("integration tests on PostgreSQL ({})", pg.split('@').next_back().unwrap_or_default()));
        } else {
            failed.push("tests on PostgreSQL".to_string());
        }
    } else if std::env::var("GLOCAL_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        failed.push(format!("PostgreSQL required but not reachable at {pg}"));
    } else {
        skipped.push(format!("PostgreSQL tests: nothing listens at {pg} (set GLOCAL_TEST_DATABASE_URL)"));
    }

    eprintln!("\n== summary ({:.0} s) ==", started.elapsed().as_secs_f64());
    for r in &ran {
        eprintln!("ran:     {r}");
    }
    for s in &skipped {
        eprintln!("SKIPPED: {s}");
    }
    for f in &failed {
        eprintln!("FAILED:  {f}");
    }
    if failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
