//! Exchange relationships and their activity log.
//!
//! A relationship joins a member local government and a foreign local government (or two
//! members, for domestic inter-local collaboration). One relationship per pair: a friendship
//! that becomes a sister-city tie changes its kind. Its activity log records visits,
//! delegations, events, programmes, gifts and joint projects; an active relationship with no
//! activity for `registry.dormant_after_years` years is flagged dormant, and new activity
//! clears the flag (and wakes a relationship marked dormant).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::cities::{self, ForeignCity};
use super::{ActivityKind, CityId, ExchangeField, RelationshipId, RelationshipKind, Status, may_act_for, parse_date};
use crate::actor::{Actor, Scope};
use crate::audit;
use crate::entities::{organization, registry_activity, registry_relationship};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::ids::OrgId;
use crate::orgs::OrgKind;
use crate::paging::{Page, PageRequest};
use crate::validate::{self, Checks, Locale};

/// A document of a relationship: the agreement, a letter of intent, minutes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
}

/// The member side (or, for a domestic tie, either side) as a list shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemberBrief {
    pub id: OrgId,
    pub code: Option<String>,
    pub name: String,
    pub name_en: String,
    /// The metropolitan or provincial government it belongs to (itself, for one).
    pub province_id: OrgId,
}

impl MemberBrief {
    pub fn display_name(&self, locale: Locale) -> &str {
        if locale == Locale::Ko || self.name_en.is_empty() { &self.name } else { &self.name_en }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Relationship {
    pub id: RelationshipId,
    pub member: MemberBrief,
    /// The foreign local government, for an international tie.
    pub city: Option<ForeignCity>,
    /// The other member, for a domestic tie.
    pub partner_member: Option<MemberBrief>,
    pub kind: RelationshipKind,
    pub signed_on: Option<NaiveDate>,
    /// Where it was signed.
    pub signed_place: Option<String>,
    /// Who signed it.
    pub signatories: Option<String>,
    pub fields: Vec<ExchangeField>,
    pub status: Status,
    pub status_since: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub member_contacts: Option<String>,
    pub partner_contacts: Option<String>,
    pub documents: Vec<Document>,
    pub notes: Option<String>,
    pub last_activity_on: Option<NaiveDate>,
    /// Flagged dormant: marked so, or active without activity for the configured years.
    pub dormant: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Relationship {
    /// The other side's name for a reader.
    pub fn partner_name(&self, locale: Locale) -> String {
        match (&self.city, &self.partner_member) {
            (Some(c), _) => c.display_name(locale).to_string(),
            (None, Some(m)) => m.display_name(locale).to_string(),
            _ => String::new(),
        }
    }

    /// The other side's country.
    pub fn country(&self, home: &str) -> String {
        self.city.as_ref().map_or_else(|| home.to_string(), |c| c.country.clone())
    }

    /// The decade it was signed in (1990 for 1998).
    pub fn decade(&self) -> Option<i32> {
        self.signed_on.map(|d| d.year() / 10 * 10)
    }

    fn audit_view(&self) -> serde_json::Value {
        json!({
            "member_org_id": self.member.id, "city_id": self.city.as_ref().and_then(|c| c.id),
            "partner_org_id": self.partner_member.as_ref().map(|m| m.id), "kind": self.kind.as_str(),
            "signed_on": self.signed_on, "signed_place": self.signed_place, "signatories": self.signatories,
            "fields": self.fields.iter().map(|f| f.as_str()).collect::<Vec<_>>(), "status": self.status.as_str(),
            "status_since": self.status_since, "ended_on": self.ended_on,
            "member_contacts": self.member_contacts, "partner_contacts": self.partner_contacts,
            "documents": self.documents, "notes": self.notes,
        })
    }
}

/// Whether a relationship is flagged dormant on `today`.
pub fn is_dormant(
    status: Status,
    last_activity: Option<NaiveDate>,
    signed_on: Option<NaiveDate>,
    created: NaiveDate,
    years: u32,
    today: NaiveDate,
) -> bool {
    match status {
        Status::Dormant => true,
        Status::Ended => false,
        Status::Active => {
            let since = last_activity.or(signed_on).unwrap_or(created);
            let limit =
                today.with_year(today.year() - years as i32).unwrap_or(today - chrono::Days::new(365 * years as u64));
            since < limit
        }
    }
}

/// Fields to set. On create, `kind` and one partner (`city_id`, `place_id` or
/// `partner_org_id`) are required and a member's official may omit `member_org_id` (their own
/// organisation). The two sides cannot change afterwards. Dates are `YYYY-MM-DD`; an empty
/// string clears an optional field.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RelationshipChanges {
    pub member_org_id: Option<i64>,
    pub city_id: Option<i64>,
    /// A gazetteer place not registered yet; it is registered with the relationship.
    pub place_id: Option<i64>,
    /// The standard Korean spelling to record when a place is registered.
    pub city_name_ko: Option<String>,
    pub partner_org_id: Option<i64>,
    pub kind: Option<String>,
    pub signed_on: Option<String>,
    pub signed_place: Option<String>,
    pub signatories: Option<String>,
    pub fields: Option<Vec<String>>,
    pub status: Option<String>,
    pub status_since: Option<String>,
    pub ended_on: Option<String>,
    pub member_contacts: Option<String>,
    pub partner_contacts: Option<String>,
    pub documents: Option<Vec<Document>>,
    pub notes: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct RelationshipFilter {
    pub member: Option<OrgId>,
    pub city: Option<CityId>,
    /// ISO code of the partner's country.
    pub country: Option<String>,
    pub kind: Option<RelationshipKind>,
    pub status: Option<Status>,
    pub field: Option<ExchangeField>,
    /// First year of a decade (1990).
    pub decade: Option<i32>,
    /// Only those flagged dormant.
    pub dormant: Option<bool>,
    /// Any name of either side, folded.
    pub q: Option<String>,
    pub page: PageRequest,
}

fn member_brief(o: &organization::Model) -> MemberBrief {
    MemberBrief {
        id: OrgId(o.id),
        code: o.code.clone(),
        name: o.name.clone(),
        name_en: o.name_en.clone(),
        province_id: OrgId(if o.tier.as_deref() == Some("basic") { o.parent_id.unwrap_or(o.id) } else { o.id }),
    }
}

/// Rows to relationships: members and cities loaded in batches.
pub(crate) async fn hydrate(
    conn: &impl ConnectionTrait,
    rows: Vec<registry_relationship::Model>,
    years: u32,
) -> Result<Vec<Relationship>> {
    let mut org_ids: Vec<i64> = rows.iter().map(|r| r.member_org_id).collect();
    org_ids.extend(rows.iter().filter_map(|r| r.partner_org_id));
    org_ids.sort();
    org_ids.dedup();
    let mut orgs = BTreeMap::new();
    for chunk in org_ids.chunks(500) {
        for o in organization::Entity::find().filter(organization::Column::Id.is_in(chunk.to_vec())).all(conn).await? {
            orgs.insert(o.id, member_brief(&o));
        }
    }
    let mut city_ids: Vec<i64> = rows.iter().filter_map(|r| r.city_id).collect();
    city_ids.sort();
    city_ids.dedup();
    let cities = cities::by_ids(conn, &city_ids).await?;
    let today = super::today();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let member = orgs.get(&r.member_org_id)?.clone();
            let status = Status::parse(&r.status).unwrap_or(Status::Active);
            let fields: Vec<String> = serde_json::from_str(&r.fields).unwrap_or_default();
            Some(Relationship {
                id: RelationshipId(r.id),
                member,
                city: r.city_id.and_then(|c| cities.get(&CityId(c)).cloned()),
                partner_member: r.partner_org_id.and_then(|p| orgs.get(&p).cloned()),
                kind: RelationshipKind::parse(&r.kind).unwrap_or(RelationshipKind::MouOther),
                signed_on: r.signed_on,
                signed_place: r.signed_place,
                signatories: r.signatories,
                fields: super::parse_fields(&fields).unwrap_or_default(),
                status,
                status_since: r.status_since,
                ended_on: r.ended_on,
                member_contacts: r.member_contacts,
                partner_contacts: r.partner_contacts,
                documents: serde_json::from_str(&r.documents).unwrap_or_default(),
                notes: r.notes,
                last_activity_on: r.last_activity_on,
                dormant: is_dormant(status, r.last_activity_on, r.signed_on, r.created_at.date_naive(), years, today),
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
        })
        .collect())
}

fn visible(actor: &Actor, r: &registry_relationship::Model) -> bool {
    may_act_for(actor, OrgId(r.member_org_id)) || r.partner_org_id.is_some_and(|p| may_act_for(actor, OrgId(p)))
}

/// Every relationship the actor may see that matches `filter` (all pages), ordered by member
/// code, partner country and signing date.
pub async fn all(scope: &Scope<'_>, filter: &RelationshipFilter) -> Result<Vec<Relationship>> {
    scope.actor.require_login()?;
    let mut q = registry_relationship::Entity::find();
    if let Some(m) = filter.member {
        q = q.filter(
            sea_orm::Condition::any()
                .add(registry_relationship::Column::MemberOrgId.eq(m.0))
                .add(registry_relationship::Column::PartnerOrgId.eq(m.0)),
        );
    }
    if let Some(c) = filter.city {
        q = q.filter(registry_relationship::Column::CityId.eq(c.0));
    }
    if let Some(k) = filter.kind {
        q = q.filter(registry_relationship::Column::Kind.eq(k.as_str()));
    }
    if let Some(s) = filter.status {
        q = q.filter(registry_relationship::Column::Status.eq(s.as_str()));
    }
    if let Some(user) = scope.actor.user().filter(|_| !scope.actor.sees_all_organizations()) {
        q = q.filter(
            sea_orm::Condition::any()
                .add(registry_relationship::Column::MemberOrgId.eq(user.org_id.0))
                .add(registry_relationship::Column::PartnerOrgId.eq(user.org_id.0)),
        );
    }
    let rows = q.order_by_asc(registry_relationship::Column::Id).all(scope.db()).await?;
    let rows: Vec<_> = rows.into_iter().filter(|r| visible(scope.actor, r)).collect();
    let home = scope.config().site.country.clone();
    let needle = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(crate::text::search_fold);
    let mut out: Vec<Relationship> = hydrate(scope.db(), rows, scope.config().registry.dormant_after_years)
        .await?
        .into_iter()
        .filter(|r| filter.country.as_deref().is_none_or(|c| r.country(&home).eq_ignore_ascii_case(c)))
        .filter(|r| filter.field.is_none_or(|f| r.fields.contains(&f)))
        .filter(|r| filter.decade.is_none_or(|d| r.decade() == Some(d)))
        .filter(|r| filter.dormant.is_none_or(|d| r.dormant == d))
        .filter(|r| {
            needle.as_deref().is_none_or(|n| {
                let mut names: Vec<&str> = vec![&r.member.name, &r.member.name_en];
                if let Some(c) = &r.city {
                    names.extend(c.names.iter().map(String::as_str));
                }
                if let Some(m) = &r.partner_member {
                    names.extend([m.name.as_str(), m.name_en.as_str()]);
                }
                names.iter().any(|x| crate::text::search_fold(x).contains(n))
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (&a.member.code, a.country(&home), a.signed_on, a.id).cmp(&(
            &b.member.code,
            b.country(&home),
            b.signed_on,
            b.id,
        ))
    });
    Ok(out)
}

/// One page of [`all`].
pub async fn list(scope: &Scope<'_>, filter: RelationshipFilter) -> Result<Page<Relationship>> {
    let items = all(scope, &filter).await?;
    let total = items.len() as u64;
    let items = items.into_iter().skip(filter.page.offset() as usize).take(filter.page.per_page as usize).collect();
    Ok(Page { items, total, page: filter.page.page, per_page: filter.page.per_page })
}

/// Relationships flagged dormant that the actor may see: the dormancy report.
pub async fn dormancy_report(scope: &Scope<'_>, member: Option<OrgId>) -> Result<Vec<Relationship>> {
    all(scope, &RelationshipFilter { member, dormant: Some(true), ..Default::default() }).await
}

pub async fn get(scope: &Scope<'_>, id: RelationshipId) -> Result<Relationship> {
    scope.actor.require_login()?;
    load(scope.db(), scope, id).await
}

async fn load(conn: &impl ConnectionTrait, scope: &Scope<'_>, id: RelationshipId) -> Result<Relationship> {
    let row = registry_relationship::Entity::find_by_id(id.0).one(conn).await?.ok_or(Error::NotFound)?;
    if !visible(scope.actor, &row) {
        return Err(Error::NotFound);
    }
    hydrate(conn, vec![row], scope.config().registry.dormant_after_years).await?.pop().ok_or(Error::NotFound)
}

/// The validated content of a relationship, before it is written.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub member_org_id: i64,
    pub city_id: Option<i64>,
    pub partner_org_id: Option<i64>,
    pub kind: RelationshipKind,
    pub signed_on: Option<NaiveDate>,
    pub signed_place: Option<String>,
    pub signatories: Option<String>,
    pub fields: Vec<ExchangeField>,
    pub status: Status,
    pub status_since: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub member_contacts: Option<String>,
    pub partner_contacts: Option<String>,
    pub documents: Vec<Document>,
    pub notes: Option<String>,
}

fn opt_date(checks: &mut Checks, field: &'static str, new: Option<&str>, old: Option<NaiveDate>) -> Option<NaiveDate> {
    match new.map(str::trim) {
        Some("") => None,
        Some(s) => checks.field(field, parse_date(s)),
        None => old,
    }
}

fn opt_text(
    checks: &mut Checks,
    field: &'static str,
    new: Option<String>,
    old: Option<&Option<String>>,
    max: usize,
) -> Option<String> {
    match new {
        Some(v) => checks.take(validate::optional_text(field, Some(&v), max)).flatten(),
        None => old.cloned().flatten(),
    }
}

/// Checks `changes` against `before` (None: a new relationship). Resolves the partner but
/// writes nothing, except registering a gazetteer place as a city (inside the caller's
/// transaction).
pub(crate) async fn validate(
    conn: &impl ConnectionTrait,
    scope: &Scope<'_>,
    before: Option<&Relationship>,
    changes: RelationshipChanges,
) -> Result<Candidate> {
    let mut checks = Checks::new();
    let (member_org_id, city_id, partner_org_id) = match before {
        Some(b) => {
            (b.member.id.0, b.city.as_ref().and_then(|c| c.id).map(|c| c.0), b.partner_member.as_ref().map(|m| m.id.0))
        }
        None => {
            let member = changes.member_org_id.or(scope
                .actor
                .user()
                .filter(|_| !scope.actor.sees_all_organizations())
                .map(|u| u.org_id.0));
            let member = match member {
                None => {
                    checks.push(FieldError::new("member_org_id", ErrorCode::ValueRequired));
                    0
                }
                Some(m) => {
                    if !may_act_for(scope.actor, OrgId(m)) {
                        return Err(Error::Forbidden);
                    }
                    if !is_member(conn, m).await? {
                        checks.push(FieldError::new("member_org_id", ErrorCode::UnknownOrganization));
                    }
                    m
                }
            };
            let given = [changes.city_id.is_some(), changes.place_id.is_some(), changes.partner_org_id.is_some()];
            let (mut city, mut partner) = (None, None);
            match given.iter().filter(|g| **g).count() {
                0 => checks.push(FieldError::new("city_id", ErrorCode::ValueRequired)),
                1 => {}
                _ => checks.push(FieldError::new("city_id", ErrorCode::InvalidChoice)),
            }
            if let Some(c) = changes.city_id {
                match cities::find(conn, CityId(c)).await? {
                    Some(found) => city = Some(found.merged_into.map_or(c, |m| m.0)),
                    None => checks.push(FieldError::new("city_id", ErrorCode::UnknownCity)),
                }
            } else if let Some(p) = changes.place_id {
                match cities::register_place(conn, p, changes.city_name_ko.as_deref()).await {
                    Ok(c) => city = Some(c.0),
                    Err(_) => checks.push(FieldError::new("place_id", ErrorCode::UnknownCity)),
                }
            } else if let Some(p) = changes.partner_org_id {
                if p == member || !is_member(conn, p).await? {
                    checks.push(FieldError::new("partner_org_id", ErrorCode::UnknownOrganization));
                }
                partner = Some(p);
            }
            if member != 0 {
                let mut q =
                    registry_relationship::Entity::find().filter(registry_relationship::Column::MemberOrgId.eq(member));
                q = match (city, partner) {
                    (Some(c), _) => q.filter(registry_relationship::Column::CityId.eq(c)),
                    (None, Some(p)) => q.filter(registry_relationship::Column::PartnerOrgId.eq(p)),
                    _ => q.filter(registry_relationship::Column::Id.eq(-1)),
                };
                if q.one(conn).await?.is_some() {
                    checks.push(FieldError::new("city_id", ErrorCode::RelationshipExists));
                }
            }
            (member, city, partner)
        }
    };
    let kind = match changes.kind.as_deref() {
        Some(k) => checks.field("kind", RelationshipKind::parse(k)),
        None => match before {
            Some(b) => Some(b.kind),
            None => {
                checks.push(FieldError::new("kind", ErrorCode::ValueRequired));
                None
            }
        },
    };
    let fields = match &changes.fields {
        Some(list) => checks.field("fields", super::parse_fields(list)).unwrap_or_default(),
        None => before.map(|b| b.fields.clone()).unwrap_or_default(),
    };
    let status = match changes.status.as_deref().map(str::trim) {
        Some("") | None => before.map_or(Status::Active, |b| b.status),
        Some(s) => checks.field("status", Status::parse(s)).unwrap_or(Status::Active),
    };
    let signed_on = opt_date(&mut checks, "signed_on", changes.signed_on.as_deref(), before.and_then(|b| b.signed_on));
    let status_changed = before.is_none_or(|b| b.status != status);
    let default_since = if status_changed {
        if before.is_none() { signed_on.or(Some(super::today())) } else { Some(super::today()) }
    } else {
        before.and_then(|b| b.status_since)
    };
    let status_since = opt_date(&mut checks, "status_since", changes.status_since.as_deref(), default_since);
    let mut ended_on = opt_date(&mut checks, "ended_on", changes.ended_on.as_deref(), before.and_then(|b| b.ended_on));
    if status == Status::Ended && ended_on.is_none() {
        ended_on = status_since;
    }
    if status != Status::Ended && changes.ended_on.is_none() {
        ended_on = None;
    }
    if let (Some(s), Some(e)) = (signed_on, ended_on) {
        if e < s {
            checks.push(FieldError::new("ended_on", ErrorCode::ValueOutOfRange));
        }
    }
    let signed_place =
        opt_text(&mut checks, "signed_place", changes.signed_place, before.map(|b| &b.signed_place), 200);
    let signatories = opt_text(&mut checks, "signatories", changes.signatories, before.map(|b| &b.signatories), 500);
    let member_contacts =
        opt_text(&mut checks, "member_contacts", changes.member_contacts, before.map(|b| &b.member_contacts), 2000);
    let partner_contacts =
        opt_text(&mut checks, "partner_contacts", changes.partner_contacts, before.map(|b| &b.partner_contacts), 2000);
    let notes = opt_text(&mut checks, "notes", changes.notes, before.map(|b| &b.notes), 5000);
    let documents = match changes.documents {
        Some(docs) => {
            let mut out = Vec::new();
            for d in docs {
                let title = checks.take(validate::required_text("documents", &d.title, 300));
                let url = checks.take(validate::optional_text("documents", d.url.as_deref(), 1000)).flatten();
                if let Some(title) = title {
                    out.push(Document { title, url });
                }
            }
            out
        }
        None => before.map(|b| b.documents.clone()).unwrap_or_default(),
    };
    checks.finish()?;
    Ok(Candidate {
        member_org_id,
        city_id,
        partner_org_id,
        kind: kind.expect("checked"),
        signed_on,
        signed_place,
        signatories,
        fields,
        status,
        status_since,
        ended_on,
        member_contacts,
        partner_contacts,
        documents,
        notes,
    })
}

async fn is_member(conn: &impl ConnectionTrait, id: i64) -> Result<bool> {
    Ok(organization::Entity::find_by_id(id)
        .one(conn)
        .await?
        .is_some_and(|o| o.kind == OrgKind::MemberLocalGovernment.as_str()))
}

/// Writes a candidate: inserts it, or updates `before` if it is still at its version.
pub(crate) async fn write(
    conn: &impl ConnectionTrait,
    before: Option<&Relationship>,
    c: Candidate,
) -> Result<RelationshipId> {
    let now = crate::db::now();
    let model = registry_relationship::ActiveModel {
        id: before.map_or(NotSet, |b| Set(b.id.0)),
        member_org_id: Set(c.member_org_id),
        city_id: Set(c.city_id),
        partner_org_id: Set(c.partner_org_id),
        kind: Set(c.kind.as_str().to_string()),
        signed_on: Set(c.signed_on),
        signed_place: Set(c.signed_place),
        signatories: Set(c.signatories),
        fields: Set(serde_json::to_string(&c.fields.iter().map(|f| f.as_str()).collect::<Vec<_>>()).expect("json")),
        status: Set(c.status.as_str().to_string()),
        status_since: Set(c.status_since),
        ended_on: Set(c.ended_on),
        member_contacts: Set(c.member_contacts),
        partner_contacts: Set(c.partner_contacts),
        documents: Set(serde_json::to_string(&c.documents).expect("json")),
        notes: Set(c.notes),
        last_activity_on: Set(before.and_then(|b| b.last_activity_on)),
        version: Set(before.map_or(1, |b| b.version + 1)),
        created_at: Set(before.map_or(now, |b| b.created_at)),
        updated_at: Set(now),
    };
    match before {
        Some(b) => {
            let r = registry_relationship::Entity::update_many()
                .set(model)
                .filter(registry_relationship::Column::Id.eq(b.id.0))
                .filter(registry_relationship::Column::Version.eq(b.version))
                .exec(conn)
                .await?;
            if r.rows_affected == 0 {
                return Err(Error::Refused(ErrorCode::ConflictStale));
            }
            Ok(b.id)
        }
        None => Ok(RelationshipId(model.insert(conn).await?.id)),
    }
}

/// Records a relationship. Staff for any member; a member's official for their own.
pub async fn create(scope: &Scope<'_>, changes: RelationshipChanges) -> Result<Relationship> {
    scope.actor.require_login()?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let candidate = validate(&tx, scope, None, changes).await?;
    let id = write(&tx, None, candidate).await?;
    let created = load(&tx, scope, id).await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "registry_relationship.create",
            subject_type: "registry_relationship",
            subject_id: Some(id.to_string()),
            org_id: Some(created.member.id.0),
            details: created.audit_view(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// Changes a relationship if it is still at `expected_version`. Members change only their own.
pub async fn update(
    scope: &Scope<'_>,
    id: RelationshipId,
    expected_version: Option<i32>,
    changes: RelationshipChanges,
) -> Result<Relationship> {
    scope.actor.require_login()?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let before = load(&tx, scope, id).await?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    let candidate = validate(&tx, scope, Some(&before), changes).await?;
    write(&tx, Some(&before), candidate).await?;
    let after = load(&tx, scope, id).await?;
    audit::record_change(
        &tx,
        scope,
        "registry_relationship.update",
        ("registry_relationship", id.to_string()),
        Some(after.member.id.0),
        &before.audit_view(),
        &after.audit_view(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Activity {
    pub id: i64,
    pub relationship_id: RelationshipId,
    pub kind: ActivityKind,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub title: String,
    /// Who took part (names, delegations, numbers).
    pub participants: Option<String>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Activity {
    fn from_row(r: registry_activity::Model) -> Activity {
        Activity {
            id: r.id,
            relationship_id: RelationshipId(r.relationship_id),
            kind: ActivityKind::parse(&r.kind).unwrap_or(ActivityKind::Other),
            started_on: r.started_on,
            ended_on: r.ended_on,
            title: r.title,
            participants: r.participants,
            notes: r.notes,
            created_at: r.created_at,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ActivityChanges {
    pub kind: Option<String>,
    pub started_on: Option<String>,
    pub ended_on: Option<String>,
    pub title: Option<String>,
    pub participants: Option<String>,
    pub notes: Option<String>,
}

/// Adds to a relationship's activity log. The relationship's last activity moves forward,
/// which clears a dormancy flag, and a relationship marked dormant becomes active again.
pub async fn add_activity(scope: &Scope<'_>, id: RelationshipId, changes: ActivityChanges) -> Result<Activity> {
    scope.actor.require_login()?;
    let mut checks = Checks::new();
    let kind = match changes.kind.as_deref() {
        Some(k) => checks.field("kind", ActivityKind::parse(k)),
        None => {
            checks.push(FieldError::new("kind", ErrorCode::ValueRequired));
            None
        }
    };
    let started_on = match changes.started_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => checks.field("started_on", parse_date(s)),
        None => {
            checks.push(FieldError::new("started_on", ErrorCode::ValueRequired));
            None
        }
    };
    let ended_on = opt_date(&mut checks, "ended_on", changes.ended_on.as_deref(), None);
    if let (Some(s), Some(e)) = (started_on, ended_on) {
        if e < s {
            checks.push(FieldError::new("ended_on", ErrorCode::ValueOutOfRange));
        }
    }
    let title = checks.take(validate::required_text("title", changes.title.as_deref().unwrap_or(""), 300));
    let participants =
        checks.take(validate::optional_text("participants", changes.participants.as_deref(), 2000)).flatten();
    let notes = checks.take(validate::optional_text("notes", changes.notes.as_deref(), 5000)).flatten();
    let tx = crate::db::begin_write(scope.writer()).await?;
    let rel = load(&tx, scope, id).await?;
    checks.finish()?;
    let (kind, started_on, title) = (kind.expect("checked"), started_on.expect("checked"), title.expect("checked"));
    let row = registry_activity::ActiveModel {
        id: NotSet,
        relationship_id: Set(id.0),
        kind: Set(kind.as_str().to_string()),
        started_on: Set(started_on),
        ended_on: Set(ended_on),
        title: Set(title),
        participants: Set(participants),
        notes: Set(notes),
        created_by: Set(scope.actor.user_id().map(|u| u.0)),
        created_at: Set(crate::db::now()),
    }
    .insert(&tx)
    .await?;
    let last = rel.last_activity_on.map_or(started_on, |l| l.max(started_on));
    let wake = rel.status == Status::Dormant;
    let mut update = registry_relationship::Entity::update_many()
        .col_expr(registry_relationship::Column::LastActivityOn, sea_orm::sea_query::Expr::value(last))
        .col_expr(registry_relationship::Column::Version, sea_orm::sea_query::Expr::value(rel.version + 1))
        .col_expr(registry_relationship::Column::UpdatedAt, sea_orm::sea_query::Expr::value(crate::db::now()));
    if wake {
        update = update
            .col_expr(registry_relationship::Column::Status, sea_orm::sea_query::Expr::value(Status::Active.as_str()))
            .col_expr(registry_relationship::Column::StatusSince, sea_orm::sea_query::Expr::value(super::today()));
    }
    update.filter(registry_relationship::Column::Id.eq(id.0)).exec(&tx).await?;
    let activity = Activity::from_row(row);
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "registry_activity.create",
            subject_type: "registry_relationship",
            subject_id: Some(id.to_string()),
            org_id: Some(rel.member.id.0),
            details: json!({"activity": activity.id, "kind": kind.as_str(), "started_on": started_on, "woke": wake}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(activity)
}

/// A relationship's activity log, newest first.
pub async fn activities(scope: &Scope<'_>, id: RelationshipId) -> Result<Vec<Activity>> {
    scope.actor.require_login()?;
    load(scope.db(), scope, id).await?;
    let rows = registry_activity::Entity::find()
        .filter(registry_activity::Column::RelationshipId.eq(id.0))
        .order_by_desc(registry_activity::Column::StartedOn)
        .order_by_desc(registry_activity::Column::Id)
        .all(scope.db())
        .await?;
    Ok(rows.into_iter().map(Activity::from_row).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dormancy_counts_years_from_the_last_activity() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let today = d(2026, 11, 22);
        let created = d(2020, 1, 1);
        assert!(is_dormant(Status::Active, None, Some(d(2015, 5, 1)), created, 3, today));
        assert!(!is_dormant(Status::Active, Some(d(2024, 1, 1)), Some(d(2015, 5, 1)), created, 3, today));
        assert!(is_dormant(Status::Active, Some(d(2023, 11, 21)), None, created, 3, today));
        assert!(!is_dormant(Status::Active, Some(d(2023, 11, 22)), None, created, 3, today));
        assert!(is_dormant(Status::Dormant, Some(d(2026, 1, 1)), None, created, 3, today));
        assert!(!is_dormant(Status::Ended, None, Some(d(1990, 1, 1)), created, 3, today));
    }
}
