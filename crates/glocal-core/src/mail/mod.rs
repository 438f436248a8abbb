//! Mail of the desk.
//!
//! **Out:** a change that concerns someone (a registration, an interim or final response, a
//! question to the requester, a reply, an SLA warning) calls [`notify`] inside its own
//! transaction. The notice is rendered there, in the recipient's language, and enqueued as a
//! [`crate::jobs::Job::SendMail`]: it survives a crash and is retried with back-off when the
//! SMTP server is away. With no `mail.smtp_host` configured, nothing is enqueued.
//!
//! **In:** every notification carries a reply address `local+<token>@domain` of the desk
//! address, the token signed ([`reply_token`]) for one request and one recipient. A reply to
//! it lands in that request's thread as that person ([`inbound::receive`]); a new message to
//! the desk address from a known requester opens a request. Forged tokens and unknown senders
//! are refused and logged. Messages come from an MTA pipe (`glocal mail receive`) or from the
//! small SMTP listener of [`listener`].

pub mod inbound;
pub mod listener;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use hmac::{Hmac, Mac};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::actor::{Role, Roles};
use crate::config::Config;
use crate::entities::{setting, user};
use crate::error::Result;
use crate::validate::Locale;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static LANG_IDS: LazyLock<[LanguageIdentifier; 5]> =
    LazyLock::new(|| Locale::ALL.map(|l| l.tag().parse().expect("valid language tag")));

fn t(locale: Locale, key: &str, args: &[(&'static str, &str)]) -> String {
    let lang = &LANG_IDS[Locale::ALL.iter().position(|l| *l == locale).expect("listed")];
    let map: HashMap<Cow<'static, str>, FluentValue> =
        args.iter().map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.to_string()))).collect();
    LOCALES.try_lookup_with_args(lang, key, &map).unwrap_or_else(|| key.to_string())
}

/// One message to send, rendered when it was enqueued.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// Where a reply goes: the desk address with the signed token.
    pub reply_to: Option<String>,
    pub request_id: Option<i64>,
}

/// What a notification says.
#[derive(Clone, Debug)]
pub enum Notice<'a> {
    /// The request is registered and has its number.
    Acknowledged,
    InterimResponse(&'a str),
    FinalResponse(&'a str),
    /// The desk holds the request and asks the requester this.
    Question(&'a str),
    /// A public reply of the desk, to the requester.
    Reply(&'a str),
    /// The requester wrote, to the staff member who holds the request.
    RequesterReply(&'a str),
    /// `stage` has used 80 % of its time.
    SlaWarning(&'a str),
    /// `stage` is past its deadline.
    SlaBreach(&'a str),
}

impl Notice<'_> {
    fn key(&self) -> &'static str {
        match self {
            Notice::Acknowledged => "mail-acknowledged",
            Notice::InterimResponse(_) => "mail-interim",
            Notice::FinalResponse(_) => "mail-final",
            Notice::Question(_) => "mail-question",
            Notice::Reply(_) => "mail-reply",
            Notice::RequesterReply(_) => "mail-requester-reply",
            Notice::SlaWarning(_) => "mail-sla-warning",
            Notice::SlaBreach(_) => "mail-sla-breach",
        }
    }

    fn body(&self) -> Option<&str> {
        match self {
            Notice::InterimResponse(b)
            | Notice::FinalResponse(b)
            | Notice::Question(b)
            | Notice::Reply(b)
            | Notice::RequesterReply(b) => Some(b),
            _ => None,
        }
    }

    fn stage(&self) -> &str {
        match self {
            Notice::SlaWarning(s) | Notice::SlaBreach(s) => s,
            _ => "",
        }
    }
}

/// The request a notice is about.
#[derive(Clone, Copy, Debug)]
pub struct About<'a> {
    pub request_id: i64,
    pub reg_no: Option<&'a str>,
    pub title: &'a str,
}

/// Whether mail goes out at all.
pub fn enabled(config: &Config) -> bool {
    !config.mail.smtp_host.trim().is_empty()
}

/// Renders `notice` for the user `recipient` in their language and enqueues it on `conn` (the
/// transaction of the change). Inactive users and users without an address get nothing.
pub(crate) async fn notify(
    conn: &impl ConnectionTrait,
    config: &Config,
    recipient: i64,
    about: About<'_>,
    notice: Notice<'_>,
) -> Result<()> {
    if !enabled(config) {
        return Ok(());
    }
    let Some(u) = user::Entity::find_by_id(recipient).one(conn).await? else { return Ok(()) };
    if !u.active || u.email.is_empty() {
        return Ok(());
    }
    let locale = Locale::parse(&u.locale).unwrap_or(Locale::En);
    let reg = about.reg_no.map(str::to_string).unwrap_or_else(|| format!("#{}", about.request_id));
    let link = format!("{}/desk/requests/{}", config.server.public_url.trim_end_matches('/'), about.request_id);
    let args = [("reg", reg.as_str()), ("title", about.title), ("stage", notice.stage()), ("name", u.name.as_str())];
    let mut text = t(locale, notice.key(), &args);
    if let Some(body) = notice.body() {
        text.push_str("\n\n");
        text.push_str(body.trim_end());
    }
    text.push_str("\n\n");
    text.push_str(&t(locale, "mail-link", &[("link", link.as_str())]));
    let key = signing_key(conn).await?;
    let reply_to = reply_address(&config.mail.desk_address, &reply_token(&key, about.request_id, u.id));
    if reply_to.is_some() {
        text.push('\n');
        text.push_str(&t(locale, "mail-reply-hint", &[]));
    }
    text.push('\n');
    let mail = Outgoing {
        to: u.email.clone(),
        subject: t(locale, "mail-subject", &args),
        text,
        reply_to,
        request_id: Some(about.request_id),
    };
    crate::jobs::enqueue(conn, &crate::jobs::Job::SendMail(mail), crate::db::now(), None).await
}

/// The desk managers of `unit`: they hear of SLA warnings and breaches with the holder.
pub(crate) async fn managers_of(conn: &impl ConnectionTrait, unit: i64) -> Result<Vec<i64>> {
    let users = user::Entity::find()
        .filter(user::Column::OrgId.eq(unit))
        .filter(user::Column::Active.eq(true))
        .all(conn)
        .await?;
    Ok(users.into_iter().filter(|u| Roles::from_bits(u.roles).contains(Role::DeskManager)).map(|u| u.id).collect())
}

/// Sends one message over SMTP as configured.
pub async fn send(config: &Config, mail: &Outgoing) -> anyhow::Result<()> {
    use lettre::message::header::ContentType;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    let c = &config.mail;
    let mut message = Message::builder()
        .from(c.from.parse()?)
        .to(mail.to.parse()?)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN);
    if let Some(r) = &mail.reply_to {
        message = message.reply_to(r.parse()?);
    }
    let message = message.body(mail.text.clone())?;
    let mut transport = match c.smtp_tls.as_str() {
        "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&c.smtp_host)?,
        "starttls" => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.smtp_host)?,
        _ => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.smtp_host),
    }
    .port(c.smtp_port)
    .timeout(Some(std::time::Duration::from_secs(30)));
    if !c.smtp_username.is_empty() {
        transport = transport.credentials(Credentials::new(c.smtp_username.clone(), c.smtp_password.clone()));
    }
    transport.build().send(message).await?;
    Ok(())
}

type HmacSha256 = Hmac<Sha256>;

const KEY_SETTING: &str = "mail_reply_key";

/// The key that signs reply addresses, shared by every process through the settings table and
/// made on first use.
pub(crate) async fn signing_key(conn: &impl ConnectionTrait) -> Result<String> {
    if let Some(s) = setting::Entity::find_by_id(KEY_SETTING).one(conn).await? {
        return Ok(s.value);
    }
    let key = crate::secrets::random_token(32);
    let row = setting::ActiveModel {
        key: Set(KEY_SETTING.into()),
        value: Set(key.clone()),
        updated_at: Set(crate::db::now()),
    };
    match row.insert(conn).await {
        Ok(_) => Ok(key),
        // Another process made it a moment ago.
        Err(e) if crate::db::is_unique_violation(&e) => Ok(setting::Entity::find_by_id(KEY_SETTING)
            .one(conn)
            .await?
            .map(|s| s.value)
            .ok_or_else(|| anyhow::anyhow!("signing key vanished"))?),
        Err(e) => Err(e.into()),
    }
}

fn mac(key: &str, request_id: i64, user_id: i64) -> String {
    let mut m = HmacSha256::new_from_slice(key.as_bytes()).expect("any key length");
    m.update(format!("reply:{request_id}:{user_id}").as_bytes());
    hex::encode(&m.finalize().into_bytes()[..10])
}

/// `r<request>u<user>x<signature>`: who may reply to which request.
pub fn reply_token(key: &str, request_id: i64, user_id: i64) -> String {
    format!("r{request_id}u{user_id}x{}", mac(key, request_id, user_id))
}

/// The request and user of a token, if its signature is right.
pub fn verify_token(key: &str, token: &str) -> Option<(i64, i64)> {
    let rest = token.strip_prefix('r')?;
    let (request, rest) = rest.split_once('u')?;
    let (user, signature) = rest.split_once('x')?;
    let (request, user) = (request.parse().ok()?, user.parse().ok()?);
    crate::secrets::constant_time_eq(&mac(key, request, user), &signature.to_ascii_lowercase())
        .then_some((request, user))
}

/// `desk+token@example.org` for the desk address `desk@example.org`.
fn reply_address(desk: &str, token: &str) -> Option<String> {
    let desk = bare_address(desk)?;
    let (local, domain) = desk.split_once('@')?;
    Some(format!("{local}+{token}@{domain}"))
}

/// The address inside `Name <addr>`, or the text itself.
fn bare_address(s: &str) -> Option<String> {
    let s = s.trim();
    let inner = match (s.rfind('<'), s.rfind('>')) {
        (Some(a), Some(b)) if a < b => &s[a + 1..b],
        _ => s,
    };
    let inner = inner.trim();
    inner.contains('@').then(|| inner.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_request_and_user_and_a_changed_one_fails() {
        let key = "k3y";
        let token = reply_token(key, 42, 7);
        assert_eq!(verify_token(key, &token), Some((42, 7)));
        assert_eq!(verify_token("other", &token), None);
        assert_eq!(verify_token(key, &token.replace("r42u7", "r43u7")), None);
        assert_eq!(verify_token(key, &token.replace("u7x", "u8x")), None);
        assert_eq!(verify_token(key, "r1u2"), None);
        assert_eq!(verify_token(key, ""), None);
    }

    #[test]
    fn reply_addresses_keep_the_desk_domain() {
        assert_eq!(reply_address("Desk <Desk@Example.org>", "t").as_deref(), Some("desk+t@example.org"));
        assert_eq!(reply_address("desk@example.org", "t").as_deref(), Some("desk+t@example.org"));
        assert_eq!(reply_address("nobody", "t"), None);
    }

    #[test]
    fn every_mail_text_exists_in_all_five_languages() {
        let keys = [
            "mail-subject",
            "mail-acknowledged",
            "mail-interim",
            "mail-final",
            "mail-question",
            "mail-reply",
            "mail-requester-reply",
            "mail-sla-warning",
            "mail-sla-breach",
            "mail-link",
            "mail-reply-hint",
        ];
        // Read the files themselves: a lookup would fall back to English and hide a gap.
        for locale in Locale::ALL {
            let path = format!("{}/locales/{}/mail.ftl", env!("CARGO_MANIFEST_DIR"), locale.tag());
            let text = std::fs::read_to_string(&path).expect("mail.ftl of every locale");
            for key in keys {
                assert!(text.lines().any(|l| l.starts_with(&format!("{key} ="))), "{key} missing in {path}");
            }
        }
        let subject = t(Locale::Ko, "mail-subject", &[("reg", "2026-000001"), ("title", "번역")]);
        assert!(subject.contains("2026-000001") && subject.contains("번역"), "{subject}");
    }
}
