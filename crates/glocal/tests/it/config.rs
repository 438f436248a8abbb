//! The configuration: layering, and the documented default file kept in step with the code.

use std::path::Path;

use glocal_core::Config;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn documented_default_file_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../glocal.example.toml");
    let text = std::fs::read_to_string(&path).expect("glocal.example.toml at the repository root");
    // The file parses to exactly the built-in defaults...
    let from_file = Config::load_from(Some(&path), env(&[])).expect("the example file loads");
    assert_eq!(from_file, Config::default(), "glocal.example.toml differs from Config::default()");
    // ...and names every setting, so none is undocumented.
    let documented: toml::Table = toml::from_str(&text).unwrap();
    let defaults = toml::Table::try_from(Config::default()).unwrap();
    for (section, values) in &defaults {
        let values = values.as_table().unwrap();
        let doc = documented
            .get(section)
            .and_then(|v| v.as_table())
            .unwrap_or_else(|| panic!("section [{section}] undocumented"));
        for key in values.keys() {
            assert!(doc.contains_key(key), "{section}.{key} is not in glocal.example.toml");
        }
        assert_eq!(doc.len(), values.len(), "[{section}] documents settings the code does not have");
    }
}

#[test]
fn environment_overrides_file_and_is_typed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("glocal.toml");
    std::fs::write(&file, "[server]\nbind = \"0.0.0.0:9000\"\n[database]\nmax_connections = 3\n").unwrap();
    let c = Config::load_from(
        Some(&file),
        env(&[
            ("GLOCAL_DATABASE_MAX_CONNECTIONS", "12"),
            ("GLOCAL_SERVER_TRUST_PROXY", "true"),
            ("GLOCAL_SITE_DEFAULT_LOCALE", "ja"),
            ("GLOCAL_TEST_DATABASE_URL", "ignored"),
            ("HOME", "/x"),
        ]),
    )
    .unwrap();
    assert_eq!(c.server.bind, "0.0.0.0:9000");
    assert_eq!(c.database.max_connections, 12);
    assert!(c.server.trust_proxy);
    assert_eq!(c.site.default_locale, "ja");
}

#[test]
fn bad_settings_are_refused_with_their_name() {
    let err = |pairs: &[(&str, &str)]| Config::load_from(None, env(pairs)).unwrap_err().to_string();
    assert!(err(&[("GLOCAL_DATABASE_MAX_CONNECTIONS", "many")]).contains("database.max_connections"));
    assert!(err(&[("GLOCAL_SERVER_NOSUCH", "1")]).contains("GLOCAL_SERVER_NOSUCH"));
    assert!(err(&[("GLOCAL_SITE_TIME_ZONE", "Mars/Olympus")]).contains("site.time_zone"));
    assert!(err(&[("GLOCAL_SERVER_BIND", "nowhere")]).contains("server.bind"));
    assert!(Config::load_from(Some(Path::new("/no/such/file.toml")), env(&[])).is_err());
}

#[test]
fn printed_configuration_hides_the_database_password() {
    let c = Config::load_from(None, env(&[("GLOCAL_DATABASE_URL", "postgres://glocal:s3cret@db.internal/glocal")]))
        .unwrap();
    let shown = c.to_redacted_toml();
    assert!(shown.contains("postgres://glocal:***@db.internal/glocal"), "{shown}");
    assert!(!shown.contains("s3cret"));
    assert!(!format!("{c:?}").contains("s3cret"));
}
