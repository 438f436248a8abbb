//! Typed configuration, layered: built-in defaults, then an optional TOML file, then
//! `GLOCAL_<SECTION>_<KEY>` environment variables.
//!
//! The documented default file (`glocal.example.toml` at the repository root) is kept in step
//! with [`Config::default`] by a test.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Every section of the configuration. An environment variable names a setting as
/// `GLOCAL_<SECTION>_<KEY>`: the first underscore after the prefix separates the section.
const SECTIONS: &[&str] =
    &["server", "database", "storage", "log", "security", "site", "setup", "desk", "registry", "library", "mail"];

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub storage: StorageConfig,
    pub log: LogConfig,
    pub security: SecurityConfig,
    pub site: SiteConfig,
    pub setup: SetupConfig,
    pub desk: DeskConfig,
    pub registry: RegistryConfig,
    pub library: LibraryConfig,
    pub mail: MailConfig,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub bind: String,
    /// The address users reach the server at; links in mail and the console use it. When it
    /// starts with `https://`, cookies are marked `Secure`.
    pub public_url: String,
    /// Trust `X-Forwarded-For` from a reverse proxy for the client address (rate limits, audit).
    pub trust_proxy: bool,
    /// Seconds to let in-flight requests finish after SIGTERM.
    pub shutdown_grace_seconds: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            bind: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            trust_proxy: false,
            shutdown_grace_seconds: 20,
        }
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `postgres://user:password@host/db`, or `sqlite://path`. Empty: SQLite in the data folder.
    pub url: String,
    /// Size of the connection pool of one process.
    pub max_connections: u32,
    /// SQLite only: `full` makes every commit durable across power loss, `normal` across a
    /// process crash only.
    pub sqlite_synchronous: String,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig { url: String::new(), max_connections: 8, sqlite_synchronous: "full".into() }
    }
}

impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &redact_url(&self.url))
            .field("max_connections", &self.max_connections)
            .field("sqlite_synchronous", &self.sqlite_synchronous)
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Folder for the SQLite database, attachments and the search index; created on first run.
    pub data_dir: PathBuf,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig { data_dir: PathBuf::from("data") }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` for people, `json` for log collectors.
    pub format: String,
    /// A tracing filter such as `info` or `glocal=debug,info`.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { format: "text".into(), level: "info".into() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// A browser session ends after this many hours without use.
    pub session_idle_hours: u32,
    /// Failed logins for one account (or from one address, times four) before it is locked.
    pub login_max_failures: u32,
    /// How long a lock after too many failed logins lasts.
    pub login_lockout_minutes: u32,
    /// How long a one-time setup or password-reset link stays valid.
    pub setup_link_hours: u32,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            session_idle_hours: 12,
            login_max_failures: 5,
            login_lockout_minutes: 15,
            setup_link_hours: 72,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteConfig {
    /// The association's name as shown in the header.
    pub name: String,
    /// Language of the interface when neither the user nor the browser says otherwise.
    pub default_locale: String,
    /// Time zone of the secretariat; the default for new users.
    pub time_zone: String,
    /// ISO 3166-1 country code of the association's members.
    pub country: String,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            name: "Glocal".into(),
            default_locale: "ko".into(),
            time_zone: "Asia/Seoul".into(),
            country: "KR".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SetupConfig {
    /// Email of the first administrator, created on an empty database.
    pub admin_email: String,
}

impl Default for SetupConfig {
    fn default() -> Self {
        SetupConfig { admin_email: "admin@glocal.example".into() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeskConfig {
    /// A requester may reopen an answered request for this many days after the answer.
    pub reopen_days: u32,
    /// An answered request the requester has not confirmed is closed after this many days.
    pub auto_close_days: u32,
    /// Largest attachment, in megabytes.
    pub max_attachment_mb: u32,
    /// Register and route new requests at once by the routing rules (when one matches).
    pub auto_route: bool,
}

impl Default for DeskConfig {
    fn default() -> Self {
        DeskConfig { reopen_days: 14, auto_close_days: 7, max_attachment_mb: 20, auto_route: true }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegistryConfig {
    /// An active relationship with no recorded activity for this many years is flagged as
    /// dormant on the member's page and in the dormancy report.
    pub dormant_after_years: u32,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        RegistryConfig { dormant_after_years: 3 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LibraryConfig {
    /// A trip report is due this many days after the trip's return; later ones are overdue.
    pub report_due_days: u32,
    /// The largest attachment accepted, in megabytes.
    pub max_attachment_mb: u32,
    /// Folder of the search index (derived from the database, rebuilt with
    /// `glocal search rebuild`). Empty: `index` in the data folder.
    pub index_dir: String,
}

impl Default for LibraryConfig {
    fn default() -> Self {
        LibraryConfig { report_due_days: 30, max_attachment_mb: 50, index_dir: String::new() }
    }
}

impl LibraryConfig {
    /// Where the search index lives.
    pub fn index_path(&self, data_dir: &Path) -> PathBuf {
        if self.index_dir.is_empty() { data_dir.join("index") } else { PathBuf::from(&self.index_dir) }
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailConfig {
    /// The SMTP server that carries notifications. Empty: no mail is sent.
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `none` (plain, for a relay on the same machine), `starttls` or `tls`.
    pub smtp_tls: String,
    /// Empty: no authentication.
    pub smtp_username: String,
    pub smtp_password: String,
    /// The sender of notifications, e.g. `Glocal Desk <desk@glocal.example>`.
    pub from: String,
    /// The desk's address. A new mail to it from a known requester opens a request; replies
    /// to a notification go to `local+<signed token>@domain` of it and land in the thread.
    pub desk_address: String,
    /// Address (`127.0.0.1:2525`) of the SMTP listener that takes incoming mail from the
    /// mail server. Empty: none; `glocal mail receive` reads one message from standard input.
    pub listen: String,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            smtp_host: String::new(),
            smtp_port: 25,
            smtp_tls: "none".into(),
            smtp_username: String::new(),
            smtp_password: String::new(),
            from: "Glocal Desk <desk@glocal.example>".into(),
            desk_address: "desk@glocal.example".into(),
            listen: String::new(),
        }
    }
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &if self.smtp_password.is_empty() { "" } else { "***" })
            .field("from", &self.from)
            .field("desk_address", &self.desk_address)
            .field("listen", &self.listen)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// Loads the configuration: defaults, then `file` if given (it must exist), then the
    /// environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Self::load_from(file, std::env::vars())
    }

    /// Like [`Config::load`], with the environment given explicitly (for tests).
    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError(format!("file {} does not exist", path.display())));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        // The environment is read here rather than by figment's `Env` so that tests can pass
        // an explicit one, and so that an unknown `GLOCAL_` setting is an error, not ignored.
        let mut overrides = toml::Table::new();
        for (key, value) in env {
            let Some(rest) = key.strip_prefix("GLOCAL_") else { continue };
            let rest = rest.to_ascii_lowercase();
            let Some((section, name)) = rest.split_once('_') else { continue };
            if !SECTIONS.contains(&section) {
                continue;
            }
            let parsed = toml::Value::String(value);
            let section_table =
                overrides.entry(section.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(t) = section_table {
                t.insert(name.to_string(), parsed);
            }
        }
        let config: Config = figment
            .merge(Serialized::defaults(typed_overrides(overrides)?))
            .extract()
            .map_err(|e| ConfigError(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// Rejects settings that parse but cannot work.
    fn check(&self) -> Result<(), ConfigError> {
        if self.server.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError(format!("server.bind: not an address: {}", self.server.bind)));
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return Err(ConfigError("log.format: must be text or json".into()));
        }
        if !matches!(self.database.sqlite_synchronous.as_str(), "full" | "normal") {
            return Err(ConfigError("database.sqlite_synchronous: must be full or normal".into()));
        }
        if crate::validate::TimeZone::parse(&self.site.time_zone).is_err() {
            return Err(ConfigError(format!("site.time_zone: unknown: {}", self.site.time_zone)));
        }
        if crate::validate::Locale::parse(&self.site.default_locale).is_err() {
            return Err(ConfigError(format!(
                "site.default_locale: not one of {}",
                crate::validate::Locale::ALL.iter().map(|l| l.tag()).collect::<Vec<_>>().join(", ")
            )));
        }
        let min = if self.database_url().starts_with("postgres") { 2 } else { 1 };
        if self.database.max_connections < min {
            return Err(ConfigError(format!("database.max_connections: must be at least {min}")));
        }
        Ok(())
    }

    /// The database URL in effect: the configured one, or SQLite in the data folder.
    pub fn database_url(&self) -> String {
        if self.database.url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.storage.data_dir.join("glocal.db").display())
        } else {
            self.database.url.clone()
        }
    }

    /// Cookies carry `Secure` when users reach the server over TLS.
    pub fn secure_cookies(&self) -> bool {
        self.server.public_url.starts_with("https://")
    }

    /// The configuration as TOML, with passwords hidden, for `glocal config`.
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database.url = redact_url(&self.database.url);
        if !shown.mail.smtp_password.is_empty() {
            shown.mail.smtp_password = "***".into();
        }
        toml::to_string_pretty(&shown).expect("configuration serialises")
    }
}

/// Environment values are strings; give numbers and booleans their type where the default
/// has one, so that `GLOCAL_DATABASE_MAX_CONNECTIONS=4` works.
fn typed_overrides(overrides: toml::Table) -> Result<toml::Table, ConfigError> {
    let defaults = toml::Table::try_from(Config::default()).expect("defaults serialise");
    let mut out = toml::Table::new();
    for (section, values) in overrides {
        let toml::Value::Table(values) = values else { continue };
        let default_section = defaults.get(&section).and_then(|v| v.as_table());
        let mut typed = toml::Table::new();
        for (key, value) in values {
            let raw = value.as_str().unwrap_or_default().to_string();
            let default = default_section.and_then(|s| s.get(&key)).ok_or_else(|| {
                ConfigError(format!("GLOCAL_{}_{}: unknown setting", section.to_uppercase(), key.to_uppercase()))
            })?;
            let value = match default {
                toml::Value::Integer(_) => raw
                    .parse::<i64>()
                    .map(toml::Value::Integer)
                    .map_err(|_| ConfigError(format!("{section}.{key}: not a whole number: {raw}")))?,
                toml::Value::Boolean(_) => match raw.as_str() {
                    "true" | "1" | "yes" => toml::Value::Boolean(true),
                    "false" | "0" | "no" => toml::Value::Boolean(false),
                    _ => return Err(ConfigError(format!("{section}.{key}: not true or false: {raw}"))),
                },
                _ => toml::Value::String(raw),
            };
            typed.insert(key, value);
        }
        out.insert(section, toml::Value::Table(typed));
    }
    Ok(out)
}

/// Hides the password of a database URL: `postgres://u:secret@h/db` → `postgres://u:***@h/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let Some((userinfo, host)) = rest.rsplit_once('@') else { return url.to_string() };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}
