//! Benchmarks of a running Glocal, from a second process on loopback. Figures go to
//! BENCHMARKS.md; nothing here is a pass/fail test.
//!
//! - `startup BINARY RUNS [DATABASE_URL]`: time from spawning `glocal serve` on an existing
//!   database to its first answered request that needs the database (`/readyz`).
//! - `load BASE PATH RATE SECONDS [-H "Name: value"]... [-X METHOD] [-d BODY]`: an open-loop
//!   load at a fixed rate; latency counts from when each request was due, so a slow server
//!   cannot hide its queue. PATH may name several paths separated by `|`, taken in turn (for
//!   example one query in each script); a body is sent as JSON.
//! - `saturate BASE PATH CONNECTIONS SECONDS [-H ..] [-X METHOD] [-d BODY]`: closed loop, each
//!   connection sends its next request as soon as the last is answered; the throughput the
//!   server sustains.
//! - `walk BASE CONNECTIONS SECONDS REQUESTER STAFF DEPARTMENT ASSIGNEE [RATE]`: full walks of
//!   the desk's six steps (create, register, assign a department, assign staff, interim and
//!   final response, close), each step one API call with the version it read; closed loop, or
//!   open loop at RATE walks/s.
//! - `record BASE RATE SECONDS TOKEN OUT`: creates requests at a fixed rate and appends every
//!   request answered 201 (its id, registration and title) to OUT as it is answered; stops
//!   quietly when the server goes away (the crash test kills it).
//! - `verify BASE TOKEN IN`: reads OUT of `record` and checks every request is there, intact.

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("startup") if args.len() >= 3 => startup(&args[1], args[2].parse()?, args.get(3).cloned()).await,
        Some("load") if args.len() >= 5 => {
            let spec = parse_spec(&args[2], &args[5..])?;
            load(&args[1], spec, args[3].parse()?, args[4].parse()?).await
        }
        Some("saturate") if args.len() >= 5 => {
            let spec = parse_spec(&args[2], &args[5..])?;
            saturate(&args[1], spec, args[3].parse()?, args[4].parse()?).await
        }
        Some("walk") if args.len() >= 8 => {
            let w = Walk {
                requester: args[4].clone(),
                staff: args[5].clone(),
                department: args[6].parse()?,
                assignee: args[7].parse()?,
            };
            walk(&args[1], w, args[2].parse()?, args[3].parse()?, args.get(8).map(|r| r.parse()).transpose()?).await
        }
        Some("record") if args.len() >= 6 => {
            record(&args[1], args[2].parse()?, args[3].parse()?, &args[4], &args[5]).await
        }
        Some("verify") if args.len() >= 4 => verify(&args[1], &args[2], &args[3]).await,
        _ => {
            bail!(
                "usage: glocal-bench startup BINARY RUNS [DATABASE_URL] | load BASE PATH RATE SECONDS [-H 'K: V']... \
                 | saturate BASE PATH CONNECTIONS SECONDS [...] | walk BASE CONNECTIONS SECONDS REQUESTER STAFF DEPT ASSIGNEE [RATE] \
                 | record BASE RATE SECONDS TOKEN OUT | verify BASE TOKEN IN"
            )
        }
    }
}

fn parse_spec(paths: &str, options: &[String]) -> anyhow::Result<Spec> {
    let mut spec =
        Spec { method: "GET".into(), paths: paths.split('|').map(String::from).collect(), ..Spec::default() };
    let mut rest = options.iter();
    while let Some(a) = rest.next() {
        match a.as_str() {
            "-H" => {
                let h = rest.next().context("-H needs a header")?;
                let (k, v) = h.split_once(':').context("header as Name: value")?;
                spec.headers.push((k.trim().to_string(), v.trim().to_string()));
            }
            "-X" => spec.method = rest.next().context("-X needs a method")?.to_uppercase(),
            "-d" => spec.body = Some(rest.next().context("-d needs a body")?.clone()),
            other => bail!("unknown option {other}"),
        }
    }
    Ok(spec)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn get(addr: &str, path: &str, headers: &[(String, String)]) -> anyhow::Result<(u16, Option<f64>)> {
    let stream = TcpStream::connect(addr).await?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let mut req = hyper::Request::get(path).header("host", addr);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    let res = sender.send_request(req.body(Empty::<Bytes>::new())?).await?;
    let status = res.status().as_u16();
    let server = server_ms(res.headers());
    res.into_body().collect().await?;
    Ok((status, server))
}

fn server_ms(h: &hyper::HeaderMap) -> Option<f64> {
    h.get("server-timing")?.to_str().ok()?.split("dur=").nth(1)?.parse().ok()
}

async fn startup(binary: &str, runs: usize, database_url: Option<String>) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("glocal-bench-startup-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let port = 18_080;
    let addr = format!("127.0.0.1:{port}");
    let mut times = Vec::new();
    // The first run creates the database; it is not counted.
    for run in 0..=runs {
        let mut cmd = tokio::process::Command::new(binary);
        cmd.arg("serve")
            .env("GLOCAL_STORAGE_DATA_DIR", &dir)
            .env("GLOCAL_SERVER_BIND", &addr)
            .env("GLOCAL_LOG_LEVEL", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(url) = &database_url {
            cmd.env("GLOCAL_DATABASE_URL", url);
        }
        let started = Instant::now();
        let mut child = cmd.spawn().context("spawning glocal")?;
        loop {
            if started.elapsed() > Duration::from_secs(60) {
                bail!("no answer within 60 s");
            }
            if let Ok((200, _)) = get(&addr, "/readyz", &[]).await {
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if run > 0 {
            times.push(ms);
        }
        // SIGTERM, as an orchestrator would.
        let pid = child.id().context("pid")?;
        std::process::Command::new("kill").arg("-TERM").arg(pid.to_string()).status()?;
        child.wait().await?;
    }
    times.sort_by(f64::total_cmp);
    println!(
        "startup to first /readyz answer over {runs} runs: median {:.0} ms, min {:.0} ms, max {:.0} ms",
        percentile(&times, 50.0),
        times[0],
        times[times.len() - 1]
    );
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

/// What `load` sends.
#[derive(Default)]
struct Spec {
    method: String,
    paths: Vec<String>,
    headers: Vec<(String, String)>,
    body: Option<String>,
}

async fn load(base: &str, spec: Spec, rate: f64, seconds: f64) -> anyhow::Result<()> {
    let addr = base.trim_start_matches("http://").trim_end_matches('/').to_string();
    let total = (rate * seconds).round() as usize;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let connections = ((rate / 100.0).ceil() as usize).clamp(4, 64);
    let (tx, rx) = mpsc::unbounded_channel::<(Instant, usize)>();
    let rx = Arc::new(Mutex::new(rx));
    let spec = Arc::new(spec);
    let mut workers = Vec::new();
    for _ in 0..connections {
        let rx = rx.clone();
        let addr = addr.clone();
        let spec = spec.clone();
        workers.push(tokio::spawn(async move {
            let mut samples: Vec<(f64, Option<f64>, u16)> = Vec::new();
            let stream = TcpStream::connect(&addr).await.expect("connect");
            stream.set_nodelay(true).ok();
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
            tokio::spawn(conn);
            loop {
                let due = { rx.lock().await.recv().await };
                let Some((due, i)) = due else { break };
                let path = &spec.paths[i % spec.paths.len()];
                let mut req = hyper::Request::builder().method(spec.method.as_str()).uri(path).header("host", &addr);
                for (k, v) in &spec.headers {
                    req = req.header(k, v);
                }
                let body = match &spec.body {
                    Some(b) => {
                        req = req.header("content-type", "application/json");
                        Full::new(Bytes::from(b.clone()))
                    }
                    None => Full::new(Bytes::new()),
                };
                let req = req.body(body).unwrap();
                match sender.send_request(req).await {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        let server = server_ms(res.headers());
                        let _ = res.into_body().collect().await;
                        samples.push((due.elapsed().as_secs_f64() * 1000.0, server, status));
                    }
                    Err(_) => samples.push((due.elapsed().as_secs_f64() * 1000.0, None, 0)),
                }
            }
            samples
        }));
    }
    let start = Instant::now();
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        tx.send((due, i)).ok();
    }
    drop(tx);
    let mut client = Vec::new();
    let mut server = Vec::new();
    let mut errors = 0;
    for w in workers {
        for (c, s, status) in w.await? {
            if !(200..300).contains(&status) {
                errors += 1;
            }
            client.push(c);
            server.extend(s);
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    client.sort_by(f64::total_cmp);
    server.sort_by(f64::total_cmp);
    println!(
        "{} {} at {rate}/s for {seconds}s: {} requests, {errors} not 2xx, achieved {:.0}/s over {connections} connections",
        spec.method,
        spec.paths.join(" | "),
        client.len(),
        client.len() as f64 / elapsed
    );
    println!(
        "  server time ms: p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3}",
        percentile(&server, 50.0),
        percentile(&server, 90.0),
        percentile(&server, 99.0),
        server.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "  client time ms: p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3}",
        percentile(&client, 50.0),
        percentile(&client, 90.0),
        percentile(&client, 99.0),
        client.last().copied().unwrap_or(f64::NAN)
    );
    Ok(())
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    addr: String,
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
}

/// What came back: status, body and the server's own time.
struct Answer {
    status: u16,
    body: Bytes,
    server_ms: Option<f64>,
}

impl Conn {
    async fn open(base: &str) -> anyhow::Result<Conn> {
        let addr = base.trim_start_matches("http://").trim_end_matches('/').to_string();
        let stream = TcpStream::connect(&addr).await?;
        stream.set_nodelay(true).ok();
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        Ok(Conn { addr, sender })
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> anyhow::Result<Answer> {
        let mut req = hyper::Request::builder().method(method).uri(path).header("host", &self.addr);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let body = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Full::new(Bytes::from(b.to_string()))
            }
            None => Full::new(Bytes::new()),
        };
        let res = self.sender.send_request(req.body(body)?).await?;
        let status = res.status().as_u16();
        let server_ms = server_ms(res.headers());
        let body = res.into_body().collect().await?.to_bytes();
        Ok(Answer { status, body, server_ms })
    }

    async fn json(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> anyhow::Result<(u16, serde_json::Value)> {
        let auth = [("authorization".to_string(), format!("Bearer {token}"))];
        let a = self.send(method, path, &auth, Some(&body.to_string())).await?;
        Ok((a.status, serde_json::from_slice(&a.body).unwrap_or(serde_json::Value::Null)))
    }
}

fn summary(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "  {label} ms: p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3}",
        percentile(&ms, 50.0),
        percentile(&ms, 90.0),
        percentile(&ms, 99.0),
        ms.last().copied().unwrap_or(f64::NAN)
    );
}

async fn saturate(base: &str, spec: Spec, connections: usize, seconds: f64) -> anyhow::Result<()> {
    let spec = Arc::new(spec);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut workers = Vec::new();
    for w in 0..connections {
        let spec = spec.clone();
        let base = base.to_string();
        workers.push(tokio::spawn(async move {
            let mut conn = Conn::open(&base).await.expect("connect");
            let (mut client, mut server, mut errors) = (Vec::new(), Vec::new(), 0usize);
            let mut i = w;
            while Instant::now() < deadline {
                let path = &spec.paths[i % spec.paths.len()];
                i += connections;
                let t = Instant::now();
                match conn.send(&spec.method, path, &spec.headers, spec.body.as_deref()).await {
                    Ok(a) => {
                        if !(200..300).contains(&a.status) {
                            errors += 1;
                        }
                        server.extend(a.server_ms);
                    }
                    Err(_) => {
                        errors += 1;
                        conn = Conn::open(&base).await.expect("reconnect");
                    }
                }
                client.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            (client, server, errors)
        }));
    }
    let (mut client, mut server, mut errors) = (Vec::new(), Vec::new(), 0);
    for w in workers {
        let (c, s, e) = w.await?;
        client.extend(c);
        server.extend(s);
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "{} {} closed loop over {connections} connections for {seconds}s: {} requests, {errors} not 2xx, {:.0}/s",
        spec.method,
        spec.paths.join(" | "),
        client.len(),
        client.len() as f64 / elapsed
    );
    summary("server time", server);
    summary("client time", client);
    Ok(())
}

/// Who walks a request through the desk.
struct Walk {
    requester: String,
    staff: String,
    department: i64,
    assignee: i64,
}

/// One request from creation to closing; the time of the whole walk.
async fn walk_once(conn: &mut Conn, w: &Walk, n: usize) -> anyhow::Result<f64> {
    let t = Instant::now();
    let create = serde_json::json!({
        "category": "information_request",
        "title": format!("Walk {n}: youth exchange funding"),
        "fields": {"question": "How do French communes fund youth exchanges?", "countries": ["FR"], "answer_needed_by": "2027-01-15"}
    });
    let (status, r) = conn.json("POST", "/api/v1/desk/requests", &w.requester, &create).await?;
    if status != 201 {
        bail!("create: {status} {r}");
    }
    let id = r["id"].as_i64().context("id")?;
    let mut version = r["version"].as_i64().context("version")?;
    let mut state = r["state"].as_str().context("state")?.to_string();
    while state != "closed" {
        let (action, token, body) = match state.as_str() {
            "submitted" => ("register", &w.staff, serde_json::json!({})),
            "registered" => ("assign-department", &w.staff, serde_json::json!({"department_id": w.department})),
            "department_assigned" => ("assign-staff", &w.staff, serde_json::json!({"assignee_id": w.assignee})),
            "staff_assigned" => {
                ("interim-response", &w.staff, serde_json::json!({"body": "We have asked the Paris office."}))
            }
            "interim_responded" => {
                ("final-response", &w.staff, serde_json::json!({"body": "Communes fund them through the OFAJ."}))
            }
            "answered" => ("close", &w.requester, serde_json::json!({"reason": "Thank you"})),
            other => bail!("unexpected state {other}"),
        };
        let mut body = body;
        body["version"] = version.into();
        let (status, r) = conn.json("POST", &format!("/api/v1/desk/requests/{id}/{action}"), token, &body).await?;
        if status != 200 {
            bail!("{action}: {status} {r}");
        }
        version = r["version"].as_i64().context("version")?;
        state = r["state"].as_str().context("state")?.to_string();
    }
    Ok(t.elapsed().as_secs_f64() * 1000.0)
}

async fn walk(base: &str, w: Walk, connections: usize, seconds: f64, rate: Option<f64>) -> anyhow::Result<()> {
    let w = Arc::new(w);
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    // Open loop: walks are due at a fixed rate and their time counts from when they were due.
    let (tx, rx) = mpsc::unbounded_channel::<Instant>();
    let rx = Arc::new(Mutex::new(rx));
    let mut workers = Vec::new();
    for c in 0..connections {
        let (w, base, rx) = (w.clone(), base.to_string(), rx.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = Conn::open(&base).await.expect("connect");
            let (mut times, mut errors, mut first_error) = (Vec::new(), 0usize, None);
            let mut n = c;
            loop {
                let due = if rate.is_some() {
                    match rx.lock().await.recv().await {
                        Some(due) => due,
                        None => break,
                    }
                } else if Instant::now() < deadline {
                    Instant::now()
                } else {
                    break;
                };
                n += connections;
                match walk_once(&mut conn, &w, n).await {
                    Ok(_) => times.push(due.elapsed().as_secs_f64() * 1000.0),
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e.to_string());
                        conn = Conn::open(&base).await.expect("reconnect");
                    }
                }
            }
            (times, errors, first_error)
        }));
    }
    if let Some(rate) = rate {
        let interval = Duration::from_secs_f64(1.0 / rate);
        for i in 0..(rate * seconds).round() as usize {
            let due = start + interval.mul_f64(i as f64);
            tokio::time::sleep_until(due.into()).await;
            tx.send(due).ok();
        }
    }
    drop(tx);
    let (mut times, mut errors, mut first_error) = (Vec::new(), 0, None);
    for worker in workers {
        let (t, e, f) = worker.await?;
        times.extend(t);
        errors += e;
        first_error = first_error.or(f);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mode = rate.map_or("closed loop".to_string(), |r| format!("at {r}/s"));
    println!(
        "full walks (7 calls each) {mode} over {connections} connections for {seconds}s: {} walks, {errors} failed, {:.0} walks/s ({:.0} calls/s)",
        times.len(),
        times.len() as f64 / elapsed,
        times.len() as f64 * 7.0 / elapsed
    );
    if let Some(e) = first_error {
        println!("  first failure: {e}");
    }
    summary("walk time", times);
    Ok(())
}

fn crash_body(n: usize) -> serde_json::Value {
    serde_json::json!({
        "category": "information_request",
        "title": format!("Durability {n}"),
        "fields": {"question": format!("Question number {n}: is it kept?"), "countries": ["JP"], "answer_needed_by": "2027-02-01"}
    })
}

async fn record(base: &str, rate: f64, seconds: f64, token: &str, out: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let file = Arc::new(std::sync::Mutex::new(std::fs::OpenOptions::new().create(true).append(true).open(out)?));
    let (tx, rx) = mpsc::unbounded_channel::<usize>();
    let rx = Arc::new(Mutex::new(rx));
    let mut workers = Vec::new();
    let connections = ((rate / 100.0).ceil() as usize).clamp(4, 64);
    for _ in 0..connections {
        let (rx, base, token, file) = (rx.clone(), base.to_string(), token.to_string(), file.clone());
        workers.push(tokio::spawn(async move {
            let (mut acknowledged, mut failed) = (0usize, 0usize);
            let mut conn = Conn::open(&base).await.ok();
            loop {
                let Some(n) = rx.lock().await.recv().await else { break };
                let answer = match conn.as_mut() {
                    Some(c) => c.json("POST", "/api/v1/desk/requests", &token, &crash_body(n)).await.ok(),
                    None => None,
                };
                match answer {
                    Some((201, r)) => {
                        acknowledged += 1;
                        let line = format!("{}\t{}\t{n}\n", r["id"], r["reg_no"].as_str().unwrap_or(""));
                        let mut f = file.lock().unwrap();
                        f.write_all(line.as_bytes()).expect("write");
                        f.flush().expect("flush");
                    }
                    _ => {
                        failed += 1;
                        conn = Conn::open(&base).await.ok();
                    }
                }
            }
            (acknowledged, failed)
        }));
    }
    let start = Instant::now();
    let interval = Duration::from_secs_f64(1.0 / rate);
    for i in 0..(rate * seconds).round() as usize {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        tx.send(i).ok();
    }
    drop(tx);
    let (mut acknowledged, mut failed) = (0, 0);
    for w in workers {
        let (a, f) = w.await?;
        acknowledged += a;
        failed += f;
    }
    println!(
        "record at {rate}/s for {seconds}s: {acknowledged} answered 201, {failed} not answered (refused or cut off)"
    );
    Ok(())
}

async fn verify(base: &str, token: &str, input: &str) -> anyhow::Result<()> {
    let mut conn = Conn::open(base).await?;
    let auth = [("authorization".to_string(), format!("Bearer {token}"))];
    let (mut intact, mut missing, mut changed) = (0usize, Vec::new(), Vec::new());
    for line in std::fs::read_to_string(input)?.lines() {
        let mut parts = line.split('\t');
        let (id, registration, n) =
            (parts.next().context("id")?, parts.next().context("reg")?, parts.next().context("n")?);
        let a = conn.send("GET", &format!("/api/v1/desk/requests/{id}"), &auth, None).await?;
        if a.status == 404 {
            missing.push(id.to_string());
            continue;
        }
        let r: serde_json::Value = serde_json::from_slice(&a.body)?;
        let expected = crash_body(n.parse()?);
        let same = a.status == 200
            && r["title"] == expected["title"]
            && r["fields"]["question"] == expected["fields"]["question"]
            && r["reg_no"].as_str().unwrap_or("") == registration;
        if same {
            intact += 1;
        } else {
            changed.push(id.to_string());
        }
    }
    println!("verify: {intact} intact, {} missing, {} changed", missing.len(), changed.len());
    if !missing.is_empty() || !changed.is_empty() {
        bail!("missing {missing:?}, changed {changed:?}");
    }
    Ok(())
}
