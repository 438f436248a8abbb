//! Service-level clocks. Each step of a request has a target in business hours (by category
//! and priority), counted in the calendar of the unit that holds the request: its time zone,
//! working hours and holidays. A clock pauses while the request is on hold and resumes with
//! the business time it had left. A sweep, run as a background job, records a warning at
//! 80 % of a step's time and a breach at 100 %, as events of the timeline.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;

use super::calendar::{self, Calendar};
use super::workflow::State;
use super::{Category, Priority};
use crate::entities::{desk_holiday, desk_request, organization};
use crate::error::Result;

/// The step a clock times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Register,
    AssignDepartment,
    AssignStaff,
    Interim,
    Final,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Register => "register",
            Stage::AssignDepartment => "assign_department",
            Stage::AssignStaff => "assign_staff",
            Stage::Interim => "interim",
            Stage::Final => "final",
        }
    }
}

const HOUR: i64 = 3600;

/// The business time a step is given, by category and priority.
pub fn target_secs(stage: Stage, category: Category, priority: Priority) -> i64 {
    let normal = match stage {
        Stage::Register => 2 * HOUR,
        Stage::AssignDepartment => 4 * HOUR,
        Stage::AssignStaff => 4 * HOUR,
        Stage::Interim => 16 * HOUR,
        Stage::Final => match category {
            Category::InterpretationTranslation => 40 * HOUR,
            Category::InternationalExchange => 80 * HOUR,
            Category::OverseasVisit => 80 * HOUR,
            Category::InformationRequest => 40 * HOUR,
            Category::GeneralInquiry => 16 * HOUR,
        },
    };
    match priority {
        Priority::Urgent => normal / 4,
        Priority::High => normal / 2,
        Priority::Normal => normal,
        Priority::Low => normal * 2,
    }
}

/// The calendar of the unit holding a request (the secretariat's until a unit is assigned):
/// its time zone, and the built-in holidays of its country plus those imported for its country
/// or for the unit itself.
pub async fn calendar_of(conn: &impl ConnectionTrait, config: &crate::Config, holder: Option<i64>) -> Result<Calendar> {
    let org = match holder {
        Some(id) => organization::Entity::find_by_id(id).one(conn).await?,
        None => None,
    };
    let tz_name = org.as_ref().and_then(|o| o.time_zone.clone()).unwrap_or_else(|| config.site.time_zone.clone());
    let tz: chrono_tz::Tz = tz_name.parse().unwrap_or(chrono_tz::Asia::Seoul);
    let country = org.as_ref().and_then(|o| o.country.clone()).unwrap_or_else(|| config.site.country.clone());
    let mut names = vec![country.clone()];
    names.extend(org.as_ref().and_then(|o| o.code.clone()));
    let imported = desk_holiday::Entity::find()
        .filter(desk_holiday::Column::Calendar.is_in(names))
        .select_only()
        .column(desk_holiday::Column::Day)
        .into_tuple::<String>()
        .all(conn)
        .await?;
    let holidays = calendar::builtin_holidays(&country).chain(imported.iter().filter_map(|d| d.parse().ok()));
    Ok(Calendar::office(tz, holidays))
}

/// Starts a clock for `stage` at `now`; `cap` ends it sooner (a due date the requester gave).
fn start(row: &mut desk_request::Model, cal: &Calendar, stage: Stage, now: DateTime<Utc>, cap: Option<DateTime<Utc>>) {
    let category = Category::parse(&row.category).unwrap_or(Category::GeneralInquiry);
    let priority = Priority::parse(&row.priority).unwrap_or(Priority::Normal);
    let mut due = cal.add(now, target_secs(stage, category, priority));
    if let Some(c) = cap {
        due = due.min(c.max(now));
    }
    set_clock(row, cal, stage, now, due);
}

fn set_clock(row: &mut desk_request::Model, cal: &Calendar, stage: Stage, now: DateTime<Utc>, due: DateTime<Utc>) {
    let budget = cal.between(now, due).max(0);
    row.sla_stage = Some(stage.as_str().into());
    row.sla_started_at = Some(now);
    row.sla_budget_secs = Some(budget);
    row.warn_at = Some(cal.add(now, budget * 4 / 5));
    row.due_at = Some(due);
    row.sla_warned = false;
    row.sla_breached = false;
}

fn stop(row: &mut desk_request::Model) {
    row.sla_stage = None;
    row.warn_at = None;
    row.due_at = None;
    row.sla_budget_secs = None;
    row.sla_remaining_secs = None;
    row.sla_final_remaining_secs = None;
}

/// The final-response deadline from `from`: the category's target, or the end of the day the
/// requester needs the answer by, when sooner.
fn final_due(row: &desk_request::Model, cal: &Calendar, from: DateTime<Utc>) -> DateTime<Utc> {
    let category = Category::parse(&row.category).unwrap_or(Category::GeneralInquiry);
    let priority = Priority::parse(&row.priority).unwrap_or(Priority::Normal);
    let due = cal.add(from, target_secs(Stage::Final, category, priority));
    let needed_by = super::decode_fields(category, &row.fields).ok().and_then(|f| f.needed_by());
    match needed_by {
        Some(day) => due.min(cal.end_of(day).max(from)),
        None => due,
    }
}

/// Sets the clocks of `after`, which moved from `from` to its new state at `now`. `old_cal` is
/// the calendar of the unit that held it before, `cal` of the unit holding it now.
pub fn on_change(
    before: &desk_request::Model,
    after: &mut desk_request::Model,
    from: Option<State>,
    old_cal: &Calendar,
    cal: &Calendar,
    now: DateTime<Utc>,
) {
    let to = State::parse(&after.state).unwrap_or(State::Submitted);
    match to {
        State::Submitted => start(after, cal, Stage::Register, now, None),
        State::Registered | State::DepartmentAssigned if from == Some(State::OnHold) => resume(after, cal, now),
        State::Registered => {
            after.final_due_at = Some(final_due(after, cal, now));
            start(after, cal, Stage::AssignDepartment, now, after.final_due_at);
        }
        State::DepartmentAssigned => {
            // A new holder counts the final clock's remaining business time in its own hours.
            if before.department_id != after.department_id {
                if let Some(fd) = before.final_due_at {
                    let left = old_cal.between(now, fd);
                    if left > 0 {
                        after.final_due_at = Some(cal.add(now, left));
                    }
                }
            }
            start(after, cal, Stage::AssignStaff, now, after.final_due_at);
        }
        State::StaffAssigned if from == Some(State::StaffAssigned) => {}
        State::StaffAssigned if from == Some(State::OnHold) => resume(after, cal, now),
        State::StaffAssigned if matches!(from, Some(State::Answered | State::Closed)) => {
            // Reopened: a fresh final clock.
            after.final_due_at = Some(final_due(after, cal, now));
            let due = after.final_due_at.unwrap_or(now);
            set_clock(after, cal, Stage::Final, now, due);
        }
        State::StaffAssigned => {
            let final_due_at = after.final_due_at.unwrap_or_else(|| final_due(after, cal, now));
            let category = Category::parse(&after.category).unwrap_or(Category::GeneralInquiry);
            let priority = Priority::parse(&after.priority).unwrap_or(Priority::Normal);
            let registered = after.registered_at.unwrap_or(now);
            let interim_due = cal.add(registered, target_secs(Stage::Interim, category, priority));
            if interim_due < final_due_at {
                set_clock(after, cal, Stage::Interim, now, interim_due.max(now));
            } else {
                set_clock(after, cal, Stage::Final, now, final_due_at);
            }
        }
        State::InterimResponded if from == Some(State::OnHold) => resume(after, cal, now),
        State::InterimResponded if from == Some(State::InterimResponded) => {}
        State::InterimResponded => {
            let due = after.final_due_at.unwrap_or_else(|| final_due(after, cal, now));
            if after.sla_stage.as_deref() != Some(Stage::Final.as_str()) {
                set_clock(after, cal, Stage::Final, now, due);
            }
        }
        State::OnHold => {
            // Paused: keep what is left, in business time; lists show no deadline meanwhile.
            after.sla_remaining_secs = after.due_at.map(|d| cal.between(now, d).max(0));
            after.sla_final_remaining_secs = after.final_due_at.map(|d| cal.between(now, d).max(0));
            after.warn_at = None;
            after.due_at = None;
        }
        State::Answered | State::Closed | State::Withdrawn => stop(after),
    }
}

fn resume(row: &mut desk_request::Model, cal: &Calendar, now: DateTime<Utc>) {
    let left = row.sla_remaining_secs.take().unwrap_or(0);
    if let Some(final_left) = row.sla_final_remaining_secs.take() {
        row.final_due_at = Some(cal.add(now, final_left));
    }
    let budget = row.sla_budget_secs.unwrap_or(left);
    let warn_left = (left - budget / 5).max(0);
    row.due_at = Some(cal.add(now, left));
    row.warn_at = Some(cal.add(now, warn_left));
}

/// What one sweep did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub warned: Vec<i64>,
    pub breached: Vec<i64>,
    pub closed: Vec<i64>,
}

/// Records 80 % warnings and breaches of open requests' clocks, and closes requests answered
/// more than `auto_close_days` ago. Safe to run twice: each flag is set by a conditional update.
pub async fn sweep(core: &crate::Core, now: DateTime<Utc>) -> Result<SweepReport> {
    let actor = crate::Actor::System("desk-sla");
    let origin = crate::Origin::default();
    let scope = core.scope(&actor, &origin);
    let mut report = SweepReport::default();
    let running = || {
        desk_request::Column::State.is_in(
            [
                State::Submitted,
                State::Registered,
                State::DepartmentAssigned,
                State::StaffAssigned,
                State::InterimResponded,
            ]
            .map(|s| s.as_str()),
        )
    };
    for (flag, col, list) in [
        ("sla_warning", desk_request::Column::WarnAt, &mut report.warned),
        ("sla_breach", desk_request::Column::DueAt, &mut report.breached),
    ] {
        let flag_col =
            if flag == "sla_warning" { desk_request::Column::SlaWarned } else { desk_request::Column::SlaBreached };
        let rows = desk_request::Entity::find()
            .filter(running())
            .filter(flag_col.eq(false))
            .filter(col.lte(now))
            .limit(500)
            .all(&core.db)
            .await?;
        for row in rows {
            let tx = crate::db::begin_write(&core.writer).await?;
            let mut update = desk_request::Entity::update_many()
                .col_expr(flag_col, true.into())
                .filter(desk_request::Column::Id.eq(row.id))
                .filter(desk_request::Column::Version.eq(row.version))
                .filter(flag_col.eq(false));
            if flag == "sla_breach" {
                // A breach is also past the warning.
                update = update.col_expr(desk_request::Column::SlaWarned, true.into());
            }
            if update.exec(&tx).await?.rows_affected == 1 {
                let details = json!({"stage": row.sla_stage, "due_at": row.due_at, "assignee_id": row.assignee_id,
                                     "department_id": row.department_id});
                super::record_event(&tx, &scope, super::RequestId(row.id), flag, None, None, None, true, details)
                    .await?;
                // The holder and the managers of the holding unit hear of it.
                let mut told = row.assignee_id.into_iter().collect::<Vec<_>>();
                if let Some(unit) = row.department_id {
                    told.extend(crate::mail::managers_of(&tx, unit).await?);
                }
                told.sort_unstable();
                told.dedup();
                let about = crate::mail::About { request_id: row.id, reg_no: row.reg_no.as_deref(), title: &row.title };
                let stage = row.sla_stage.clone().unwrap_or_default();
                for user in told {
                    let notice = if flag == "sla_warning" {
                        crate::mail::Notice::SlaWarning(&stage)
                    } else {
                        crate::mail::Notice::SlaBreach(&stage)
                    };
                    crate::mail::notify(&tx, &core.config, user, about, notice).await?;
                }
                list.push(row.id);
            }
            tx.commit().await?;
        }
    }
    let cutoff = now - Duration::days(i64::from(core.config.desk.auto_close_days));
    let answered = desk_request::Entity::find()
        .filter(desk_request::Column::State.eq(State::Answered.as_str()))
        .filter(desk_request::Column::AnsweredAt.lte(cutoff))
        .limit(500)
        .all(&core.db)
        .await?;
    for row in answered {
        let input =
            super::ActionInput { version: Some(row.version), reason: Some("auto_close".into()), ..Default::default() };
        match super::act(&scope, super::RequestId(row.id), super::Transition::Close, input).await {
            Ok(_) => report.closed.push(row.id),
            // Someone acted on it meanwhile: the next sweep looks again.
            Err(crate::Error::Refused(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}
