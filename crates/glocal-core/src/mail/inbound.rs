//! Incoming mail: a reply to a notification lands in its request's thread, a new message to
//! the desk address from a known requester opens a request, and everything else is refused
//! and logged.
//!
//! A message is taken once: its Message-ID is remembered in `mail_inbound` with what became
//! of it, so a message the mail server delivers again changes nothing the second time.

use mail_parser::{MessageParser, MimeHeaders};
use sea_orm::{ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{bare_address, signing_key, verify_token};
use crate::accounts::User;
use crate::actor::{Actor, Origin, Role};
use crate::desk::{self, NewMessage, NewRequest, RequestId};
use crate::entities::{mail_inbound, user};
use crate::error::{Error, Result};

/// What became of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    /// Added to the thread of this request (as a reply of the token's user).
    Reply { request_id: i64, attachments: usize },
    /// Opened this request.
    Request { request_id: i64 },
    /// Taken before (same Message-ID); nothing changed.
    Duplicate,
}

/// Why a message was refused. The mail server is told to bounce it; nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("not a mail message")]
    Unreadable,
    #[error("the reply address is not one the desk signed")]
    ForgedToken,
    #[error("the sender is not the person the reply address was made for")]
    WrongSender,
    #[error("the sender is not a known user of the desk")]
    UnknownSender,
    #[error("no recipient is the desk")]
    NotForUs,
    #[error("the message was refused by the desk: {0}")]
    Rejected(String),
}

impl Refusal {
    fn code(&self) -> &'static str {
        match self {
            Refusal::Unreadable => "unreadable",
            Refusal::ForgedToken => "forged_token",
            Refusal::WrongSender => "wrong_sender",
            Refusal::UnknownSender => "unknown_sender",
            Refusal::NotForUs => "not_for_us",
            Refusal::Rejected(_) => "rejected",
        }
    }
}

/// Takes one RFC 5322 message. `envelope_recipients` are the SMTP `RCPT TO` addresses when
/// known (the listener passes them; a pipe may not), looked at with the message's own To, Cc
/// and Delivered-To.
pub async fn receive(
    core: &crate::Core,
    raw: &[u8],
    envelope_recipients: &[String],
) -> Result<std::result::Result<Received, Refusal>> {
    let system = Actor::System("mail");
    let origin = Origin::default();
    let scope = core.scope(&system, &origin);
    let Some(message) = MessageParser::default().parse(raw) else {
        return Ok(Err(Refusal::Unreadable));
    };
    let sender = message.from().and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or("").to_ascii_lowercase();
    let message_id = message
        .message_id()
        .map(str::to_string)
        .unwrap_or_else(|| format!("sha256:{}", crate::secrets::sha256_hex(&String::from_utf8_lossy(raw))));
    if mail_inbound::Entity::find()
        .filter(mail_inbound::Column::MessageId.eq(&message_id))
        .one(&core.db)
        .await?
        .is_some()
    {
        return Ok(Ok(Received::Duplicate));
    }

    let mut recipients: Vec<String> = envelope_recipients.iter().filter_map(|r| bare_address(r)).collect();
    for list in [message.to(), message.cc()].into_iter().flatten() {
        recipients.extend(list.iter().filter_map(|a| a.address()).map(str::to_ascii_lowercase));
    }
    for h in ["Delivered-To", "X-Original-To"] {
        if let Some(v) = message.header_raw(h).and_then(bare_address) {
            recipients.push(v);
        }
    }
    let Some(desk) = bare_address(&core.config.mail.desk_address) else {
        return Ok(Err(Refusal::NotForUs));
    };
    let (desk_local, desk_domain) = desk.split_once('@').unwrap_or((&desk, ""));
    let token = recipients.iter().find_map(|r| {
        let (local, domain) = r.split_once('@')?;
        let (base, token) = local.split_once('+')?;
        (base == desk_local && domain == desk_domain).then(|| token.to_string())
    });
    let to_desk = recipients.iter().any(|r| *r == desk);

    let text = message.body_text(0).map(|t| trim_quoted(&t)).unwrap_or_default();
    let subject = message.subject().unwrap_or("").trim().to_string();
    let files: Vec<(String, Vec<u8>)> = message
        .attachments()
        .map(|p| (p.attachment_name().unwrap_or("attachment").to_string(), p.contents().to_vec()))
        .collect();

    let outcome = if let Some(token) = token {
        reply(core, &sender, &token, &text, &files).await?
    } else if to_desk {
        open_request(core, &sender, &subject, &text).await?
    } else {
        Err(Refusal::NotForUs)
    };
    let (label, request_id) = match &outcome {
        Ok(Received::Reply { request_id, .. }) => ("reply".to_string(), Some(*request_id)),
        Ok(Received::Request { request_id }) => ("request".to_string(), Some(*request_id)),
        Ok(Received::Duplicate) => unreachable!("decided above"),
        Err(r) => (format!("refused:{}", r.code()), None),
    };
    let row = mail_inbound::ActiveModel {
        id: NotSet,
        message_id: Set(message_id.chars().take(250).collect()),
        sender: Set(sender.chars().take(250).collect()),
        outcome: Set(label),
        request_id: Set(request_id),
        created_at: Set(crate::db::now()),
    };
    let tx = crate::db::begin_write(&core.writer).await?;
    match row.insert(&tx).await {
        Ok(_) => {}
        // The same message, delivered twice at once: the other delivery recorded it.
        Err(e) if crate::db::is_unique_violation(&e) => return Ok(Ok(Received::Duplicate)),
        Err(e) => return Err(e.into()),
    }
    if let Err(refusal) = &outcome {
        tracing::warn!(sender = %sender, reason = refusal.code(), "incoming mail refused");
        crate::audit::record(
            &tx,
            &scope,
            crate::audit::Entry {
                action: "mail.refused",
                subject_type: "mail",
                subject_id: Some(message_id.chars().take(200).collect()),
                org_id: None,
                details: json!({"sender": sender, "reason": refusal.code()}),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

async fn user_by_email(core: &crate::Core, email: &str) -> Result<Option<User>> {
    let row = user::Entity::find().filter(user::Column::Email.eq(email)).one(&core.db).await?;
    Ok(row.filter(|u| u.active).map(User::from_row))
}

async fn reply(
    core: &crate::Core,
    sender: &str,
    token: &str,
    text: &str,
    files: &[(String, Vec<u8>)],
) -> Result<std::result::Result<Received, Refusal>> {
    let key = signing_key(&core.db).await?;
    let Some((request_id, user_id)) = verify_token(&key, token) else { return Ok(Err(Refusal::ForgedToken)) };
    let Some(user) = user_by_email(core, sender).await? else { return Ok(Err(Refusal::WrongSender)) };
    if user.id.0 != user_id {
        return Ok(Err(Refusal::WrongSender));
    }
    let actor = user.actor();
    let origin = Origin::default();
    let scope = core.scope(&actor, &origin);
    let id = RequestId(request_id);
    if !text.trim().is_empty() {
        match desk::add_message(&scope, id, NewMessage { body: text.to_string(), internal: false }).await {
            Ok(_) => {}
            Err(e) => return refused_or(e),
        }
    }
    let mut attached = 0;
    for (name, bytes) in files {
        match desk::add_attachment(&scope, id, name, bytes, false).await {
            Ok(_) => attached += 1,
            Err(e) => return refused_or(e),
        }
    }
    if text.trim().is_empty() && attached == 0 {
        return Ok(Err(Refusal::Rejected("empty".into())));
    }
    Ok(Ok(Received::Reply { request_id, attachments: attached }))
}

async fn open_request(
    core: &crate::Core,
    sender: &str,
    subject: &str,
    text: &str,
) -> Result<std::result::Result<Received, Refusal>> {
    let Some(user) = user_by_email(core, sender).await? else { return Ok(Err(Refusal::UnknownSender)) };
    if !user.roles.contains(Role::Requester) {
        return Ok(Err(Refusal::UnknownSender));
    }
    let actor = user.actor();
    let origin = Origin::default();
    let scope = core.scope(&actor, &origin);
    let title = if subject.is_empty() {
        text.lines().next().unwrap_or("").chars().take(120).collect()
    } else {
        subject.to_string()
    };
    let input = NewRequest {
        category: "general_inquiry".into(),
        title,
        description: text.to_string(),
        fields: json!({"question": if text.trim().is_empty() { title_or(subject) } else { text.to_string() }}),
        ..NewRequest::default()
    };
    match desk::create(&scope, input).await {
        Ok(r) => Ok(Ok(Received::Request { request_id: r.id.0 })),
        Err(e) => refused_or(e),
    }
}

fn title_or(subject: &str) -> String {
    if subject.is_empty() { "(no text)".to_string() } else { subject.to_string() }
}

/// A refusal of the domain (bad input, a request the sender may not touch) bounces the
/// message; a failure of the database is an error, and the mail server tries again later.
fn refused_or(e: Error) -> Result<std::result::Result<Received, Refusal>> {
    match e {
        Error::Internal(_) => Err(e),
        other => Ok(Err(Refusal::Rejected(other.code().as_str().to_string()))),
    }
}

/// The new text of a reply: what stands above the quoted message. Stops at the first line
/// that starts a quotation (`>`), an "On … wrote:" attribution in the languages we serve, or
/// a forwarded/original-message separator; trailing blank lines go too.
pub fn trim_quoted(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        let lower = t.to_lowercase();
        let attribution = (lower.starts_with("on ") && lower.ends_with("wrote:"))
            || (t.ends_with("작성:") || t.ends_with("님이 작성:") || t.ends_with("写道：") || t.ends_with("寫道："))
            || t.ends_with("wrote:")
            || t.contains("のメッセージ:")
            || lower.starts_with("-----original message-----")
            || lower.starts_with("-----원본 메시지-----")
            || t.starts_with("-------- ")
            || lower.starts_with("from: ") && out.iter().any(|l| l.trim().is_empty());
        if t.starts_with('>') || attribution {
            break;
        }
        out.push(line.trim_end());
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    // A signature separator ("-- ", its space trimmed above) ends the message too.
    if let Some(i) = out.iter().position(|l| *l == "--") {
        out.truncate(i);
    }
    out.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::trim_quoted;

    #[test]
    fn quoted_text_is_trimmed_in_every_common_form() {
        let cases = [
            ("Thanks, done.\n\nOn Mon, 7 Dec 2026 at 10:00, Desk <desk@x.org> wrote:\n> old\n", "Thanks, done."),
            ("감사합니다.\n\n2026년 12월 7일 (월) 오전 10:00, Desk <desk@x.org>님이 작성:\n> 이전\n", "감사합니다."),
            ("好的。\n\n在 2026年12月7日，Desk 写道：\n> 旧\n", "好的。"),
            ("Reply\n-----Original Message-----\nFrom: desk\n", "Reply"),
            ("Line one\nline two\n> quoted\nafter", "Line one\nline two"),
            ("Body\n-- \nSignature", "Body"),
            ("No quote at all", "No quote at all"),
        ];
        for (input, want) in cases {
            assert_eq!(trim_quoted(input), want, "{input:?}");
        }
    }
}
