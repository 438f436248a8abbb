//! Import and export of relationships in the association's spreadsheet columns (CSV or XLSX):
//! 자치단체코드, 자치단체, 국가, 외국자치단체, 구분, 체결일, 교류분야, 상태 — local government code
//! and name, country, foreign city, kind, date signed, fields, status. English headers
//! (`code, local_government, country, foreign_city, kind, date, fields, status`) are read too.
//!
//! An import checks every row before it writes anything: one bad row and nothing changes, and
//! the report names each bad row and column. An export imports again to the same data.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;

use super::cities::{self, Resolved};
use super::relationships::{self, RelationshipChanges, RelationshipFilter};
use super::{RelationshipId, Status, require_keeper, split_cell};
use crate::actor::Scope;
use crate::audit;
use crate::entities::{organization, registry_relationship};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::gazetteer::Script;
use crate::orgs::OrgKind;
use crate::validate::CountryCode;

/// The columns, in the order exports write them: (Korean header, English header).
pub const COLUMNS: [(&str, &str); 8] = [
    ("자치단체코드", "code"),
    ("자치단체", "local_government"),
    ("국가", "country"),
    ("외국자치단체", "foreign_city"),
    ("구분", "kind"),
    ("체결일", "date"),
    ("교류분야", "fields"),
    ("상태", "status"),
];

/// Other headers seen in the association's files.
const HEADER_ALIASES: &[(&str, usize)] = &[
    ("코드", 0),
    ("membercode", 0),
    ("지자체", 1),
    ("지방자치단체", 1),
    ("member", 1),
    ("localgovernment", 1),
    ("국가명", 2),
    ("외국도시", 3),
    ("교류도시", 3),
    ("city", 3),
    ("foreigncity", 3),
    ("교류형태", 4),
    ("유형", 4),
    ("체결일자", 5),
    ("signedon", 5),
    ("분야", 6),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> std::result::Result<Format, ErrorCode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(ErrorCode::InvalidChoice),
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// One data row of a file, by column; `line` is its row number in the file (the header is 1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileRow {
    pub line: usize,
    pub cells: [String; 8],
}

fn header_index(h: &str) -> Option<usize> {
    let folded: String = crate::text::fold(h).chars().filter(|c| c.is_alphanumeric()).collect();
    for (i, (ko, en)) in COLUMNS.iter().enumerate() {
        if folded == *ko || folded == en.replace('_', "") {
            return Some(i);
        }
    }
    HEADER_ALIASES.iter().find(|(a, _)| folded == *a).map(|(_, i)| *i)
}

fn rows_from_table(table: Vec<Vec<String>>) -> Result<Vec<FileRow>> {
    let mut iter = table.into_iter().enumerate();
    let Some((_, header)) = iter.next() else { return Ok(Vec::new()) };
    let map: Vec<Option<usize>> = header.iter().map(|h| header_index(h)).collect();
    let found: BTreeSet<usize> = map.iter().flatten().copied().collect();
    let mut missing = Vec::new();
    if !found.contains(&0) && !found.contains(&1) {
        missing.push(FieldError::new("header: local_government", ErrorCode::ValueRequired));
    }
    for i in [2, 3, 4] {
        if !found.contains(&i) {
            missing.push(FieldError::new(format!("header: {}", COLUMNS[i].1), ErrorCode::ValueRequired));
        }
    }
    if !missing.is_empty() {
        return Err(Error::Invalid(missing));
    }
    let mut out = Vec::new();
    for (i, cells) in iter {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut row = FileRow { line: i + 1, ..Default::default() };
        for (j, cell) in cells.into_iter().enumerate() {
            if let Some(Some(col)) = map.get(j) {
                row.cells[*col] = cell.trim().to_string();
            }
        }
        out.push(row);
    }
    Ok(out)
}

/// Reads the rows of a CSV (UTF-8, with or without BOM) or XLSX file (its first sheet).
pub fn parse(format: Format, bytes: &[u8]) -> Result<Vec<FileRow>> {
    let table = match format {
        Format::Csv => {
            let text = std::str::from_utf8(bytes).map_err(|_| Error::field("file", ErrorCode::InvalidFile))?;
            let text = text.trim_start_matches('\u{feff}');
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            let mut table = Vec::new();
            for rec in reader.records() {
                let rec = rec.map_err(|_| Error::field(format!("line {}", table.len() + 1), ErrorCode::InvalidFile))?;
                table.push(rec.iter().map(str::to_string).collect());
            }
            table
        }
        Format::Xlsx => xlsx_table(bytes)?,
    };
    rows_from_table(table)
}

pub(crate) fn xlsx_table(bytes: &[u8]) -> Result<Vec<Vec<String>>> {
    use calamine::{Data, Reader};
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|_| Error::field("file", ErrorCode::InvalidFile))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| Error::field("file", ErrorCode::InvalidFile))?
        .map_err(|_| Error::field("file", ErrorCode::InvalidFile))?;
    let mut table = Vec::new();
    for row in range.rows() {
        table.push(
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Int(i) => i.to_string(),
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    Data::Float(f) => f.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::DateTime(d) => excel_date(d.as_f64()),
                    Data::DateTimeIso(s) => s.chars().take(10).collect(),
                    Data::DurationIso(s) => s.clone(),
                    Data::Error(_) => String::new(),
                })
                .collect(),
        );
    }
    Ok(table)
}

/// An Excel serial date as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid");
    (base + chrono::Days::new(serial.max(0.0) as u64)).format("%Y-%m-%d").to_string()
}

/// Korean and English country names seen in the association's files, beside ISO codes.
const COUNTRY_NAMES: &[(&str, &str)] = &[
    ("대한민국", "KR"),
    ("한국", "KR"),
    ("일본", "JP"),
    ("중국", "CN"),
    ("대만", "TW"),
    ("미국", "US"),
    ("캐나다", "CA"),
    ("러시아", "RU"),
    ("베트남", "VN"),
    ("필리핀", "PH"),
    ("몽골", "MN"),
    ("호주", "AU"),
    ("뉴질랜드", "NZ"),
    ("인도네시아", "ID"),
    ("태국", "TH"),
    ("말레이시아", "MY"),
    ("인도", "IN"),
    ("프랑스", "FR"),
    ("독일", "DE"),
    ("영국", "GB"),
    ("이탈리아", "IT"),
    ("스페인", "ES"),
    ("브라질", "BR"),
    ("멕시코", "MX"),
    ("우즈베키스탄", "UZ"),
    ("카자흐스탄", "KZ"),
    ("캄보디아", "KH"),
    ("터키", "TR"),
    ("튀르키예", "TR"),
    ("japan", "JP"),
    ("china", "CN"),
    ("taiwan", "TW"),
    ("unitedstates", "US"),
    ("usa", "US"),
    ("korea", "KR"),
    ("russia", "RU"),
    ("vietnam", "VN"),
    ("france", "FR"),
    ("germany", "DE"),
];

pub fn parse_country(s: &str) -> std::result::Result<String, ErrorCode> {
    let folded: String = crate::text::fold(s).chars().filter(|c| c.is_alphanumeric()).collect();
    if let Some((_, code)) = COUNTRY_NAMES.iter().find(|(n, _)| *n == folded) {
        return Ok((*code).to_string());
    }
    CountryCode::parse(s).map(|c| c.as_str().to_string())
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// A row checked and resolved, ready to write.
struct Planned {
    member_org_id: i64,
    partner: Partner,
    changes: RelationshipChanges,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Partner {
    City(i64),
    /// A gazetteer place to register, with the file's Korean spelling if it gave one.
    Place(i64, Option<String>),
    Member(i64),
}

/// Member local governments by code and by folded name (a name two share is ambiguous).
struct Members {
    by_code: BTreeMap<String, i64>,
    by_name: BTreeMap<String, Vec<i64>>,
}

async fn members(conn: &impl ConnectionTrait) -> Result<Members> {
    let rows = organization::Entity::find()
        .filter(organization::Column::Kind.eq(OrgKind::MemberLocalGovernment.as_str()))
        .all(conn)
        .await?;
    let mut m = Members { by_code: BTreeMap::new(), by_name: BTreeMap::new() };
    for o in rows {
        if let Some(c) = &o.code {
            m.by_code.insert(c.clone(), o.id);
        }
        for n in [&o.name, &o.name_en] {
            if !n.is_empty() {
                let ids = m.by_name.entry(crate::text::search_fold(n)).or_default();
                if !ids.contains(&o.id) {
                    ids.push(o.id);
                }
            }
        }
    }
    Ok(m)
}

impl Members {
    fn find(&self, code: &str, name: &str) -> std::result::Result<i64, ErrorCode> {
        if !code.is_empty() {
            return self.by_code.get(code).copied().ok_or(ErrorCode::UnknownOrganization);
        }
        match self.by_name.get(&crate::text::search_fold(name)).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some([_, _, ..]) => Err(ErrorCode::AmbiguousName),
            _ if name.is_empty() => Err(ErrorCode::ValueRequired),
            _ => Err(ErrorCode::UnknownOrganization),
        }
    }
}

/// Imports relationships (staff). A row whose member and partner already have a relationship
/// updates its kind, date, fields and status; other rows create relationships. All rows are
/// checked first; any bad row and nothing is written.
pub async fn import(scope: &Scope<'_>, format: Format, bytes: &[u8]) -> Result<ImportReport> {
    require_keeper(scope.actor)?;
    let rows = parse(format, bytes)?;
    let home = scope.config().site.country.clone();
    let tx = crate::db::begin_write(scope.writer()).await?;
    let members = members(&tx).await?;
    let mut errors = Vec::new();
    let mut planned = Vec::new();
    let mut seen: BTreeMap<(i64, Partner), usize> = BTreeMap::new();
    for row in &rows {
        let [code, name, country, city, kind, date, fields, status] = &row.cells;
        let mut err =
            |col: &str, code: ErrorCode| errors.push(FieldError::new(format!("row {}: {col}", row.line), code));
        let member = members.find(code, name);
        if let Err(c) = member {
            err(if code.is_empty() { "local_government" } else { "code" }, c);
        }
        let country = match parse_country(country) {
            Ok(c) => Some(c),
            Err(c) => {
                err("country", if country.is_empty() { ErrorCode::ValueRequired } else { c });
                None
            }
        };
        let partner = match (&country, city.is_empty()) {
            (_, true) => {
                err("foreign_city", ErrorCode::ValueRequired);
                None
            }
            (None, false) => None,
            (Some(c), false) if *c == home => match members.find("", city) {
                Ok(id) => Some(Partner::Member(id)),
                Err(code) => {
                    err("foreign_city", code);
                    None
                }
            },
            (Some(c), false) => match cities::resolve(&tx, city, c, &home).await {
                Ok(Resolved::City(id)) => Some(Partner::City(id.0)),
                Ok(Resolved::Place(p)) => {
                    let ko = (Script::of(city) == Some(Script::Hangul)).then(|| city.clone());
                    Some(Partner::Place(p, ko))
                }
                Err(code) => {
                    err("foreign_city", code);
                    None
                }
            },
        };
        if let Err(c) = super::RelationshipKind::parse(kind) {
            err("kind", if kind.is_empty() { ErrorCode::ValueRequired } else { c });
        }
        if !date.is_empty() {
            if let Err(c) = super::parse_date(date) {
                err("date", c);
            }
        }
        let field_list = split_cell(fields);
        if let Err(c) = super::parse_fields(&field_list) {
            err("fields", c);
        }
        if !status.is_empty() {
            if let Err(c) = Status::parse(status) {
                err("status", c);
            }
        }
        if let (Ok(m), Some(p)) = (member, partner) {
            let key = match &p {
                Partner::Place(id, _) => (m, Partner::Place(*id, None)),
                other => (m, other.clone()),
            };
            if let Some(first) = seen.get(&key) {
                let _ = first;
                err("foreign_city", ErrorCode::DuplicateRow);
            } else {
                seen.insert(key, row.line);
            }
            planned.push(Planned {
                member_org_id: m,
                partner: p,
                changes: RelationshipChanges {
                    kind: Some(kind.clone()),
                    signed_on: Some(date.clone()),
                    fields: Some(field_list),
                    status: (!status.is_empty()).then(|| status.clone()),
                    ..Default::default()
                },
            });
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let mut report = ImportReport { rows: rows.len(), ..Default::default() };
    for p in planned {
        let (city_id, partner_org_id) = match p.partner {
            Partner::City(c) => (Some(c), None),
            Partner::Place(place, ko) => (Some(cities::register_place(&tx, place, ko.as_deref()).await?.0), None),
            Partner::Member(m) => (None, Some(m)),
        };
        let mut q = registry_relationship::Entity::find()
            .filter(registry_relationship::Column::MemberOrgId.eq(p.member_org_id));
        q = match (city_id, partner_org_id) {
            (Some(c), _) => q.filter(registry_relationship::Column::CityId.eq(c)),
            (_, Some(m)) => q.filter(registry_relationship::Column::PartnerOrgId.eq(m)),
            _ => unreachable!("a partner"),
        };
        match q.one(&tx).await? {
            Some(existing) => {
                let before = relationships::hydrate(&tx, vec![existing], scope.config().registry.dormant_after_years)
                    .await?
                    .pop()
                    .ok_or(Error::NotFound)?;
                let candidate = relationships::validate(&tx, scope, Some(&before), p.changes).await?;
                let same = candidate.kind == before.kind
                    && candidate.signed_on == before.signed_on
                    && candidate.fields == before.fields
                    && candidate.status == before.status;
                if same {
                    report.unchanged += 1;
                    continue;
                }
                report.updated += 1;
                relationships::write(&tx, Some(&before), candidate).await?;
                audit::record(
                    &tx,
                    scope,
                    audit::Entry {
                        action: "registry_relationship.update",
                        subject_type: "registry_relationship",
                        subject_id: Some(before.id.to_string()),
                        org_id: Some(p.member_org_id),
                        details: json!({"import": true}),
                    },
                )
                .await?;
            }
            None => {
                let changes =
                    RelationshipChanges { member_org_id: Some(p.member_org_id), city_id, partner_org_id, ..p.changes };
                let candidate = relationships::validate(&tx, scope, None, changes).await?;
                let id: RelationshipId = relationships::write(&tx, None, candidate).await?;
                report.created += 1;
                audit::record(
                    &tx,
                    scope,
                    audit::Entry {
                        action: "registry_relationship.create",
                        subject_type: "registry_relationship",
                        subject_id: Some(id.to_string()),
                        org_id: Some(p.member_org_id),
                        details: json!({"import": true}),
                    },
                )
                .await?;
            }
        }
    }
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "registry_relationship.import",
            subject_type: "registry_relationship",
            subject_id: None,
            org_id: None,
            details: json!(report),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// The rows an export writes, header first.
pub async fn export_table(scope: &Scope<'_>, filter: &RelationshipFilter) -> Result<Vec<[String; 8]>> {
    let home = scope.config().site.country.clone();
    let items = relationships::all(scope, filter).await?;
    let mut out = vec![COLUMNS.map(|(ko, _)| ko.to_string())];
    for r in items {
        let partner = match (&r.city, &r.partner_member) {
            (Some(c), _) => c.file_name().to_string(),
            (None, Some(m)) => m.name.clone(),
            _ => String::new(),
        };
        out.push([
            r.member.code.clone().unwrap_or_default(),
            r.member.name.clone(),
            r.country(&home),
            partner,
            r.kind.label_ko().to_string(),
            r.signed_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            r.fields.iter().map(|f| f.label_ko()).collect::<Vec<_>>().join(", "),
            r.status.label_ko().to_string(),
        ]);
    }
    Ok(out)
}

/// The relationships the actor may see, as a file.
pub async fn export(scope: &Scope<'_>, filter: &RelationshipFilter, format: Format) -> Result<Vec<u8>> {
    let table = export_table(scope, filter).await?;
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            for row in &table {
                w.write_record(row).map_err(|e| Error::Internal(e.into()))?;
            }
            w.into_inner().map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))
        }
        Format::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            let xl = |e: rust_xlsxwriter::XlsxError| Error::Internal(e.into());
            sheet.set_name("교류현황").map_err(xl)?;
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (i, row) in table.iter().enumerate() {
                for (j, cell) in row.iter().enumerate() {
                    if i == 0 {
                        sheet.write_string_with_format(i as u32, j as u16, cell, &bold).map_err(xl)?;
                    } else {
                        sheet.write_string(i as u32, j as u16, cell).map_err(xl)?;
                    }
                }
            }
            for (j, width) in [14, 24, 6, 22, 10, 12, 30, 8].iter().enumerate() {
                sheet.set_column_width(j as u16, *width).map_err(xl)?;
            }
            sheet.set_freeze_panes(1, 0).map_err(xl)?;
            book.save_to_buffer().map_err(xl)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_korean_or_english() {
        let rows = parse(
            Format::Csv,
            "\u{feff}자치단체,국가,외국자치단체,구분,체결일,교류분야,상태\n서울특별시,JP,東京,자매결연,1988-09-03,\"행정, 문화·예술\",활동\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].cells[1], "서울특별시");
        assert_eq!(rows[0].cells[3], "東京");
        assert_eq!(rows[0].cells[6], "행정, 문화·예술");
        let rows = parse(Format::Csv, b"Local government,Country,Foreign city,Kind\nx,JP,y,sister\n").unwrap();
        assert_eq!(rows[0].cells[2], "JP");
        let err = parse(Format::Csv, b"name,country\nx,JP\n").unwrap_err();
        assert_eq!(err.field_errors().len(), 3);
        assert_eq!(parse_country("일본"), Ok("JP".into()));
        assert_eq!(parse_country("tw"), Ok("TW".into()));
        assert_eq!(excel_date(45658.0), "2025-01-01");
    }
}
