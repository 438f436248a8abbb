//! A small SMTP listener (RFC 5321: HELO/EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) that hands
//! each message to [`super::inbound::receive`]. It is meant to sit behind the organisation's
//! mail server on a private address: no TLS, no authentication, no relaying.
//!
//! A message is answered `250` only after it is committed, `550` when refused (the mail server
//! bounces it to the sender) and `451` when the database failed (the mail server tries again),
//! so nothing acknowledged is lost.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::inbound::{self, Received};

/// A command line longer than this is refused (RFC 5321 allows 512 octets).
const MAX_LINE: usize = 2048;
const IDLE: Duration = Duration::from_secs(300);

/// Accepts connections on `listener` until `stop` fires.
pub async fn serve(core: crate::Core, listener: TcpListener, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let core = core.clone();
                    tokio::spawn(async move {
                        if let Err(e) = session(&core, stream).await {
                            tracing::debug!(%peer, error = %e, "smtp session ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "smtp accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            _ = stop.changed() => break,
        }
    }
}

async fn read_line<R: AsyncRead + Unpin>(r: &mut BufReader<R>, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    buf.clear();
    let n = tokio::time::timeout(IDLE, r.read_until(b'\n', buf))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
    Ok(n)
}

/// One SMTP conversation.
pub async fn session<S: AsyncRead + AsyncWrite + Unpin>(core: &crate::Core, stream: S) -> std::io::Result<()> {
    let (r, mut w) = tokio::io::split(stream);
    let mut r = BufReader::new(r);
    let max_message = (usize::try_from(core.config.desk.max_attachment_mb).unwrap_or(20) * 2 + 1) * 1024 * 1024;
    w.write_all(b"220 glocal ESMTP ready\r\n").await?;
    let mut line = Vec::new();
    let mut mail_from: Option<String> = None;
    let mut rcpt: Vec<String> = Vec::new();
    loop {
        if read_line(&mut r, &mut line).await? == 0 {
            return Ok(());
        }
        if line.len() > MAX_LINE {
            w.write_all(b"500 5.5.2 line too long\r\n").await?;
            continue;
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_string();
        let upper = text.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            mail_from = None;
            rcpt.clear();
            w.write_all(format!("250-glocal\r\n250-8BITMIME\r\n250 SIZE {max_message}\r\n").as_bytes()).await?;
            continue;
        } else if upper.starts_with("HELO") {
            b"250 glocal\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            mail_from = Some(text[10..].trim().to_string());
            rcpt.clear();
            b"250 2.1.0 ok\r\n"
        } else if upper.starts_with("RCPT TO:") {
            if mail_from.is_none() {
                b"503 5.5.1 MAIL first\r\n"
            } else if rcpt.len() >= 100 {
                b"452 4.5.3 too many recipients\r\n"
            } else {
                let addr = text[8..].trim();
                rcpt.push(addr.split_whitespace().next().unwrap_or("").to_string());
                b"250 2.1.5 ok\r\n"
            }
        } else if upper == "DATA" {
            if rcpt.is_empty() {
                b"503 5.5.1 RCPT first\r\n"
            } else {
                w.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let (data, too_big) = read_data(&mut r, &mut line, max_message).await?;
                let answer = if too_big {
                    "552 5.3.4 message too big\r\n".to_string()
                } else {
                    match inbound::receive(core, &data, &rcpt).await {
                        Ok(Ok(Received::Duplicate)) => "250 2.0.0 already taken\r\n".to_string(),
                        Ok(Ok(_)) => "250 2.0.0 taken\r\n".to_string(),
                        Ok(Err(refusal)) => format!("550 5.7.1 {refusal}\r\n"),
                        Err(e) => {
                            tracing::error!(error = %e, "incoming mail: database error");
                            "451 4.3.0 try again later\r\n".to_string()
                        }
                    }
                };
                mail_from = None;
                rcpt.clear();
                w.write_all(answer.as_bytes()).await?;
                continue;
            }
        } else if upper == "RSET" {
            mail_from = None;
            rcpt.clear();
            b"250 2.0.0 ok\r\n"
        } else if upper == "NOOP" {
            b"250 2.0.0 ok\r\n"
        } else if upper == "QUIT" {
            w.write_all(b"221 2.0.0 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 5.5.2 command not implemented\r\n"
        };
        w.write_all(reply).await?;
    }
}

/// The message after DATA, dot-unstuffed, up to the lone `.` line. Past `max` bytes the rest is
/// read and dropped, and the message refused.
async fn read_data<R: AsyncRead + Unpin>(
    r: &mut BufReader<R>,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<(Vec<u8>, bool)> {
    let mut data = Vec::new();
    let mut too_big = false;
    loop {
        if read_line(r, line).await? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed in DATA"));
        }
        if line.as_slice() == b".\r\n" || line.as_slice() == b".\n" {
            return Ok((data, too_big));
        }
        let content = if line.first() == Some(&b'.') { &line[1..] } else { &line[..] };
        if data.len() + content.len() > max {
            too_big = true;
        } else {
            data.extend_from_slice(content);
        }
    }
}
