//! The partner directory: foreign missions in Korea, local-government associations abroad and
//! international organisations (UCLG, UCLG ASPAC, CityNet …), with their contacts; members'
//! memberships in them, offices held with terms, and elections with candidates and results.
//!
//! Contacts are people: reading a partner's contacts is recorded in the audit log as a read
//! of personal data.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::require_keeper;
use crate::actor::Scope;
use crate::audit;
use crate::entities::{
    organization, registry_contact, registry_election, registry_membership, registry_office, registry_partner,
};
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::ids::OrgId;
use crate::paging::{Page, PageRequest};
use crate::validate::{self, Checks, CountryCode, LanguageCode, Locale};

/// What a partner is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    ForeignMission,
    AssociationAbroad,
    InternationalOrganization,
}

impl Category {
    pub const ALL: &'static [Category] =
        &[Category::InternationalOrganization, Category::AssociationAbroad, Category::ForeignMission];
    pub fn as_str(self) -> &'static str {
        match self {
            Category::ForeignMission => "foreign_mission",
            Category::AssociationAbroad => "association_abroad",
            Category::InternationalOrganization => "international_organization",
        }
    }
    pub fn parse(s: &str) -> std::result::Result<Category, ErrorCode> {
        Category::ALL.iter().copied().find(|c| c.as_str() == s.trim()).ok_or(ErrorCode::InvalidChoice)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Partner {
    pub id: i64,
    pub category: Category,
    /// The name in the association's language (Korean, for the first deployment).
    pub name: String,
    pub name_en: String,
    /// Names by locale tag.
    pub names: BTreeMap<String, String>,
    pub acronym: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub website: Option<String>,
    pub notes: Option<String>,
}

impl Partner {
    pub fn display_name(&self, locale: Locale) -> &str {
        if let Some(n) = self.names.get(locale.tag()) {
            return n;
        }
        if locale == Locale::Ko || self.name_en.is_empty() { &self.name } else { &self.name_en }
    }

    fn from_row(r: registry_partner::Model) -> Partner {
        Partner {
            id: r.id,
            category: Category::parse(&r.category).unwrap_or(Category::InternationalOrganization),
            name: r.name,
            name_en: r.name_en,
            names: serde_json::from_str(&r.names).unwrap_or_default(),
            acronym: r.acronym,
            country: r.country,
            city: r.city,
            website: r.website,
            notes: r.notes,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct PartnerChanges {
    pub category: Option<String>,
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub names: Option<BTreeMap<String, String>>,
    pub acronym: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub website: Option<String>,
    pub notes: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct PartnerFilter {
    pub category: Option<Category>,
    pub q: Option<String>,
    pub page: PageRequest,
}

/// The directory, open to every logged-in user.
pub async fn list(scope: &Scope<'_>, filter: PartnerFilter) -> Result<Page<Partner>> {
    scope.actor.require_login()?;
    let mut q = registry_partner::Entity::find();
    if let Some(c) = filter.category {
        q = q.filter(registry_partner::Column::Category.eq(c.as_str()));
    }
    let rows = q
        .order_by_asc(registry_partner::Column::Category)
        .order_by_asc(registry_partner::Column::Id)
        .all(scope.db())
        .await?;
    let needle = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(crate::text::search_fold);
    let items: Vec<Partner> = rows
        .into_iter()
        .filter(|r| needle.as_deref().is_none_or(|n| r.search_text.contains(n)))
        .map(Partner::from_row)
        .collect();
    let total = items.len() as u64;
    let items = items.into_iter().skip(filter.page.offset() as usize).take(filter.page.per_page as usize).collect();
    Ok(Page { items, total, page: filter.page.page, per_page: filter.page.per_page })
}

pub async fn get(scope: &Scope<'_>, id: i64) -> Result<Partner> {
    scope.actor.require_login()?;
    registry_partner::Entity::find_by_id(id).one(scope.db()).await?.map(Partner::from_row).ok_or(Error::NotFound)
}

/// Adds a partner to the directory (staff).
pub async fn create(scope: &Scope<'_>, changes: PartnerChanges) -> Result<Partner> {
    require_keeper(scope.actor)?;
    let mut checks = Checks::new();
    let category = match changes.category.as_deref() {
        Some(c) => checks.field("category", Category::parse(c)),
        None => {
            checks.push(FieldError::new("category", ErrorCode::ValueRequired));
            None
        }
    };
    let name = checks.take(validate::required_text("name", changes.name.as_deref().unwrap_or(""), 300));
    let name_en = checks.take(validate::optional_text("name_en", changes.name_en.as_deref(), 300)).flatten();
    let acronym = checks.take(validate::optional_text("acronym", changes.acronym.as_deref(), 40)).flatten();
    let city = checks.take(validate::optional_text("city", changes.city.as_deref(), 120)).flatten();
    let website = checks.take(validate::optional_text("website", changes.website.as_deref(), 300)).flatten();
    let notes = checks.take(validate::optional_text("notes", changes.notes.as_deref(), 5000)).flatten();
    let country = match changes.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => checks.field("country", CountryCode::parse(c)).map(|c| c.as_str().to_string()),
        None => None,
    };
    let mut names = BTreeMap::new();
    for (tag, n) in changes.names.unwrap_or_default() {
        if let Some(l) = checks.field("names", Locale::parse(&tag)) {
            if let Some(Some(n)) = checks.take(validate::optional_text("names", Some(&n), 300)) {
                names.insert(l.tag().to_string(), n);
            }
        }
    }
    checks.finish()?;
    let (category, name) = (category.expect("checked"), name.expect("checked"));
    let name_en = name_en.unwrap_or_default();
    let mut parts: Vec<&str> = vec![&name, &name_en];
    parts.extend(names.values().map(String::as_str));
    parts.extend(acronym.as_deref());
    parts.extend(city.as_deref());
    let search_text = crate::text::search_text(parts);
    let now = crate::db::now();
    let tx = crate::db::begin_write(scope.writer()).await?;
    let row = registry_partner::ActiveModel {
        id: NotSet,
        category: Set(category.as_str().to_string()),
        name: Set(name),
        name_en: Set(name_en),
        names: Set(serde_json::to_string(&names).expect("json")),
        acronym: Set(acronym),
        country: Set(country),
        city: Set(city),
        website: Set(website),
        notes: Set(notes),
        search_text: Set(search_text),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await?;
    let partner = Partner::from_row(row);
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "registry_partner.create",
            subject_type: "registry_partner",
            subject_id: Some(partner.id.to_string()),
            org_id: None,
            details: json!({"name": partner.name, "category": partner.category.as_str()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(partner)
}

/// A person at a partner.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contact {
    pub id: i64,
    pub partner_id: i64,
    pub name: String,
    pub post: Option<String>,
    pub languages: Vec<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ContactChanges {
    pub name: Option<String>,
    pub post: Option<String>,
    pub languages: Option<Vec<String>>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Adds a contact person to a partner (staff).
pub async fn add_contact(scope: &Scope<'_>, partner_id: i64, changes: ContactChanges) -> Result<Contact> {
    require_keeper(scope.actor)?;
    let mut checks = Checks::new();
    let name = checks.take(validate::required_text("name", changes.name.as_deref().unwrap_or(""), 200));
    let post = checks.take(validate::optional_text("post", changes.post.as_deref(), 200)).flatten();
    let phone = checks.take(validate::optional_text("phone", changes.phone.as_deref(), 60)).flatten();
    let email = match changes.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(e) => checks.field("email", validate::Email::parse(e)).map(|e| e.as_str().to_string()),
        None => None,
    };
    let mut languages = Vec::new();
    for l in changes.languages.unwrap_or_default() {
        if let Some(l) = checks.field("languages", LanguageCode::parse(&l)) {
            languages.push(l.as_str().to_string());
        }
    }
    checks.finish()?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    registry_partner::Entity::find_by_id(partner_id).one(&tx).await?.ok_or(Error::NotFound)?;
    let row = registry_contact::ActiveModel {
        id: NotSet,
        partner_id: Set(partner_id),
        name: Set(name.expect("checked")),
        post: Set(post),
        languages: Set(serde_json::to_string(&languages).expect("json")),
        email: Set(email),
        phone: Set(phone),
        created_at: Set(crate::db::now()),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "registry_contact.create",
            subject_type: "registry_partner",
            subject_id: Some(partner_id.to_string()),
            org_id: None,
            details: json!({"contact": row.id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(contact_from_row(row))
}

fn contact_from_row(r: registry_contact::Model) -> Contact {
    Contact {
        id: r.id,
        partner_id: r.partner_id,
        name: r.name,
        post: r.post,
        languages: serde_json::from_str(&r.languages).unwrap_or_default(),
        email: r.email,
        phone: r.phone,
    }
}

/// A partner's contact people. Personal data: the read is recorded in the audit log.
pub async fn contacts(scope: &Scope<'_>, partner_id: i64) -> Result<Vec<Contact>> {
    scope.actor.require_login()?;
    get(scope, partner_id).await?;
    let rows = registry_contact::Entity::find()
        .filter(registry_contact::Column::PartnerId.eq(partner_id))
        .order_by_asc(registry_contact::Column::Id)
        .all(scope.db())
        .await?;
    if !rows.is_empty() {
        audit::record(
            scope.db(),
            scope,
            audit::Entry {
                action: "registry_contact.read",
                subject_type: "registry_partner",
                subject_id: Some(partner_id.to_string()),
                org_id: None,
                details: json!({"contacts": rows.iter().map(|r| r.id).collect::<Vec<_>>()}),
            },
        )
        .await?;
    }
    Ok(rows.into_iter().map(contact_from_row).collect())
}

/// A member's membership in a partner organisation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Membership {
    pub id: i64,
    pub member_org_id: OrgId,
    pub member_name: String,
    pub partner_id: i64,
    pub partner_name: String,
    pub since_year: Option<i32>,
    pub until_year: Option<i32>,
}

/// Records that a member belongs to a partner organisation (staff).
pub async fn add_membership(
    scope: &Scope<'_>,
    member: OrgId,
    partner_id: i64,
    since_year: Option<i32>,
    until_year: Option<i32>,
) -> Result<i64> {
    require_keeper(scope.actor)?;
    if since_year.zip(until_year).is_some_and(|(s, u)| u < s) {
        return Err(Error::field("until_year", ErrorCode::ValueOutOfRange));
    }
    let tx = crate::db::begin_write(scope.writer()).await?;
    registry_partner::Entity::find_by_id(partner_id).one(&tx).await?.ok_or(Error::NotFound)?;
    organization::Entity::find_by_id(member.0)
        .one(&tx)
        .await?
        .ok_or(Error::field("member_org_id", ErrorCode::UnknownOrganization))?;
    let row = registry_membership::ActiveModel {
        id: NotSet,
        member_org_id: Set(member.0),
        partner_id: Set(partner_id),
        since_year: Set(since_year),
        until_year: Set(until_year),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "registry_membership.create",
            subject_type: "registry_partner",
            subject_id: Some(partner_id.to_string()),
            org_id: Some(member.0),
            details: json!({"since": since_year, "until": until_year}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.id)
}

/// Memberships, of one member or in one partner organisation.
pub async fn memberships(scope: &Scope<'_>, member: Option<OrgId>, partner: Option<i64>) -> Result<Vec<Membership>> {
    scope.actor.require_login()?;
    let mut q = registry_membership::Entity::find();
    if let Some(m) = member {
        q = q.filter(registry_membership::Column::MemberOrgId.eq(m.0));
    }
    if let Some(p) = partner {
        q = q.filter(registry_membership::Column::PartnerId.eq(p));
    }
    let rows = q.order_by_asc(registry_membership::Column::Id).all(scope.db()).await?;
    let org_ids: Vec<OrgId> = rows.iter().map(|r| OrgId(r.member_org_id)).collect();
    let orgs = crate::orgs::names_of(scope, &org_ids).await?;
    let partners: BTreeMap<i64, Partner> = registry_partner::Entity::find()
        .all(scope.db())
        .await?
        .into_iter()
        .map(|p| (p.id, Partner::from_row(p)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| Membership {
            id: r.id,
            member_org_id: OrgId(r.member_org_id),
            member_name: orgs.get(&OrgId(r.member_org_id)).map(|o| o.name.clone()).unwrap_or_default(),
            partner_id: r.partner_id,
            partner_name: partners.get(&r.partner_id).map(|p| p.name_en.clone()).unwrap_or_default(),
            since_year: r.since_year,
            until_year: r.until_year,
        })
        .collect())
}

/// An office held in a partner organisation (e.g. co-president 2016–2018); an elected one
/// names its election.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Office {
    pub id: i64,
    pub partner_id: i64,
    pub election_id: Option<i64>,
    pub office: String,
    /// The person (or government) holding it.
    pub holder: String,
    /// Whom they represent.
    pub affiliation: Option<String>,
    pub member_org_id: Option<OrgId>,
    pub term_start: Option<i32>,
    pub term_end: Option<i32>,
    /// For a candidate of an election: whether elected.
    pub elected: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct OfficeChanges {
    pub election_id: Option<i64>,
    pub office: String,
    pub holder: String,
    pub affiliation: Option<String>,
    pub member_org_id: Option<i64>,
    pub term_start: Option<i32>,
    pub term_end: Option<i32>,
    pub elected: bool,
}

/// Records an office, or a candidate of an election (staff).
pub async fn add_office(scope: &Scope<'_>, partner_id: i64, o: OfficeChanges) -> Result<Office> {
    require_keeper(scope.actor)?;
    let mut checks = Checks::new();
    let office = checks.take(validate::required_text("office", &o.office, 200));
    let holder = checks.take(validate::required_text("holder", &o.holder, 300));
    let affiliation = checks.take(validate::optional_text("affiliation", o.affiliation.as_deref(), 500)).flatten();
    if o.term_start.zip(o.term_end).is_some_and(|(s, e)| e < s) {
        checks.push(FieldError::new("term_end", ErrorCode::ValueOutOfRange));
    }
    checks.finish()?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    registry_partner::Entity::find_by_id(partner_id).one(&tx).await?.ok_or(Error::NotFound)?;
    if let Some(e) = o.election_id {
        let el = registry_election::Entity::find_by_id(e).one(&tx).await?;
        if el.is_none_or(|el| el.partner_id != partner_id) {
            return Err(Error::field("election_id", ErrorCode::InvalidChoice));
        }
    }
    let row = registry_office::ActiveModel {
        id: NotSet,
        partner_id: Set(partner_id),
        election_id: Set(o.election_id),
        office: Set(office.expect("checked")),
        holder: Set(holder.expect("checked")),
        affiliation: Set(affiliation),
        member_org_id: Set(o.member_org_id),
        term_start: Set(o.term_start),
        term_end: Set(o.term_end),
        elected: Set(o.elected),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "registry_office.create",
            subject_type: "registry_partner",
            subject_id: Some(partner_id.to_string()),
            org_id: o.member_org_id,
            details: json!({"office": row.office, "holder": row.holder, "election": row.election_id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(office_from_row(row))
}

fn office_from_row(r: registry_office::Model) -> Office {
    Office {
        id: r.id,
        partner_id: r.partner_id,
        election_id: r.election_id,
        office: r.office,
        holder: r.holder,
        affiliation: r.affiliation,
        member_org_id: r.member_org_id.map(OrgId),
        term_start: r.term_start,
        term_end: r.term_end,
        elected: r.elected,
    }
}

/// Offices held in a partner organisation, or by one member, by term.
pub async fn offices(scope: &Scope<'_>, partner: Option<i64>, member: Option<OrgId>) -> Result<Vec<Office>> {
    scope.actor.require_login()?;
    let mut q = registry_office::Entity::find();
    if let Some(p) = partner {
        q = q.filter(registry_office::Column::PartnerId.eq(p));
    }
    if let Some(m) = member {
        q = q.filter(registry_office::Column::MemberOrgId.eq(m.0));
    }
    let rows = q
        .order_by_asc(registry_office::Column::TermStart)
        .order_by_asc(registry_office::Column::Id)
        .all(scope.db())
        .await?;
    Ok(rows.into_iter().map(office_from_row).collect())
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Election {
    pub id: i64,
    pub partner_id: i64,
    pub held_on: NaiveDate,
    pub title: String,
    pub place: Option<String>,
    /// Candidates (offices with this election), elected ones first.
    pub candidates: Vec<Office>,
}

/// Records an election (staff); its candidates and results are offices naming it.
pub async fn add_election(
    scope: &Scope<'_>,
    partner_id: i64,
    held_on: NaiveDate,
    title: &str,
    place: Option<&str>,
) -> Result<i64> {
    require_keeper(scope.actor)?;
    let title = validate::required_text("title", title, 300).map_err(|e| Error::Invalid(vec![e]))?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    registry_partner::Entity::find_by_id(partner_id).one(&tx).await?.ok_or(Error::NotFound)?;
    let row = registry_election::ActiveModel {
        id: NotSet,
        partner_id: Set(partner_id),
        held_on: Set(held_on),
        title: Set(title),
        place: Set(place.map(str::to_string)),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "registry_election.create",
            subject_type: "registry_partner",
            subject_id: Some(partner_id.to_string()),
            org_id: None,
            details: json!({"election": row.id, "title": row.title}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.id)
}

/// A partner organisation's elections, newest first, with candidates and results.
pub async fn elections(scope: &Scope<'_>, partner_id: i64) -> Result<Vec<Election>> {
    scope.actor.require_login()?;
    let rows = registry_election::Entity::find()
        .filter(registry_election::Column::PartnerId.eq(partner_id))
        .order_by_desc(registry_election::Column::HeldOn)
        .all(scope.db())
        .await?;
    let offices = offices(scope, Some(partner_id), None).await?;
    Ok(rows
        .into_iter()
        .map(|e| {
            let mut candidates: Vec<Office> = offices.iter().filter(|o| o.election_id == Some(e.id)).cloned().collect();
            candidates.sort_by_key(|o| (!o.elected, o.id));
            Election {
                id: e.id,
                partner_id: e.partner_id,
                held_on: e.held_on,
                title: e.title,
                place: e.place,
                candidates,
            }
        })
        .collect())
}
