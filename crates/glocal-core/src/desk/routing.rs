//! Where a request goes and who takes it.
//!
//! **Rules** (edited by administrators) match a request's category, country concerned and
//! language; the first active rule by position names a department or overseas office. When
//! that unit is closed at the moment and the rule allows **follow-the-sun**, the request goes
//! instead to a unit that is open now and has someone on duty with the skill. **Auto-assignment**
//! then picks, in the chosen unit, the staff member on duty now (in their own time zone, not on
//! leave) who has the skill (the request's language; its country preferred) and the least open
//! load. Each step is recorded like a person's, with the system as actor and the reason.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::calendar::{self, Calendar};
use super::{ActionInput, Category, Request, RequestId, State, Transition};
use crate::actor::{Role, Roles, Scope};
use crate::audit;
use crate::entities::{desk_leave, desk_request, desk_routing_rule, organization, user};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::ids::{OrgId, UserId};
use crate::orgs::OrgKind;
use crate::validate::{Checks, CountryCode, LanguageCode};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rule {
    pub id: i64,
    pub position: i32,
    pub category: Option<Category>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub target_id: OrgId,
    pub follow_the_sun: bool,
    pub active: bool,
}

impl Rule {
    fn from_row(r: desk_routing_rule::Model) -> Rule {
        Rule {
            id: r.id,
            position: r.position,
            category: r.category.as_deref().and_then(|c| Category::parse(c).ok()),
            country: r.country,
            language: r.language,
            target_id: OrgId(r.target_id),
            follow_the_sun: r.follow_the_sun,
            active: r.active,
        }
    }

    fn matches(&self, category: Category, country: Option<&str>, language: &str) -> bool {
        self.active
            && self.category.is_none_or(|c| c == category)
            && self.country.as_deref().is_none_or(|c| country == Some(c))
            && self.language.as_deref().is_none_or(|l| l == language)
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct NewRule {
    pub position: Option<i32>,
    pub category: Option<String>,
    pub country: Option<String>,
    pub language: Option<String>,
    pub target_id: i64,
    #[serde(default)]
    pub follow_the_sun: bool,
}

/// The rules in the order they are tried. Desk staff and administrators.
pub async fn rules(scope: &Scope<'_>) -> Result<Vec<Rule>> {
    if !super::is_desk_staff(scope.actor) {
        scope.actor.require_login()?;
        return Err(Error::Forbidden);
    }
    load_rules(scope.db()).await
}

async fn load_rules(conn: &impl ConnectionTrait) -> Result<Vec<Rule>> {
    let rows = desk_routing_rule::Entity::find()
        .order_by_asc(desk_routing_rule::Column::Position)
        .order_by_asc(desk_routing_rule::Column::Id)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(Rule::from_row).collect())
}

/// Adds a rule (administrators).
pub async fn create_rule(scope: &Scope<'_>, input: NewRule) -> Result<Rule> {
    scope.actor.require(Role::Administrator)?;
    let mut checks = Checks::new();
    let opt = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let category = match opt(&input.category) {
        Some(c) => checks.field("category", Category::parse(&c)).map(|c| c.as_str().to_string()),
        None => None,
    };
    let country = match opt(&input.country) {
        Some(c) => checks.field("country", CountryCode::parse(&c)).map(|c| c.as_str().to_string()),
        None => None,
    };
    let language = match opt(&input.language) {
        Some(l) => checks.field("language", LanguageCode::parse(&l)).map(|l| l.as_str().to_string()),
        None => None,
    };
    let target = organization::Entity::find_by_id(input.target_id).one(scope.db()).await?;
    if !target.is_some_and(|o| OrgKind::parse(&o.kind).is_ok_and(|k| k.is_association_unit())) {
        checks.push(FieldError::new("target_id", ErrorCode::UnknownDepartment));
    }
    checks.finish()?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let position = match input.position {
        Some(p) => p,
        None => desk_routing_rule::Entity::find().count(&tx).await? as i32 + 1,
    };
    let row = desk_routing_rule::ActiveModel {
        id: NotSet,
        position: Set(position),
        category: Set(category),
        country: Set(country),
        language: Set(language),
        target_id: Set(input.target_id),
        follow_the_sun: Set(input.follow_the_sun),
        active: Set(true),
        created_at: Set(crate::db::now()),
    }
    .insert(&tx)
    .await?;
    let rule = Rule::from_row(row);
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "desk_routing_rule.create",
            subject_type: "desk_routing_rule",
            subject_id: Some(rule.id.to_string()),
            org_id: Some(rule.target_id.0),
            details: serde_json::to_value(&rule).map_err(anyhow::Error::from)?,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(rule)
}

/// Removes a rule (administrators).
pub async fn delete_rule(scope: &Scope<'_>, id: i64) -> Result<()> {
    scope.actor.require(Role::Administrator)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let row = desk_routing_rule::Entity::find_by_id(id).one(&tx).await?.ok_or(Error::NotFound)?;
    desk_routing_rule::Entity::delete_by_id(id).exec(&tx).await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "desk_routing_rule.delete",
            subject_type: "desk_routing_rule",
            subject_id: Some(id.to_string()),
            org_id: Some(row.target_id),
            details: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A staff member who could take a request, as routing sees them.
#[derive(Clone, Debug)]
struct Candidate {
    id: UserId,
    org_id: i64,
    languages: Vec<String>,
    countries: Vec<String>,
    load: u64,
}

/// Desk staff of `unit` on duty at `at`: working hours in their own time zone, not on a public
/// holiday of their unit's country, not on leave.
async fn on_duty(conn: &impl ConnectionTrait, unit: i64, at: DateTime<Utc>) -> Result<Vec<Candidate>> {
    let country = organization::Entity::find_by_id(unit).one(conn).await?.and_then(|o| o.country).unwrap_or_default();
    let users = user::Entity::find()
        .filter(user::Column::OrgId.eq(unit))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Id)
        .all(conn)
        .await?;
    let mut out = Vec::new();
    for u in users {
        if !Roles::from_bits(u.roles).contains(Role::DeskStaff) {
            continue;
        }
        let Ok(tz) = u.time_zone.parse::<chrono_tz::Tz>() else { continue };
        let cal = Calendar::office(tz, calendar::builtin_holidays(&country));
        if !cal.is_open(at) {
            continue;
        }
        let today = at.with_timezone(&tz).date_naive().to_string();
        let away = desk_leave::Entity::find()
            .filter(desk_leave::Column::UserId.eq(u.id))
            .filter(desk_leave::Column::FirstDay.lte(today.clone()))
            .filter(desk_leave::Column::LastDay.gte(today))
            .count(conn)
            .await?
            > 0;
        if away {
            continue;
        }
        let load = desk_request::Entity::find()
            .filter(desk_request::Column::AssigneeId.eq(u.id))
            .filter(
                desk_request::Column::State
                    .is_in([State::StaffAssigned, State::InterimResponded, State::OnHold].map(|s| s.as_str())),
            )
            .count(conn)
            .await?;
        out.push(Candidate {
            id: UserId(u.id),
            org_id: u.org_id,
            languages: serde_json::from_str(&u.languages).unwrap_or_default(),
            countries: serde_json::from_str(&u.countries).unwrap_or_default(),
            load,
        });
    }
    Ok(out)
}

/// Of the candidates with the skill (the language), the one with the country first, then the
/// least load, then the longest-standing account.
fn best(candidates: &[Candidate], language: &str, country: Option<&str>) -> Option<Candidate> {
    candidates
        .iter()
        .filter(|c| c.languages.iter().any(|l| l == language))
        .min_by_key(|c| (!country.is_some_and(|k| c.countries.iter().any(|x| x == k)), c.load, c.id))
        .cloned()
}

/// What routing decided, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    pub rule_id: i64,
    pub unit: OrgId,
    pub assignee: Option<UserId>,
    /// `rule`, or `follow_the_sun` when the rule's unit was closed.
    pub reason: String,
}

/// Decides, at `at`, where a request goes and who takes it; `None` when no rule matches.
pub async fn decide(
    conn: &impl ConnectionTrait,
    config: &crate::Config,
    request: &Request,
    at: DateTime<Utc>,
) -> Result<Option<Decision>> {
    let rules = load_rules(conn).await?;
    let Some(rule) = rules.iter().find(|r| r.matches(request.category, request.country.as_deref(), &request.language))
    else {
        return Ok(None);
    };
    let target_cal = super::sla::calendar_of(conn, config, Some(rule.target_id.0)).await?;
    let (lang, country) = (request.language.as_str(), request.country.as_deref());
    if target_cal.is_open(at) || !rule.follow_the_sun {
        let staff = on_duty(conn, rule.target_id.0, at).await?;
        let assignee = best(&staff, lang, country).map(|c| c.id);
        return Ok(Some(Decision { rule_id: rule.id, unit: rule.target_id, assignee, reason: "rule".into() }));
    }
    // Follow the sun: units open now with someone on duty who has the skill; the least loaded
    // such person decides the unit.
    let units = organization::Entity::find()
        .filter(
            organization::Column::Kind
                .is_in([OrgKind::AssociationDepartment.as_str(), OrgKind::OverseasOffice.as_str()]),
        )
        .filter(organization::Column::Active.eq(true))
        .order_by_asc(organization::Column::Id)
        .all(conn)
        .await?;
    let mut pool = Vec::new();
    for unit in units {
        if unit.id == rule.target_id.0 {
            continue;
        }
        let cal = super::sla::calendar_of(conn, config, Some(unit.id)).await?;
        if cal.is_open(at) {
            pool.extend(on_duty(conn, unit.id, at).await?);
        }
    }
    match best(&pool, lang, country) {
        Some(c) => Ok(Some(Decision {
            rule_id: rule.id,
            unit: OrgId(c.org_id),
            assignee: Some(c.id),
            reason: "follow_the_sun".into(),
        })),
        // Nobody open has the skill: the rule's unit keeps it for when it opens.
        None => Ok(Some(Decision { rule_id: rule.id, unit: rule.target_id, assignee: None, reason: "rule".into() })),
    }
}

/// Registers and routes a submitted request as the system, at `at`: registration, the unit
/// and (when someone fits) the staff member, each recorded as its own step with the reason.
/// Does nothing when no rule matches or the request is past `submitted`.
pub async fn route(scope: &Scope<'_>, id: RequestId, at: DateTime<Utc>) -> Result<Option<Decision>> {
    let request = super::get(scope, id).await?;
    if request.state != State::Submitted {
        return Ok(None);
    }
    let Some(decision) = decide(scope.db(), scope.config(), &request, at).await? else { return Ok(None) };
    let tx = crate::db::begin_write(scope.writer()).await?;
    route_in(&tx, scope, id, &decision).await?;
    tx.commit().await?;
    Ok(Some(decision))
}

/// Applies `decision` to a submitted request inside the caller's transaction, as the system:
/// registration, the unit and the staff member, each its own step. Returns the request as
/// it ends.
pub(super) async fn route_in(
    tx: &impl ConnectionTrait,
    scope: &Scope<'_>,
    id: RequestId,
    decision: &Decision,
) -> Result<super::Request> {
    let actor = crate::Actor::System("desk-routing");
    let system = crate::Scope { core: scope.core, actor: &actor, origin: scope.origin };
    let why = format!("{} #{}", decision.reason, decision.rule_id);
    let step = |reason: &str| ActionInput { reason: Some(reason.to_string()), ..Default::default() };
    super::act_in(tx, &system, id, Transition::Register, step("auto")).await?;
    let mut request = super::act_in(
        tx,
        &system,
        id,
        Transition::AssignDepartment,
        ActionInput { department_id: Some(decision.unit.0), ..step(&why) },
    )
    .await?;
    if let Some(who) = decision.assignee {
        request = super::act_in(
            tx,
            &system,
            id,
            Transition::AssignStaff,
            ActionInput { assignee_id: Some(who.0), ..step("on duty, skill, least load") },
        )
        .await?;
    }
    Ok(request)
}

/// Records a staff member's leave (inclusive days in their time zone). Desk managers and
/// administrators.
pub async fn add_leave(
    scope: &Scope<'_>,
    user_id: UserId,
    first_day: chrono::NaiveDate,
    last_day: chrono::NaiveDate,
) -> Result<()> {
    if !(scope.actor.has(Role::DeskManager) || scope.actor.has(Role::Administrator)) {
        scope.actor.require_login()?;
        return Err(Error::Forbidden);
    }
    if last_day < first_day {
        return Err(Error::field("last_day", ErrorCode::ValueOutOfRange));
    }
    let tx = crate::db::begin_write(scope.writer()).await?;
    user::Entity::find_by_id(user_id.0).one(&tx).await?.ok_or(Error::NotFound)?;
    desk_leave::ActiveModel {
        id: NotSet,
        user_id: Set(user_id.0),
        first_day: Set(first_day.to_string()),
        last_day: Set(last_day.to_string()),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "desk_leave.create",
            subject_type: "user",
            subject_id: Some(user_id.to_string()),
            org_id: None,
            details: json!({"first_day": first_day, "last_day": last_day}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
