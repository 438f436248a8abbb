//! Bringing documents in: a folder of files (text, HTML, PDF, DOCX, HWPX, HWP), and
//! spreadsheets (CSV or XLSX) of document metadata.
//!
//! A spreadsheet import checks every row before it writes anything: one bad row and nothing
//! changes, and the error names each bad row and column. A folder import takes what it can
//! and reports what it skipped; a file it cannot read is still kept, attached and flagged.

use std::path::{Path, PathBuf};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;

use super::extract::{self, FileType, Outcome};
use super::{DocumentId, DocumentInput, Kind, Status};
use crate::actor::Scope;
use crate::entities::library_document;
use crate::error::{Error, ErrorCode, FieldError, Result};

/// The language a text is most likely written in, from its scripts: Hangul → `ko`, kana →
/// `ja`, Han → `zh-Hant` or `zh-Hans` (whichever the text already is), otherwise `en`.
pub fn detect_language(text: &str) -> &'static str {
    let (mut hangul, mut kana, mut han, mut latin) = (0usize, 0usize, 0usize, 0usize);
    let mut han_text = String::new();
    for c in text.chars().take(20_000) {
        match c as u32 {
            0xAC00..=0xD7A3 | 0x1100..=0x11FF | 0x3130..=0x318F => hangul += 1,
            0x3040..=0x30FF => kana += 1,
            _ if crate::text::is_han(c) => {
                han += 1;
                han_text.push(c);
            }
            _ if c.is_ascii_alphabetic() => latin += 1,
            _ => {}
        }
    }
    if hangul > 0 && hangul * 2 >= han && hangul * 4 >= latin / 4 {
        return "ko";
    }
    if kana > 0 && kana * 10 >= han {
        return "ja";
    }
    if han > 0 && han * 4 >= latin / 4 {
        // Folding to Simplified changes a Traditional text and leaves a Simplified one alone.
        let hans = zhconv::zhconv(&han_text, zhconv::Variant::ZhHans);
        let changed = hans.chars().zip(han_text.chars()).filter(|(a, b)| a != b).count();
        return if changed * 20 > han { "zh-Hant" } else { "zh-Hans" };
    }
    "en"
}

/// A title from a text: its first line of substance, at most 200 characters.
pub fn title_from(text: &str, fallback: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| l.chars().filter(|c| c.is_alphanumeric()).count() >= 2);
    match line {
        Some(l) => l.chars().take(200).collect(),
        None => fallback.to_string(),
    }
}

#[derive(Clone, Debug)]
pub struct FolderOptions {
    pub kind: Kind,
    pub status: Status,
    pub owner_org_id: i64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct FolderReport {
    pub created: Vec<(String, DocumentId)>,
    /// Files already in the library (a document with the file's name as its source).
    pub existing: Vec<String>,
    /// Files of a type the library does not take, or that could not be opened, with why.
    pub skipped: Vec<(String, String)>,
    /// Files kept and attached whose text could not be read.
    pub flagged: Vec<String>,
}

/// The files of a folder and its sub-folders, in name order.
pub fn files_in(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| anyhow::anyhow!("{}: {e}", d.display()))?;
        for e in entries {
            let e = e.map_err(anyhow::Error::from)?;
            let p = e.path();
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Imports one file as a document. Text and HTML become the body; other types are attached
/// and their text read at once (the title from their first line). A file already imported
/// (a document with its name as source) is left alone. A file refused (too large, an
/// executable) or failing is reported as skipped and the import goes on.
pub async fn import_file(
    scope: &Scope<'_>,
    opts: &FolderOptions,
    name: &str,
    bytes: &[u8],
    report: &mut FolderReport,
) -> Result<()> {
    if let Err(e) = import_one(scope, opts, name, bytes, report).await {
        if matches!(e, Error::Internal(_)) {
            return Err(e);
        }
        report.skipped.push((name.to_string(), e.code().to_string()));
    }
    Ok(())
}

async fn import_one(
    scope: &Scope<'_>,
    opts: &FolderOptions,
    name: &str,
    bytes: &[u8],
    report: &mut FolderReport,
) -> Result<()> {
    let Some(file_type) = FileType::of(name) else {
        report.skipped.push((name.to_string(), "not a type the library takes".into()));
        return Ok(());
    };
    let exists = library_document::Entity::find()
        .filter(library_document::Column::Source.eq(name))
        .one(scope.db())
        .await?
        .is_some();
    if exists {
        report.existing.push(name.to_string());
        return Ok(());
    }
    let limit = u64::from(scope.config().library.max_attachment_mb) * 1024 * 1024;
    if bytes.len() as u64 > limit {
        return Err(Error::Refused(ErrorCode::AttachmentTooLarge));
    }
    if bytes.is_empty() || bytes.starts_with(b"MZ") || bytes.starts_with(b"\x7fELF") || bytes.starts_with(b"#!") {
        return Err(Error::field("file", ErrorCode::AttachmentType));
    }
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    let ft = file_type;
    let owned = bytes.to_vec();
    let outcome =
        tokio::task::spawn_blocking(move || extract::extract(ft, &owned)).await.map_err(anyhow::Error::from)?;
    let text = match &outcome {
        Outcome::Text(t) => t.clone(),
        _ => String::new(),
    };
    let title = title_from(&text, stem);
    let language = if text.is_empty() { detect_language(stem) } else { detect_language(&text) };
    let inline = matches!(file_type, FileType::Text | FileType::Html) && matches!(outcome, Outcome::Text(_));
    let input = DocumentInput {
        kind: opts.kind.as_str().into(),
        language: language.into(),
        status: Some(opts.status.as_str().into()),
        title,
        summary: text.chars().take(300).collect::<String>().trim().to_string(),
        body: if inline { text.clone() } else { String::new() },
        source: Some(name.to_string()),
        owner_org_id: Some(opts.owner_org_id),
        ..Default::default()
    };
    let doc = super::create(scope, input).await?;
    let id = doc.document.id;
    if !inline {
        let att = super::attachments::add(scope, id, name, bytes).await?;
        super::attachments::extract_now(scope.core, att.id).await?;
        if !matches!(outcome, Outcome::Text(_)) {
            report.flagged.push(name.to_string());
        }
    }
    report.created.push((name.to_string(), id));
    Ok(())
}

/// Imports every file of a folder; `progress` is called after each file with its name.
pub async fn import_folder(
    scope: &Scope<'_>,
    dir: &Path,
    opts: &FolderOptions,
    mut progress: impl FnMut(&str),
) -> Result<FolderReport> {
    let files = files_in(dir)?;
    let mut report = FolderReport::default();
    for path in files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match std::fs::read(&path) {
            Ok(bytes) => import_file(scope, opts, &name, &bytes, &mut report).await?,
            Err(e) => report.skipped.push((name.clone(), e.to_string())),
        }
        progress(&name);
    }
    Ok(report)
}

// ---------------------------------------------------------------------------------------------
// Spreadsheets of metadata.

/// The columns: (Korean header, English header).
pub const COLUMNS: [(&str, &str); 11] = [
    ("종류", "kind"),
    ("언어", "language"),
    ("상태", "status"),
    ("제목", "title"),
    ("요약", "summary"),
    ("본문", "body"),
    ("분야", "area"),
    ("국가", "country"),
    ("자치단체", "local_government"),
    ("연도", "year"),
    ("출처", "source"),
];

fn header_index(h: &str) -> Option<usize> {
    let folded: String = crate::text::fold(h).chars().filter(|c| c.is_alphanumeric()).collect();
    COLUMNS.iter().position(|(ko, en)| folded == *ko || folded == en.replace('_', ""))
}

/// Reads the table of a CSV (UTF-8) or XLSX file (its first sheet).
fn table_of(format: crate::registry::transfer::Format, bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    use crate::registry::transfer::Format;
    match format {
        Format::Csv => {
            let text = std::str::from_utf8(bytes).map_err(|_| Error::field("file", ErrorCode::InvalidFile))?;
            let text = text.trim_start_matches('\u{feff}');
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            let mut table = Vec::new();
            for rec in reader.records() {
                let rec = rec.map_err(|_| Error::field(format!("line {}", table.len() + 1), ErrorCode::InvalidFile))?;
                table.push(rec.iter().map(str::to_string).collect());
            }
            Ok(table)
        }
        Format::Xlsx => crate::registry::transfer::xlsx_table(bytes),
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct MetadataReport {
    pub created: Vec<DocumentId>,
}

/// Imports documents from a spreadsheet, one per row, owned by `owner_org_id` (the actor's
/// organisation when absent). Every row is checked first; the error names each bad row as
/// `line N: column`.
pub async fn import_metadata(
    scope: &Scope<'_>,
    format: crate::registry::transfer::Format,
    bytes: &[u8],
    owner_org_id: Option<i64>,
) -> Result<MetadataReport> {
    scope.actor.require_login()?;
    let table = table_of(format, bytes)?;
    let mut rows = table.into_iter().enumerate();
    let Some((_, header)) = rows.next() else { return Err(Error::field("file", ErrorCode::ValueRequired)) };
    let map: Vec<Option<usize>> = header.iter().map(|h| header_index(h)).collect();
    let mut missing = Vec::new();
    for i in [0, 1, 3] {
        if !map.contains(&Some(i)) {
            missing.push(FieldError::new(format!("header: {}", COLUMNS[i].1), ErrorCode::ValueRequired));
        }
    }
    if !missing.is_empty() {
        return Err(Error::Invalid(missing));
    }
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for (i, cells) in rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = i + 1;
        let mut c: [String; 11] = Default::default();
        for (j, cell) in cells.into_iter().enumerate() {
            if let Some(Some(col)) = map.get(j) {
                c[*col] = cell.trim().to_string();
            }
        }
        let opt = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
        let year = match c[9].as_str() {
            "" => None,
            y => match y.parse::<i32>() {
                Ok(y) => Some(y),
                Err(_) => {
                    errors.push(FieldError::new(format!("line {line}: year"), ErrorCode::ValueOutOfRange));
                    continue;
                }
            },
        };
        let input = DocumentInput {
            kind: c[0].clone(),
            language: c[1].clone(),
            status: opt(&c[2]),
            title: c[3].clone(),
            summary: c[4].clone(),
            body: c[5].clone(),
            area: opt(&c[6]),
            country: opt(&c[7]),
            local_government: opt(&c[8]),
            year,
            source: opt(&c[10]),
            owner_org_id,
            ..Default::default()
        };
        match super::check(&input) {
            Ok(checked) => {
                if let Err(e) = super::may_set_status(scope.actor, checked.status) {
                    errors.push(FieldError::new(format!("line {line}: status"), e.code()));
                }
                inputs.push(input);
            }
            Err(e) => {
                for f in e.field_errors() {
                    errors.push(FieldError::new(format!("line {line}: {}", f.field), f.code));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let tx = crate::db::begin_write(scope.writer()).await?;
    let mut created = Vec::new();
    for input in inputs {
        created.push(super::create_in(&tx, scope, input).await?);
    }
    tx.commit().await?;
    Ok(MetadataReport { created })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_by_script() {
        assert_eq!(detect_language("서울특별시 국제교류"), "ko");
        assert_eq!(detect_language("臺中市政府出席韓國全羅北道會議報告"), "zh-Hant");
        assert_eq!(detect_language("构建中央和地方间对等的合作关系"), "zh-Hans");
        assert_eq!(detect_language("姉妹都市の交流について"), "ja");
        assert_eq!(detect_language("Local Government International Affairs"), "en");
    }

    #[test]
    fn titles_skip_blank_lines() {
        assert_eq!(title_from("\n\n  推进课题 \n•构建", "x"), "推进课题");
        assert_eq!(title_from("\n•\n", "fallback"), "fallback");
    }
}
