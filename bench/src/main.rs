//! Benchmarks of a running Glocal, from a second process on loopback. Figures go to
//! BENCHMARKS.md; nothing here is a pass/fail test.
//!
//! - `startup BINARY RUNS [DATABASE_URL]`: time from spawning `glocal serve` on an existing
//!   database to its first answered request that needs the database (`/readyz`).
//! - `load BASE PATH RATE SECONDS [-H "Name: value"]... [-X METHOD] [-d BODY]`: an open-loop
//!   load at a fixed rate; latency counts from when each request was due, so a slow server
//!   cannot hide its queue. PATH may name several paths separated by `|`, taken in turn (for
//!   example one query in each script); a body is sent as JSON.

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
            let mut spec =
                Spec { method: "GET".into(), paths: args[2].split('|').map(String::from).collect(), ..Spec::default() };
            let mut rest = args[5..].iter();
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
            load(&args[1], spec, args[3].parse()?, args[4].parse()?).await
        }
        _ => {
            bail!("usage: glocal-bench startup BINARY RUNS [DATABASE_URL] | load BASE PATH RATE SECONDS [-H 'K: V']...")
        }
    }
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
