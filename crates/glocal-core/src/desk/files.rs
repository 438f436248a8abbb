//! What may be attached to a request: a short list of document and image types, recognised by
//! their first bytes (not by what the sender claims), and file names made safe to show and to
//! offer for download.

use crate::error::{Error, ErrorCode, Result};

/// A type we accept, with the extensions it may carry.
struct Kind {
    mime: &'static str,
    extensions: &'static [&'static str],
}

const PDF: Kind = Kind { mime: "application/pdf", extensions: &["pdf"] };
const PNG: Kind = Kind { mime: "image/png", extensions: &["png"] };
const JPEG: Kind = Kind { mime: "image/jpeg", extensions: &["jpg", "jpeg"] };
const GIF: Kind = Kind { mime: "image/gif", extensions: &["gif"] };
const TEXT: Kind = Kind { mime: "text/plain; charset=utf-8", extensions: &["txt", "md", "srt"] };
const CSV: Kind = Kind { mime: "text/csv; charset=utf-8", extensions: &["csv"] };
const DOCX: Kind =
    Kind { mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", extensions: &["docx"] };
const XLSX: Kind =
    Kind { mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", extensions: &["xlsx"] };
const PPTX: Kind =
    Kind { mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation", extensions: &["pptx"] };
const HWPX: Kind = Kind { mime: "application/hwp+zip", extensions: &["hwpx"] };
/// Hangul word processor and old Office files share the OLE container.
const OLE: Kind = Kind { mime: "application/x-hwp", extensions: &["hwp", "doc", "xls", "ppt"] };

/// The content type to store and serve for `bytes` named `filename`, or `attachment_type`
/// when the content is not one we accept or does not match the name's extension.
pub fn check_type(filename: &str, bytes: &[u8]) -> Result<&'static str> {
    let ext = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let kind: &Kind = if bytes.starts_with(b"%PDF-") {
        &PDF
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        &PNG
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        &JPEG
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        &GIF
    } else if bytes.starts_with(b"PK\x03\x04") {
        match ext.as_str() {
            "docx" => &DOCX,
            "xlsx" => &XLSX,
            "pptx" => &PPTX,
            "hwpx" => &HWPX,
            _ => return Err(Error::field("file", ErrorCode::AttachmentType)),
        }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        &OLE
    } else if is_text(bytes) {
        if ext == "csv" { &CSV } else { &TEXT }
    } else {
        return Err(Error::field("file", ErrorCode::AttachmentType));
    };
    if !kind.extensions.contains(&ext.as_str()) {
        return Err(Error::field("file", ErrorCode::AttachmentType));
    }
    Ok(kind.mime)
}

/// UTF-8 without control characters other than white space.
fn is_text(bytes: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(bytes) else { return false };
    !s.is_empty() && !s.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{feff}'))
}

/// Whether a stored content type is text whose words can be counted.
pub fn is_text_type(content_type: &str) -> bool {
    content_type.starts_with("text/")
}

/// The last path component, without control characters or quotes, at most 200 characters.
pub fn safe_filename(raw: &str) -> Result<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String =
        base.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|')).collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() {
        return Err(Error::field("filename", ErrorCode::ValueRequired));
    }
    if clean.chars().count() > 200 {
        return Err(Error::field("filename", ErrorCode::ValueTooLong));
    }
    Ok(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_not_the_name() {
        assert_eq!(check_type("a.pdf", b"%PDF-1.7 ...").unwrap(), "application/pdf");
        assert_eq!(check_type("notes.txt", "번역할 글".as_bytes()).unwrap(), "text/plain; charset=utf-8");
        // An executable named like a document is refused.
        assert_eq!(check_type("report.pdf", b"MZ\x90\x00\x03").unwrap_err().code(), ErrorCode::AttachmentType);
        // HTML in a .txt would be text, but an HTML file is not accepted.
        assert!(check_type("page.html", b"<html><script>alert(1)</script></html>").is_err());
        // A PNG claiming to be a PDF.
        assert!(check_type("x.pdf", b"\x89PNG\r\n\x1a\n....").is_err());
    }

    #[test]
    fn names_lose_paths_and_quotes() {
        assert_eq!(safe_filename("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(safe_filename("C:\\Users\\a\\\"x\".pdf").unwrap(), "x.pdf");
        assert!(safe_filename("..").is_err());
    }
}
