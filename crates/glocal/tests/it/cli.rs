//! The real binary: first start on an empty folder, the administration commands, and a
//! graceful stop on SIGTERM that finishes the request in flight.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_glocal");

fn glocal(data: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    // The binary runs on its embedded default here, whatever backend the suite runs on: its
    // PostgreSQL path is the code the in-process tests exercise on both backends.
    cmd.args(args)
        .env("GLOCAL_STORAGE_DATA_DIR", data)
        .env("GLOCAL_LOG_LEVEL", "warn")
        .env_remove("GLOCAL_DATABASE_URL");
    cmd
}

fn run(data: &Path, args: &[&str]) -> (bool, String, String) {
    let out = glocal(data, args).output().expect("glocal runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_ready(port: u16) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            if buf.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("server on {port} not ready");
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn first_start_prints_a_setup_link_that_lets_the_administrator_in() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = glocal(dir.path(), &["serve"])
        .env("GLOCAL_SERVER_BIND", format!("127.0.0.1:{port}"))
        .env("GLOCAL_SERVER_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut link = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(i) = line.find("http://") {
            link = Some(line[i..].trim().to_string());
            break;
        }
    }
    let link = link.expect("a setup link on standard output");
    assert!(link.starts_with(&format!("http://127.0.0.1:{port}/setup/")), "{link}");
    wait_ready(port);
    assert!(dir.path().join("glocal.db").exists(), "the database is created in the data folder");

    // Following the link works once; a second start prints no new link.
    let path = &link[link.find("/setup/").unwrap()..];
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut page = String::new();
    s.read_to_string(&mut page).unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{}", &page[..200.min(page.len())]);
    assert!(page.contains("admin@glocal.example"));
    drop(server);
    let (ok, out, _) = run(dir.path(), &["users", "list"]);
    assert!(ok);
    assert!(out.contains("admin@glocal.example\tAdministrator\tadministrator\tactive"), "{out}");
}

#[test]
fn administration_commands_work_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ok, out, err) = run(d, &["migrate"]);
    assert!(ok, "{err}");
    assert!(out.contains("applied m0001_foundation"), "{out}");
    let (ok, out, _) = run(d, &["migrate", "--status"]);
    assert!(ok && !out.contains("pending"), "{out}");

    let (ok, out, err) = run(
        d,
        &[
            "users",
            "create",
            "--email",
            "kim@suwon.go.kr",
            "--name",
            "김수원",
            "--org",
            "4111000000",
            "--role",
            "requester",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("one-time password link: http://127.0.0.1:8080/setup/"), "{out}");
    let (ok, _, err) = run(
        d,
        &["users", "create", "--email", "kim@suwon.go.kr", "--name", "X", "--org", "4111000000", "--role", "requester"],
    );
    assert!(!ok && err.contains("email_taken"), "{err}");
    let (ok, _, err) =
        run(d, &["users", "create", "--email", "x@y.kr", "--name", "X", "--org", "NOPE", "--role", "requester"]);
    assert!(!ok && err.contains("no organisation with code NOPE"), "{err}");

    let mut child = glocal(d, &["users", "reset-password", "kim@suwon.go.kr", "--stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all("수원 화성 행궁 2026\n".as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));

    let (ok, out, _) = run(d, &["users", "list", "--q", "suwon"]);
    assert!(ok && out.contains("kim@suwon.go.kr\t김수원\trequester\tactive"), "{out}");

    let csv = d.join("partners.csv");
    std::fs::write(&csv, "code,kind,tier,parent_code,name,name_en,name_ko,name_zh_hans,name_zh_hant,name_ja,country,city,time_zone\nUCLG-ASPAC,international_organization,,,UCLG ASPAC,United Cities and Local Governments Asia-Pacific,,,,,ID,Jakarta,Asia/Jakarta\n").unwrap();
    let (ok, out, err) = run(d, &["orgs", "import", csv.to_str().unwrap()]);
    assert!(ok && out.contains("created 1, updated 0, unchanged 0"), "{out}{err}");

    let backup = d.join("backup.db");
    let (ok, out, err) = run(d, &["backup", backup.to_str().unwrap()]);
    assert!(ok && out.contains("backup written"), "{err}");
    assert!(backup.metadata().unwrap().len() > 100_000);
    let (ok, _, err) = run(d, &["backup", backup.to_str().unwrap()]);
    assert!(!ok && err.contains("exists already"), "{err}");

    let (ok, out, _) = run(d, &["config"]);
    assert!(ok && out.contains("[server]") && out.contains("bind = \"127.0.0.1:8080\""), "{out}");
    let out = glocal(d, &["config"]).env("GLOCAL_DATABASE_URL", "postgres://u:hunter2@db/glocal").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("postgres://u:***@db/glocal") && !text.contains("hunter2"), "{text}");

    let (ok, _, err) = run(d, &["serve", "--no-such-flag"]);
    assert!(!ok && err.contains("--no-such-flag"));
    let bad = glocal(d, &["config"]).env("GLOCAL_SERVER_BIND", "nowhere").output().unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("server.bind"));
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = glocal(dir.path(), &["serve", "--demo"])
        .env("GLOCAL_SERVER_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    wait_ready(port);

    // A request whose body is still arriving when the stop signal comes.
    let body = r#"{"email":"staff@demo.glocal.example","password":"glocal-demo"}"#;
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).unwrap();
    s.write_all(&body.as_bytes()[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    Command::new("kill").arg("-TERM").arg(server.0.id().to_string()).status().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(&body.as_bytes()[10..]).unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 201"), "the request in flight was answered: {response}");

    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "stopped cleanly: {status:?}");
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "no longer listening");
}

/// `glocal mail receive` as an MTA pipe runs it: exit 0 when taken (once, however often the
/// message is delivered), 67 when refused so that the MTA bounces it.
#[test]
fn mail_receive_takes_a_message_from_standard_input_and_bounces_a_stranger() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(dir.path(), &["demo"]).0);
    let pipe = |from: &str, id: &str| {
        let mut child = glocal(dir.path(), &["mail", "receive"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let message = format!(
            "From: {from}\r\nTo: Glocal Desk <desk@glocal.example>\r\nSubject: Exchange with Lyon\r\nMessage-ID: {id}\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n리옹시와 교류하고 싶습니다.\r\n"
        );
        child.stdin.take().unwrap().write_all(message.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, stdout, stderr) = pipe("seoul@demo.glocal.example", "<m1@seoul.test>");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("Request"), "{stdout}");
    let (code, stdout, _) = pipe("seoul@demo.glocal.example", "<m1@seoul.test>");
    assert_eq!(code, Some(0));
    assert!(stdout.contains("Duplicate"), "{stdout}");
    let (code, _, stderr) = pipe("stranger@example.org", "<m2@x>");
    assert_eq!(code, Some(67));
    assert!(stderr.contains("refused"), "{stderr}");
}

#[test]
fn library_import_takes_a_folder_once_and_names_what_it_skips() {
    let data = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../glocal-core/data/library");
    std::fs::copy(seeds.join("002_e5afcc733ebcf334.txt"), folder.path().join("taichung.txt")).unwrap();
    std::fs::write(folder.path().join("page.html"), "<h1>自治体国際化協会</h1><p>姉妹都市</p>").unwrap();
    std::fs::write(folder.path().join("broken.pdf"), b"%PDF-1.7 cut").unwrap();
    std::fs::write(folder.path().join("photo.jpg"), b"\xff\xd8\xff").unwrap();
    let dir = folder.path().to_str().unwrap();
    let (ok, out, err) = run(data.path(), &["library", "import", dir, "--status", "internal"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("documents: 3 created, 0 already in the library, 1 skipped, 1 unreadable"), "{out}{err}");
    assert!(err.contains("skipped photo.jpg") && err.contains("kept but unreadable: broken.pdf"), "{err}");
    let (ok, out, err) = run(data.path(), &["library", "import", dir]);
    assert!(ok, "{err}");
    assert!(out.contains("0 created, 3 already in the library"), "{out}");
    let (ok, _, err) = run(data.path(), &["library", "import", dir, "--kind", "poem"]);
    assert!(!ok && err.contains("unknown kind"), "{err}");
}

#[test]
fn search_rebuild_indexes_every_document_and_refuses_while_a_server_holds_the_index() {
    let data = tempfile::tempdir().unwrap();
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("a.txt"), "姊妹市 交流").unwrap();
    std::fs::write(folder.path().join("b.txt"), "자매결연 교류").unwrap();
    let (ok, out, err) = run(data.path(), &["library", "import", folder.path().to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let (ok, out, err) = run(data.path(), &["search", "rebuild"]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("search index rebuilt: 2 documents"), "{out}");
    let (ok, out, err) = run(data.path(), &["search", "status"]);
    assert!(ok, "{err}");
    assert!(out.contains("documents in the index: 2"), "{out}");
    assert!(out.contains("change log applied: 2 of 2"), "{out}");

    // A running server holds the index: the rebuild says so and changes nothing.
    let port = free_port();
    let _server = Server(
        glocal(data.path(), &[])
            .env("GLOCAL_SERVER_BIND", format!("127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_ready(port);
    let (ok, _, err) = run(data.path(), &["search", "rebuild"]);
    assert!(!ok, "the rebuild must not run beside the server");
    assert!(err.contains("is a server running on this data folder?"), "{err}");
}
