//! Text extraction from attachments: PDF (lopdf), DOCX and HWPX (zip + quick-xml), HWP 5
//! (hwpers), HTML (a small tag stripper that drops scripts and styles and decodes entities)
//! and plain text.
//!
//! Extraction never loses a file: the caller keeps the blob and records the outcome.

use std::io::Read;

/// The file types the library accepts, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Docx,
    Hwpx,
    Hwp,
    Html,
    Text,
}

impl FileType {
    /// The type a file name's extension says, if the library accepts it.
    pub fn of(filename: &str) -> Option<FileType> {
        let ext = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        Some(match ext.as_str() {
            "pdf" => FileType::Pdf,
            "docx" => FileType::Docx,
            "hwpx" => FileType::Hwpx,
            "hwp" => FileType::Hwp,
            "html" | "htm" => FileType::Html,
            "txt" | "md" | "text" => FileType::Text,
            _ => return None,
        })
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            FileType::Hwpx => "application/hwp+zip",
            FileType::Hwp => "application/x-hwp",
            // Served as a download, never rendered: see the web layer's headers.
            FileType::Html => "text/html; charset=utf-8",
            FileType::Text => "text/plain; charset=utf-8",
        }
    }
}

/// What extraction made of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Text(String),
    /// A type we keep but cannot read.
    Unsupported,
    /// The file is damaged or not what its name says.
    Failed(String),
}

/// At most this much text is kept per attachment.
const MAX_TEXT: usize = 2_000_000;

pub fn extract(file_type: FileType, bytes: &[u8]) -> Outcome {
    let result = match file_type {
        FileType::Pdf => pdf(bytes),
        FileType::Docx => office_xml(bytes, |name| name == "word/document.xml", "p"),
        FileType::Hwpx => office_xml(bytes, |name| name.starts_with("Contents/section") && name.ends_with(".xml"), "p"),
        FileType::Hwp => hwp(bytes),
        FileType::Html => decode_text(bytes).map(|t| html_to_text(&t)),
        FileType::Text => decode_text(bytes),
    };
    match result {
        Ok(text) => {
            let mut text = tidy(&text);
            if text.len() > MAX_TEXT {
                let mut cut = MAX_TEXT;
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
            }
            Outcome::Text(text)
        }
        Err(e) => Outcome::Failed(e),
    }
}

/// UTF-8 (with or without BOM), else UTF-16 with a BOM, else EUC-KR (older Korean files).
fn decode_text(bytes: &[u8]) -> Result<String, String> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.trim_start_matches('\u{feff}').to_string());
    }
    for enc in [encoding_rs::UTF_16LE, encoding_rs::UTF_16BE] {
        if let Some((e, _)) = encoding_rs::Encoding::for_bom(bytes)
            && e == enc
        {
            let (s, _, bad) = enc.decode(bytes);
            if !bad {
                return Ok(s.into_owned());
            }
        }
    }
    let (s, _, bad) = encoding_rs::EUC_KR.decode(bytes);
    if bad { Err("the text is in no encoding we read (UTF-8, UTF-16, EUC-KR)".into()) } else { Ok(s.into_owned()) }
}

/// HWP 5: a compound file of compressed record streams. The parser is guarded: a file that
/// makes it panic is reported as damaged, like any other.
fn hwp(bytes: &[u8]) -> Result<String, String> {
    match std::panic::catch_unwind(|| hwpers::HwpReader::from_bytes(bytes).map(|d| d.extract_text())) {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(e)) => Err(format!("not a readable HWP file: {e}")),
        Err(_) => Err("not a readable HWP file".into()),
    }
}

fn pdf(bytes: &[u8]) -> Result<String, String> {
    if !bytes.starts_with(b"%PDF-") {
        return Err("not a PDF file".into());
    }
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("unreadable PDF: {e}"))?;
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let mut out = String::new();
    for p in pages {
        match doc.extract_text(&[p]) {
            Ok(t) => {
                out.push_str(&t);
                out.push('\n');
            }
            Err(e) => tracing::debug!(page = p, error = %e, "PDF page without text"),
        }
    }
    if out.trim().is_empty() {
        return Err("the PDF has no extractable text (a scan?)".into());
    }
    Ok(out)
}

/// The text of the XML parts of a zip container (DOCX, HWPX), one line per `para` element.
fn office_xml(bytes: &[u8], part: impl Fn(&str) -> bool, para: &str) -> Result<String, String> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("not a readable zip container: {e}"))?;
    let mut names: Vec<String> =
        archive.file_names().filter_map(|n| n.ok()).filter(|n| part(n)).map(|n| n.into_owned()).collect();
    if names.is_empty() {
        return Err("the container has no document part".into());
    }
    // Sections in their natural order (section2 before section10).
    names.sort_by_key(|n| (n.len(), n.clone()));
    let mut out = String::new();
    for name in names {
        let mut xml = String::new();
        let mut f = archive.by_name(&name).map_err(|e| format!("{name}: {e}"))?;
        if f.size() > 200 * 1024 * 1024 {
            return Err(format!("{name} is too large"));
        }
        f.read_to_string(&mut xml).map_err(|e| format!("{name}: {e}"))?;
        xml_text(&xml, para, &mut out).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(out)
}

fn xml_text(xml: &str, para: &str, out: &mut String) -> Result<(), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Text(t) => {
                out.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) => {
                if let Some(c) = entity(r.as_ref()) {
                    out.push(c);
                }
            }
            Event::CData(c) => out.push_str(&c.xml10_content()),
            Event::End(e) if e.local_name().as_ref() == para => out.push('\n'),
            Event::Empty(e) if matches!(e.local_name().as_ref(), "tab") => out.push('\t'),
            Event::Empty(e) if matches!(e.local_name().as_ref(), "br" | "lineBreak") => out.push('\n'),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

/// The character an entity or numeric reference names.
fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| !c.is_control() || matches!(c, '\t' | '\n'));
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "middot" => '·',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "copy" => '©',
        "laquo" => '«',
        "raquo" => '»',
        _ => return None,
    })
}

/// The readable text of an HTML page: tags dropped (block elements end lines), `script`,
/// `style` and comments skipped, entities decoded.
pub fn html_to_text(html: &str) -> String {
    const BLOCK: &[&str] = &[
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "section",
        "article",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "hr",
        "td",
        "th",
        "title",
    ];
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('&') {
            let end = rest[1..].find(|c: char| c == ';' || c.is_whitespace() || c == '<' || c == '&').map(|e| e + 1);
            match end.filter(|e| rest.as_bytes()[*e] == b';').and_then(|e| entity(&rest[1..e]).map(|c| (c, e))) {
                Some((c, e)) => {
                    out.push(c);
                    rest = &rest[e + 1..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
            continue;
        }
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let Some(close) = rest.find('>') else {
            break;
        };
        let tag = &rest[1..close];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &rest[close + 1..];
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let end = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            rest = lower.find(&end).map_or("", |e| {
                let r = &rest[e..];
                r.find('>').map_or("", |g| &r[g + 1..])
            });
            continue;
        }
        if BLOCK.contains(&name.as_str()) {
            out.push('\n');
        } else if !name.is_empty() {
            out.push(' ');
        }
    }
    out.push_str(rest);
    out
}

/// Lines trimmed, runs of blank lines and spaces collapsed.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines() {
        // PostgreSQL text refuses NUL; other control characters are noise.
        let line: String = line.chars().filter(|c| !c.is_control() || *c == '\t').collect();
        let line: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(&line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, body) in parts {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(body.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn docx_and_hwpx_paragraphs() {
        let docx = zip_of(&[(
            "word/document.xml",
            r#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>자매결연 &amp; 교류</w:t></w:r></w:p><w:p><w:r><w:t>姊妹市</w:t></w:r></w:p></w:body></w:document>"#,
        )]);
        assert_eq!(extract(FileType::Docx, &docx), Outcome::Text("자매결연 & 교류\n姊妹市".into()));
        let hwpx = zip_of(&[
            (
                "Contents/section1.xml",
                r#"<hs:sec xmlns:hp="y"><hp:p><hp:run><hp:t>둘째</hp:t></hp:run></hp:p></hs:sec>"#,
            ),
            (
                "Contents/section0.xml",
                r#"<hs:sec xmlns:hp="y"><hp:p><hp:run><hp:t>첫째</hp:t></hp:run></hp:p></hs:sec>"#,
            ),
            ("mimetype", "application/hwp+zip"),
        ]);
        assert_eq!(extract(FileType::Hwpx, &hwpx), Outcome::Text("첫째\n둘째".into()));
    }

    #[test]
    fn damaged_files_fail_with_a_reason() {
        assert!(matches!(extract(FileType::Docx, b"PK\x03\x04 broken"), Outcome::Failed(_)));
        assert!(matches!(extract(FileType::Pdf, b"%PDF-1.7\n garbage"), Outcome::Failed(_)));
        assert!(matches!(extract(FileType::Pdf, b"hello"), Outcome::Failed(_)));
        assert!(matches!(extract(FileType::Hwp, b"\xD0\xCF\x11\xE0"), Outcome::Failed(_)));
    }

    #[test]
    fn hwp_paragraphs() {
        let mut w = hwpers::HwpWriter::new();
        w.add_paragraph("자매결연 도시 교류 보고서").unwrap();
        w.add_paragraph("臺中市 姊妹市").unwrap();
        let bytes = w.to_bytes().unwrap();
        assert_eq!(extract(FileType::Hwp, &bytes), Outcome::Text("자매결연 도시 교류 보고서\n臺中市 姊妹市".into()));
    }

    #[test]
    fn html_loses_tags_scripts_and_entities() {
        let html = "<html><head><title>臺中</title><style>p{}</style><script>alert('x<y')</script></head>\
                    <body><p>Sister&nbsp;city &amp; 姊妹市</p><!-- hidden --><div>a&#x41;b &unknown; c</div></body></html>";
        assert_eq!(
            extract(FileType::Html, html.as_bytes()),
            Outcome::Text("臺中\n\nSister city & 姊妹市\n\naAb &unknown; c".into())
        );
    }

    /// A one-page PDF with its text in a content stream, offsets computed.
    fn tiny_pdf(text: &str) -> Vec<u8> {
        let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
            format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
        for o in offsets {
            out.extend(format!("{o:010} 00000 n \n").bytes());
        }
        out.extend(
            format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).bytes(),
        );
        out
    }

    #[test]
    fn pdf_text() {
        match extract(FileType::Pdf, &tiny_pdf("Sister city agreement")) {
            Outcome::Text(t) => assert!(t.contains("Sister city agreement"), "{t}"),
            other => panic!("{other:?}"),
        }
        // Cut in half, it is flagged, not read.
        let half = tiny_pdf("Sister city agreement");
        assert!(matches!(extract(FileType::Pdf, &half[..half.len() / 2]), Outcome::Failed(_)));
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(extract(FileType::Text, b"abc\0def\x07 g"), Outcome::Text("abcdef g".into()));
        assert_eq!(extract(FileType::Html, b"<p>a&#0;b</p>"), Outcome::Text("a&#0;b".into()));
    }

    #[test]
    fn korean_legacy_encoding() {
        let (bytes, _, _) = encoding_rs::EUC_KR.encode("서울특별시");
        assert_eq!(extract(FileType::Text, &bytes), Outcome::Text("서울특별시".into()));
    }
}
