//! The desk's figures for its managers: volume by category, holding unit and week; how long
//! requests take from submission to each step (median and 90th percentile, from the
//! timeline, in the business time of the unit holding the request, as its SLA clocks count); SLA compliance per category; satisfaction. And the request list as CSV or XLSX.
//!
//! The figures are computed in Rust from plain rows, so the one query runs on both backends
//! (percentiles have no portable SQL).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Category, Request, RequestFilter, list};
use crate::actor::{Role, Scope};
use crate::entities::{desk_event, desk_request, organization};
use crate::error::{Error, Result};
use crate::ids::OrgId;
use crate::paging::PageRequest;

/// The steps timed from submission, with the timeline event that marks each.
pub const STEPS: &[(&str, &str)] = &[
    ("registered", "register"),
    ("department_assigned", "assign_department"),
    ("staff_assigned", "assign_staff"),
    ("interim", "interim_response"),
    ("answered", "final_response"),
];

/// How long requests took from submission to one step, in business seconds of the unit
/// holding the request (its time zone, working hours and holidays).
#[derive(Clone, Debug, PartialEq)]
pub struct StepTime {
    /// `registered`, `department_assigned`, `staff_assigned`, `interim`, `answered`.
    pub step: &'static str,
    /// Requests that reached the step.
    pub count: u64,
    pub median_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

/// SLA compliance of one category: requests with no breach on their timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Compliance {
    pub category: Category,
    pub total: u64,
    pub without_breach: u64,
}

impl Compliance {
    /// The share without a breach, 0–100 (100 when there is nothing to count).
    pub fn percent(&self) -> f64 {
        if self.total == 0 { 100.0 } else { self.without_breach as f64 * 100.0 / self.total as f64 }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct DeskStats {
    pub total: u64,
    /// Every category, in their order, with its count (zero included).
    pub by_category: Vec<(Category, u64)>,
    /// By holding unit (none: not yet given to a unit), largest first.
    pub by_unit: Vec<(Option<OrgId>, u64)>,
    /// By week of submission (the Monday, in the site's time zone), the last `WEEKS` weeks.
    pub by_week: Vec<(NaiveDate, u64)>,
    pub step_times: Vec<StepTime>,
    pub compliance: Vec<Compliance>,
    pub rating_count: u64,
    pub rating_average: Option<f64>,
    /// How many ratings of each score, 1 to 5.
    pub ratings: [u64; 5],
}

/// Weeks shown in the volume by week.
pub const WEEKS: i64 = 12;

fn require_manager(scope: &Scope<'_>) -> Result<()> {
    scope.actor.require_login()?;
    if scope.actor.has(Role::DeskManager) || scope.actor.has(Role::Administrator) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// The value at the `p`-th percentile (0–100) of sorted values, by the nearest-rank method.
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// The figures over every request (desk managers and administrators).
pub async fn compute(scope: &Scope<'_>, now: DateTime<Utc>) -> Result<DeskStats> {
    require_manager(scope)?;
    let tz: chrono_tz::Tz = scope.config().site.time_zone.parse().unwrap_or(chrono_tz::Asia::Seoul);
    let requests = desk_request::Entity::find().order_by_asc(desk_request::Column::Id).all(scope.db()).await?;
    let kinds: Vec<&str> = STEPS.iter().map(|(_, k)| *k).chain(["sla_breach"]).collect();
    let events = desk_event::Entity::find()
        .filter(desk_event::Column::Kind.is_in(kinds))
        .order_by_asc(desk_event::Column::Id)
        .all(scope.db())
        .await?;
    // The first time each request reached each step, and which requests breached.
    let mut first: BTreeMap<(i64, &str), DateTime<Utc>> = BTreeMap::new();
    let mut breached = std::collections::BTreeSet::new();
    for e in &events {
        if e.kind == "sla_breach" {
            breached.insert(e.request_id);
        } else if let Some((_, k)) = STEPS.iter().find(|(_, k)| *k == e.kind) {
            first.entry((e.request_id, *k)).or_insert(e.at);
        }
    }
    let mut by_category: Vec<(Category, u64)> = Category::ALL.iter().map(|c| (*c, 0)).collect();
    let mut compliance: Vec<Compliance> =
        Category::ALL.iter().map(|c| Compliance { category: *c, total: 0, without_breach: 0 }).collect();
    let mut by_unit: BTreeMap<Option<i64>, u64> = BTreeMap::new();
    let monday = |at: DateTime<Utc>| {
        let d = at.with_timezone(&tz).date_naive();
        d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
    };
    let this_week = monday(now);
    let mut by_week: Vec<(NaiveDate, u64)> = (0..WEEKS).rev().map(|i| (this_week - Duration::weeks(i), 0)).collect();
    let mut durations: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    let mut ratings = [0u64; 5];
    // One calendar per holding unit, read once.
    let mut calendars: BTreeMap<Option<i64>, super::calendar::Calendar> = BTreeMap::new();
    for r in &requests {
        let Ok(cat) = Category::parse(&r.category) else { continue };
        let i = Category::ALL.iter().position(|c| *c == cat).expect("listed");
        by_category[i].1 += 1;
        compliance[i].total += 1;
        if !breached.contains(&r.id) {
            compliance[i].without_breach += 1;
        }
        *by_unit.entry(r.department_id).or_default() += 1;
        if let Some(w) = by_week.iter_mut().find(|(m, _)| *m == monday(r.created_at)) {
            w.1 += 1;
        }
        if !calendars.contains_key(&r.department_id) {
            let cal = super::sla::calendar_of(scope.db(), scope.config(), r.department_id).await?;
            calendars.insert(r.department_id, cal);
        }
        let cal = &calendars[&r.department_id];
        for (_, kind) in STEPS {
            if let Some(at) = first.get(&(r.id, *kind)) {
                durations.entry(kind).or_default().push(cal.between(r.created_at, *at).max(0));
            }
        }
        if let Some(score @ 1..=5) = r.rating {
            ratings[score as usize - 1] += 1;
        }
    }
    let step_times = STEPS
        .iter()
        .map(|(step, kind)| {
            let mut d = durations.remove(kind).unwrap_or_default();
            d.sort_unstable();
            StepTime { step, count: d.len() as u64, median_secs: percentile(&d, 50.0), p90_secs: percentile(&d, 90.0) }
        })
        .collect();
    let rating_count: u64 = ratings.iter().sum();
    let rating_sum: u64 = ratings.iter().enumerate().map(|(i, n)| (i as u64 + 1) * n).sum();
    let mut by_unit: Vec<(Option<OrgId>, u64)> = by_unit.into_iter().map(|(k, n)| (k.map(OrgId), n)).collect();
    by_unit.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(DeskStats {
        total: requests.len() as u64,
        by_category,
        by_unit,
        by_week,
        step_times,
        compliance,
        rating_count,
        rating_average: (rating_count > 0).then(|| rating_sum as f64 / rating_count as f64),
        ratings,
    })
}

/// The columns of the exported request list.
pub const EXPORT_COLUMNS: &[&str] = &[
    "id",
    "reg_no",
    "title",
    "category",
    "priority",
    "state",
    "organization",
    "holding_unit",
    "created_at",
    "registered_at",
    "answered_at",
    "closed_at",
    "due_at",
    "sla_breached",
    "rating",
];

/// A spreadsheet format of the export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// Every request the filter finds (all pages; the actor sees what `list` lets them see), as
/// rows of text in `EXPORT_COLUMNS` order.
pub async fn export_rows(scope: &Scope<'_>, mut filter: RequestFilter) -> Result<Vec<Vec<String>>> {
    let mut items: Vec<Request> = Vec::new();
    let mut page = 1;
    loop {
        filter.page = PageRequest::new(Some(page), Some(crate::paging::MAX_PER_PAGE));
        let p = list(scope, filter.clone()).await?;
        let done = p.page >= p.pages();
        items.extend(p.items);
        if done {
            break;
        }
        page += 1;
    }
    let mut ids: Vec<i64> =
        items.iter().flat_map(|r| [Some(r.org_id.0), r.department_id.map(|d| d.0)]).flatten().collect();
    ids.sort_unstable();
    ids.dedup();
    let names: BTreeMap<i64, String> = organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids))
        .all(scope.db())
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let at =
        |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default();
    Ok(items
        .into_iter()
        .map(|r| {
            vec![
                r.id.0.to_string(),
                r.reg_no.unwrap_or_default(),
                r.title,
                r.category.as_str().into(),
                r.priority.as_str().into(),
                r.state.as_str().into(),
                names.get(&r.org_id.0).cloned().unwrap_or_default(),
                r.department_id.and_then(|d| names.get(&d.0).cloned()).unwrap_or_default(),
                at(Some(r.created_at)),
                at(r.registered_at),
                at(r.answered_at),
                at(r.closed_at),
                at(r.clock.due_at),
                r.clock.breached.to_string(),
                r.rating.map(|n| n.to_string()).unwrap_or_default(),
            ]
        })
        .collect())
}

/// The request list as a CSV (UTF-8 with a byte-order mark, so spreadsheets read Korean) or
/// an XLSX workbook, with a header row of `EXPORT_COLUMNS`.
pub async fn export(scope: &Scope<'_>, filter: RequestFilter, format: Format) -> Result<Vec<u8>> {
    let rows = export_rows(scope, filter).await?;
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
            let err = |e: csv::Error| Error::Internal(e.into());
            w.write_record(EXPORT_COLUMNS).map_err(err)?;
            for r in &rows {
                w.write_record(r).map_err(err)?;
            }
            w.into_inner().map_err(|e| Error::Internal(anyhow::anyhow!("{e}")))
        }
        Format::Xlsx => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let xl = |e: rust_xlsxwriter::XlsxError| Error::Internal(e.into());
            let sheet = book.add_worksheet();
            sheet.set_name("requests").map_err(xl)?;
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (j, h) in EXPORT_COLUMNS.iter().enumerate() {
                sheet.write_string_with_format(0, j as u16, *h, &bold).map_err(xl)?;
            }
            for (i, r) in rows.iter().enumerate() {
                for (j, cell) in r.iter().enumerate() {
                    let (row, col) = (i as u32 + 1, j as u16);
                    // Numbers (id, rating) as numbers, so that a spreadsheet can sum them.
                    match (EXPORT_COLUMNS[j], cell.parse::<f64>()) {
                        ("id" | "rating", Ok(n)) => sheet.write_number(row, col, n).map_err(xl)?,
                        _ => sheet.write_string(row, col, cell).map_err(xl)?,
                    };
                }
            }
            book.save_to_buffer().map_err(xl)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 50.0), Some(5));
        assert_eq!(percentile(&v, 90.0), Some(9));
        assert_eq!(percentile(&[7], 90.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[1, 2, 3, 100], 90.0), Some(100));
    }
}
