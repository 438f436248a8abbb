//! Mail of the desk over real SMTP on loopback: notifications go out through the job runner to
//! a real SMTP server (Python's aiosmtpd), and replies come back with Python's smtplib to the
//! desk's own SMTP listener, landing in the right thread; forged tokens, wrong senders and
//! unknown senders are refused, logged and change nothing.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use mail_parser::MessageParser;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::desk::{act_ok, create};
use crate::support::TestApp;

const REQUESTER: &str = "seoul@demo.glocal.example";
const OTHER: &str = "busan@demo.glocal.example";
const STAFF: &str = "staff@demo.glocal.example";

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/mail").canonicalize().unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// aiosmtpd on a free port, keeping what it receives in a folder.
struct Sink {
    _child: tokio::process::Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Sink {
    async fn start() -> Option<Sink> {
        let ok = std::process::Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            assert!(
                std::env::var("GLOCAL_REQUIRE_BROWSER").is_err(),
                "aiosmtpd missing (pip install -r tests/requirements.txt)"
            );
            eprintln!("mail test SKIPPED: python3 aiosmtpd missing");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut child = tokio::process::Command::new("python3")
            .arg(scripts().join("sink.py"))
            .arg(port.to_string())
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await.unwrap().unwrap();
        assert_eq!(first.as_deref(), Some("ready"));
        Some(Sink { _child: child, dir, port })
    }

    /// The messages received so far, in order.
    fn messages(&self) -> Vec<Vec<u8>> {
        let mut n = 1;
        let mut out = Vec::new();
        while let Ok(bytes) = std::fs::read(self.dir.path().join(format!("{n}.eml"))) {
            out.push(bytes);
            n += 1;
        }
        out
    }

    /// Runs the job runner until `count` messages have arrived.
    async fn wait_for(&self, app: &TestApp, count: usize) -> Vec<Vec<u8>> {
        for _ in 0..200 {
            glocal_core::jobs::run_due(&app.core, "test").await.unwrap();
            let got = self.messages();
            if got.len() >= count {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {count} messages, got {}", self.messages().len());
    }
}

struct Mail {
    to: String,
    subject: String,
    reply_to: String,
    text: String,
}

fn parse(raw: &[u8]) -> Mail {
    let m = MessageParser::default().parse(raw).expect("a mail message");
    let addr = |a: Option<&mail_parser::Address>| {
        a.and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_string()
    };
    Mail {
        to: addr(m.to()),
        subject: m.subject().unwrap_or_default().to_string(),
        reply_to: addr(m.reply_to()),
        text: m.body_text(0).unwrap_or_default().to_string(),
    }
}

/// Sends with smtplib to the desk's listener; returns the server's answer.
async fn send(
    port: u16,
    from: &str,
    to: &str,
    subject: &str,
    id: &str,
    body: &str,
    file: Option<(&str, &str)>,
) -> String {
    let mut cmd = tokio::process::Command::new("python3");
    cmd.arg(scripts().join("send.py")).args(["127.0.0.1", &port.to_string(), from, to, subject, id, body]);
    if let Some((name, text)) = file {
        cmd.args([name, text]);
    }
    let out = cmd.output().await.unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

async fn thread(app: &TestApp, id: i64) -> Value {
    let staff = app.token(STAFF).await;
    let (status, body) = app.api(Method::GET, &format!("/api/v1/desk/requests/{id}"), Some(&staff), None).await;
    assert_eq!(status, StatusCode::OK);
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_go_out_and_replies_land_in_the_thread_over_real_smtp() {
    let Some(sink) = Sink::start().await else { return };
    let app = TestApp::with(|c| {
        c.mail.smtp_host = "127.0.0.1".into();
        c.mail.smtp_port = sink.port;
        c.mail.desk_address = "desk@glocal.test".into();
        c.desk.auto_route = false;
    })
    .await;
    let smtp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let smtp_port = smtp.local_addr().unwrap().port();
    let (_stop, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(glocal_core::mail::listener::serve(app.core.clone(), smtp, stop_rx));

    let requester = app.token(REQUESTER).await;
    let staff = app.token(STAFF).await;
    let request = create(&app, &requester, "interpretation_translation").await;
    let id = request["id"].as_i64().unwrap();
    assert!(sink.messages().is_empty(), "nothing is said before registration");

    // Registration: the acknowledgement, in the requester's language, with the number.
    let registered = act_ok(&app, &staff, id, "register", json!({})).await;
    let reg_no = registered["reg_no"].as_str().unwrap().to_string();
    let got = sink.wait_for(&app, 1).await;
    let ack = parse(&got[0]);
    assert_eq!(ack.to, REQUESTER);
    assert!(ack.subject.contains(&reg_no), "{}", ack.subject);
    assert!(ack.text.contains("접수") && ack.text.contains(&format!("/desk/requests/{id}")), "{}", ack.text);
    assert!(ack.reply_to.starts_with("desk+r") && ack.reply_to.ends_with("@glocal.test"), "{}", ack.reply_to);

    // The requester replies by mail, above the quoted notification, with a document.
    let body = format!(
        "The document is attached.\n\nOn Mon, 7 Dec 2026, Glocal Desk <desk@glocal.test> wrote:\n> {}\n",
        ack.text.lines().next().unwrap()
    );
    let answer = send(
        smtp_port,
        REQUESTER,
        &ack.reply_to,
        &format!("Re: {}", ack.subject),
        "<r1@seoul.test>",
        &body,
        Some(("glossary.txt", "자매결연 = sister city")),
    )
    .await;
    assert!(answer.starts_with("250"), "{answer}");
    let t = thread(&app, id).await;
    let replies: Vec<&Value> = t["messages"].as_array().unwrap().iter().filter(|m| m["kind"] == "reply").collect();
    assert_eq!(replies.len(), 1, "{t}");
    assert_eq!(replies[0]["body"], "The document is attached.");
    assert!(t["attachments"].as_array().unwrap().iter().any(|a| a["filename"] == "glossary.txt"), "{t}");

    // The same message delivered again lands once.
    let again = send(smtp_port, REQUESTER, &ack.reply_to, "Re", "<r1@seoul.test>", &body, None).await;
    assert!(again.starts_with("250"), "{again}");
    let before = thread(&app, id).await["messages"].as_array().unwrap().len();
    assert_eq!(before, t["messages"].as_array().unwrap().len());

    // Refused, logged, and nothing changes: a forged token, another sender with a real token,
    // an unknown sender to the desk address, an address that is not the desk's.
    let forged = ack.reply_to.replacen("x", "x0", 1);
    let cases = [
        (REQUESTER, forged.as_str(), "<f1@x>", "forged_token"),
        (OTHER, ack.reply_to.as_str(), "<f2@x>", "wrong_sender"),
        ("stranger@example.org", "desk@glocal.test", "<f3@x>", "unknown_sender"),
        (REQUESTER, "someone@glocal.test", "<f4@x>", "not_for_us"),
    ];
    let audit_before = app.count("audit_events").await;
    for (from, to, mid, _) in cases {
        let answer = send(smtp_port, from, to, "Re", mid, "let me in", None).await;
        assert!(answer.starts_with("550"), "{from} → {to}: {answer}");
    }
    assert_eq!(app.count("audit_events").await, audit_before + 4, "each refusal is in the audit log");
    assert_eq!(thread(&app, id).await["messages"].as_array().unwrap().len(), before);
    let admin = app.token("admin@demo.glocal.example").await;
    let (_, audit) = app.api(Method::GET, "/api/v1/audit-events?action=mail.refused", Some(&admin), None).await;
    let reasons: Vec<String> = audit["items"]
        .as_array()
        .map(|a| a.iter().map(|e| e["details"]["reason"].as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default();
    for (_, _, _, reason) in cases {
        assert!(reasons.iter().any(|r| r == reason), "{reason} not in {reasons:?}");
    }

    // The final response goes out with its text; a new mail to the desk from a known
    // requester opens a request of their organisation.
    act_ok(&app, &staff, id, "assign-department", json!({"department_id": app.org_id("SEC-INTL").await})).await;
    let staff_id = app.user_id(STAFF).await;
    act_ok(&app, &staff, id, "assign-staff", json!({"assignee_id": staff_id})).await;
    act_ok(&app, &staff, id, "final-response", json!({"body": "번역본을 첨부합니다."})).await;
    let got = sink.wait_for(&app, 2).await;
    let last = parse(got.last().unwrap());
    assert_eq!(last.to, REQUESTER);
    assert!(last.text.contains("최종 답변") && last.text.contains("번역본을 첨부합니다."), "{}", last.text);

    let opened = send(
        smtp_port,
        OTHER,
        "Glocal Desk <desk@glocal.test>",
        "Visit to Lyon",
        "<n1@busan.test>",
        "We plan a visit to Lyon in May.",
        None,
    )
    .await;
    assert!(opened.starts_with("250"), "{opened}");
    let busan = app.token(OTHER).await;
    let (_, list) = app.api(Method::GET, "/api/v1/desk/requests", Some(&busan), None).await;
    let titles: Vec<&str> = list["items"].as_array().unwrap().iter().filter_map(|r| r["title"].as_str()).collect();
    assert!(titles.contains(&"Visit to Lyon"), "{titles:?}");
}

#[tokio::test]
async fn without_an_smtp_server_configured_nothing_is_queued() {
    let app = TestApp::with(|c| c.desk.auto_route = false).await;
    let requester = app.token(REQUESTER).await;
    let staff = app.token(STAFF).await;
    let id = create(&app, &requester, "general_inquiry").await["id"].as_i64().unwrap();
    let jobs_before = app.count("jobs").await;
    act_ok(&app, &staff, id, "register", json!({})).await;
    assert_eq!(app.count("jobs").await, jobs_before);
}
