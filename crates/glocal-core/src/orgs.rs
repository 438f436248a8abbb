//! Organisations: the association's members (metropolitan/provincial and basic local
//! governments), its own departments and overseas offices, and the foreign partners it deals
//! with.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::ExprTrait;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::actor::{Role, Scope};
use crate::audit;
use crate::entities::organization;
use crate::error::{Error, ErrorCode, FieldError, Result};
use crate::ids::OrgId;
use crate::paging::{Page, PageRequest};
use crate::validate::{self, Checks, CountryCode, Locale, TimeZone};

macro_rules! str_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $s:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s,)* } }
            pub fn parse(s: &str) -> std::result::Result<$name, ErrorCode> {
                match s.trim() { $($s => Ok($name::$variant),)* _ => Err(ErrorCode::InvalidChoice) }
            }
        }
    };
}

str_enum! {
    /// What an organisation is to the association.
    OrgKind {
        MemberLocalGovernment => "member_local_government",
        AssociationDepartment => "association_department",
        OverseasOffice => "overseas_office",
        ForeignLocalGovernment => "foreign_local_government",
        ForeignMission => "foreign_mission",
        InternationalOrganization => "international_organization",
        Other => "other",
    }
}

str_enum! {
    /// The level of a member local government.
    Tier {
        Metropolitan => "metropolitan",
        Basic => "basic",
    }
}

impl OrgKind {
    /// The association's own units answer the desk; everyone else asks or is asked about.
    pub fn is_association_unit(self) -> bool {
        matches!(self, OrgKind::AssociationDepartment | OrgKind::OverseasOffice)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Organization {
    pub id: OrgId,
    pub kind: OrgKind,
    pub tier: Option<Tier>,
    /// The official code: an administrative standard code for a Korean local government, an
    /// internal code for the association's units.
    pub code: Option<String>,
    pub parent_id: Option<OrgId>,
    /// The name in the organisation's own language.
    pub name: String,
    pub name_en: String,
    /// Names in other scripts, by locale tag (`ko`, `zh-Hans`, `zh-Hant`, `ja`).
    pub names: BTreeMap<String, String>,
    /// For an overseas office, the country it covers.
    pub country: Option<String>,
    pub city: Option<String>,
    pub time_zone: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Organization {
    /// The name to show a reader of `locale`.
    pub fn display_name(&self, locale: Locale) -> &str {
        if let Some(n) = self.names.get(locale.tag()) {
            return n;
        }
        if locale == Locale::En && !self.name_en.is_empty() {
            return &self.name_en;
        }
        &self.name
    }

    fn from_row(r: organization::Model) -> Organization {
        Organization {
            id: OrgId(r.id),
            kind: OrgKind::parse(&r.kind).unwrap_or(OrgKind::Other),
            tier: r.tier.as_deref().and_then(|t| Tier::parse(t).ok()),
            code: r.code,
            parent_id: r.parent_id.map(OrgId),
            name: r.name,
            name_en: r.name_en,
            names: serde_json::from_str(&r.names).unwrap_or_default(),
            country: r.country,
            city: r.city,
            time_zone: r.time_zone,
            email: r.email,
            phone: r.phone,
            website: r.website,
            address: r.address,
            active: r.active,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    /// The fields the audit log compares.
    fn audit_view(&self) -> serde_json::Value {
        json!({
            "kind": self.kind.as_str(), "tier": self.tier.map(Tier::as_str), "code": self.code,
            "parent_id": self.parent_id, "name": self.name, "name_en": self.name_en,
            "names": self.names, "country": self.country, "city": self.city,
            "time_zone": self.time_zone, "email": self.email, "phone": self.phone,
            "website": self.website, "address": self.address, "active": self.active,
        })
    }
}

/// Fields to set. On create, `kind` and `name` are required; on update, an absent field is
/// left as it is and an empty string clears an optional field.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct OrgChanges {
    pub kind: Option<String>,
    pub tier: Option<String>,
    pub code: Option<String>,
    pub parent_id: Option<i64>,
    /// The parent by its code (instead of `parent_id`); an empty code clears the parent.
    pub parent_code: Option<String>,
    /// Set to clear the parent (a JSON `null` cannot be told from an absent field).
    #[serde(default)]
    pub clear_parent: bool,
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub names: Option<BTreeMap<String, String>>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub time_zone: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    pub active: Option<bool>,
}

#[derive(Clone, Debug, Default)]
pub struct OrgFilter {
    pub kind: Option<OrgKind>,
    pub parent: Option<OrgId>,
    /// Matches any name, the code or the city, folded for case and width.
    pub q: Option<String>,
    pub active: Option<bool>,
    pub page: PageRequest,
}

/// The organisation directory is open to every logged-in user.
pub async fn list(scope: &Scope<'_>, filter: OrgFilter) -> Result<Page<Organization>> {
    scope.actor.require_login()?;
    let mut q = organization::Entity::find();
    if let Some(k) = filter.kind {
        q = q.filter(organization::Column::Kind.eq(k.as_str()));
    }
    if let Some(p) = filter.parent {
        q = q.filter(organization::Column::ParentId.eq(p.0));
    }
    if let Some(a) = filter.active {
        q = q.filter(organization::Column::Active.eq(a));
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let pattern = format!("%{}%", crate::db::like_escape(&crate::text::search_fold(text)));
        q = q.filter(
            sea_orm::sea_query::Expr::col(organization::Column::SearchText)
                .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
        );
    }
    let total = q.clone().count(scope.db()).await?;
    let rows = q
        .order_by_asc(organization::Column::Kind)
        .order_by_asc(organization::Column::Code)
        .order_by_asc(organization::Column::Id)
        .offset(filter.page.offset())
        .limit(filter.page.per_page)
        .all(scope.db())
        .await?;
    Ok(Page {
        items: rows.into_iter().map(Organization::from_row).collect(),
        total,
        page: filter.page.page,
        per_page: filter.page.per_page,
    })
}

pub async fn get(scope: &Scope<'_>, id: OrgId) -> Result<Organization> {
    scope.actor.require_login()?;
    find(scope.db(), id).await?.ok_or(Error::NotFound)
}

pub async fn get_by_code(scope: &Scope<'_>, code: &str) -> Result<Organization> {
    scope.actor.require_login()?;
    find_by_code(scope.db(), code).await?.ok_or(Error::NotFound)
}

pub(crate) async fn find_by_code(conn: &impl ConnectionTrait, code: &str) -> Result<Option<Organization>> {
    let row = organization::Entity::find().filter(organization::Column::Code.eq(code.trim())).one(conn).await?;
    Ok(row.map(Organization::from_row))
}

pub(crate) async fn find(conn: &impl ConnectionTrait, id: OrgId) -> Result<Option<Organization>> {
    Ok(organization::Entity::find_by_id(id.0).one(conn).await?.map(Organization::from_row))
}

/// Several organisations by id, for showing names in lists.
pub async fn names_of(scope: &Scope<'_>, ids: &[OrgId]) -> Result<BTreeMap<OrgId, Organization>> {
    scope.actor.require_login()?;
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let rows = organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids.iter().map(|i| i.0)))
        .all(scope.db())
        .await?;
    Ok(rows.into_iter().map(|r| (OrgId(r.id), Organization::from_row(r))).collect())
}

pub async fn create(scope: &Scope<'_>, changes: OrgChanges) -> Result<Organization> {
    scope.actor.require(Role::Administrator)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let org = apply(&tx, None, changes).await?;
    audit::record(
        &tx,
        scope,
        audit::Entry {
            action: "organization.create",
            subject_type: "organization",
            subject_id: Some(org.id.to_string()),
            org_id: Some(org.id.0),
            details: org.audit_view(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(org)
}

/// Applies `changes` if the record is still at `expected_version`; otherwise nothing changes
/// and the caller is told the record moved on (`conflict_stale`).
pub async fn update(
    scope: &Scope<'_>,
    id: OrgId,
    expected_version: Option<i32>,
    changes: OrgChanges,
) -> Result<Organization> {
    scope.actor.require(Role::Administrator)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let before = find(&tx, id).await?.ok_or(Error::NotFound)?;
    if expected_version.is_some_and(|v| v != before.version) {
        return Err(Error::Refused(ErrorCode::ConflictStale));
    }
    let after = apply(&tx, Some(&before), changes).await?;
    let subject = ("organization", id.to_string());
    audit::record_change(
        &tx,
        scope,
        "organization.update",
        subject,
        Some(id.0),
        &before.audit_view(),
        &after.audit_view(),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Validates `changes` against `before` (None: a new record) and writes the result.
async fn apply(
    conn: &impl ConnectionTrait,
    before: Option<&Organization>,
    changes: OrgChanges,
) -> Result<Organization> {
    let candidate = validate(conn, before, changes).await?;
    write(conn, before, candidate).await
}

/// What the record would be after `changes`, all fields checked; nothing is written.
async fn validate(
    conn: &impl ConnectionTrait,
    before: Option<&Organization>,
    changes: OrgChanges,
) -> Result<Organization> {
    let mut checks = Checks::new();
    let kind = match changes.kind.as_deref() {
        Some(k) => checks.field("kind", OrgKind::parse(k)),
        None => match before {
            Some(b) => Some(b.kind),
            None => {
                checks.push(FieldError::new("kind", ErrorCode::ValueRequired));
                None
            }
        },
    };
    let tier = match changes.tier.as_deref().map(str::trim) {
        Some("") => None,
        Some(t) => checks.field("tier", Tier::parse(t)),
        None => before.and_then(|b| b.tier),
    };
    if kind == Some(OrgKind::MemberLocalGovernment) && tier.is_none() {
        checks.push(FieldError::new("tier", ErrorCode::ValueRequired));
    }
    let tier = if kind == Some(OrgKind::MemberLocalGovernment) { tier } else { None };
    let name = match changes.name.as_deref() {
        Some(n) => checks.take(validate::required_text("name", n, 200)),
        None => match before {
            Some(b) => Some(b.name.clone()),
            None => {
                checks.push(FieldError::new("name", ErrorCode::ValueRequired));
                None
            }
        },
    };
    let name_en = match changes.name_en.as_deref() {
        Some(n) => checks.take(validate::optional_text("name_en", Some(n), 200)).map(Option::unwrap_or_default),
        None => Some(before.map(|b| b.name_en.clone()).unwrap_or_default()),
    };
    let names = match changes.names {
        Some(map) => {
            let mut clean = BTreeMap::new();
            for (tag, n) in map {
                let Some(locale) = checks.field("names", Locale::parse(&tag)) else { continue };
                if let Some(Some(n)) = checks.take(validate::optional_text("names", Some(&n), 200)) {
                    clean.insert(locale.tag().to_string(), n);
                }
            }
            clean
        }
        None => before.map(|b| b.names.clone()).unwrap_or_default(),
    };
    let opt =
        |checks: &mut Checks, field: &'static str, new: Option<String>, old: Option<&Option<String>>, max| match new {
            Some(v) => checks.take(validate::optional_text(field, Some(&v), max)).flatten(),
            None => old.cloned().flatten(),
        };
    let code = opt(&mut checks, "code", changes.code, before.map(|b| &b.code), 40);
    let city = opt(&mut checks, "city", changes.city, before.map(|b| &b.city), 120);
    let phone = opt(&mut checks, "phone", changes.phone, before.map(|b| &b.phone), 60);
    let website = opt(&mut checks, "website", changes.website, before.map(|b| &b.website), 300);
    let address = opt(&mut checks, "address", changes.address, before.map(|b| &b.address), 500);
    let email = match changes.email.as_deref().map(str::trim) {
        Some("") => None,
        Some(e) => checks.field("email", validate::Email::parse(e)).map(|e| e.as_str().to_string()),
        None => before.and_then(|b| b.email.clone()),
    };
    let country = match changes.country.as_deref().map(str::trim) {
        Some("") => None,
        Some(c) => checks.field("country", CountryCode::parse(c)).map(|c| c.as_str().to_string()),
        None => before.and_then(|b| b.country.clone()),
    };
    let time_zone = match changes.time_zone.as_deref().map(str::trim) {
        Some("") => None,
        Some(t) => checks.field("time_zone", TimeZone::parse(t)).map(|t| t.name().to_string()),
        None => before.and_then(|b| b.time_zone.clone()),
    };
    let parent_code = changes.parent_code.as_deref().map(str::trim);
    let parent_id = if changes.clear_parent || parent_code == Some("") {
        None
    } else if let Some(code) = parent_code {
        match find_by_code(conn, code).await? {
            None => {
                checks.push(FieldError::new("parent_code", ErrorCode::UnknownOrganization));
                None
            }
            Some(parent) => {
                if let Some(b) = before {
                    if creates_cycle(conn, b.id, parent.id).await? {
                        checks.push(FieldError::new("parent_code", ErrorCode::InvalidParent));
                    }
                }
                Some(parent.id)
            }
        }
    } else {
        match changes.parent_id {
            Some(p) => match find(conn, OrgId(p)).await? {
                None => {
                    checks.push(FieldError::new("parent_id", ErrorCode::UnknownOrganization));
                    None
                }
                Some(parent) => {
                    if let Some(b) = before {
                        if creates_cycle(conn, b.id, parent.id).await? {
                            checks.push(FieldError::new("parent_id", ErrorCode::InvalidParent));
                        }
                    }
                    Some(parent.id)
                }
            },
            None => before.and_then(|b| b.parent_id),
        }
    };
    checks.finish()?;
    let (kind, name, name_en) = (kind.expect("checked"), name.expect("checked"), name_en.expect("checked"));

    let now = crate::db::now();
    Ok(Organization {
        id: before.map_or(OrgId(0), |b| b.id),
        kind,
        tier,
        code,
        parent_id,
        name,
        name_en,
        names,
        country,
        city,
        time_zone,
        email,
        phone,
        website,
        address,
        active: changes.active.unwrap_or(before.is_none_or(|b| b.active)),
        version: before.map_or(1, |b| b.version + 1),
        created_at: before.map_or(now, |b| b.created_at),
        updated_at: now,
    })
}

/// Writes a validated record: inserts it, or updates `before` if nobody changed it meanwhile.
async fn write(conn: &impl ConnectionTrait, before: Option<&Organization>, o: Organization) -> Result<Organization> {
    let mut search_parts: Vec<&str> = vec![&o.name, &o.name_en];
    search_parts.extend(o.names.values().map(String::as_str));
    search_parts.extend(o.code.as_deref());
    search_parts.extend(o.city.as_deref());
    let search_text = crate::text::search_text(search_parts);
    let model = organization::ActiveModel {
        id: before.map_or(NotSet, |b| Set(b.id.0)),
        kind: Set(o.kind.as_str().to_string()),
        tier: Set(o.tier.map(|t| t.as_str().to_string())),
        code: Set(o.code),
        parent_id: Set(o.parent_id.map(|p| p.0)),
        name: Set(o.name),
        name_en: Set(o.name_en),
        names: Set(serde_json::to_string(&o.names).expect("map serialises")),
        country: Set(o.country),
        city: Set(o.city),
        time_zone: Set(o.time_zone),
        email: Set(o.email),
        phone: Set(o.phone),
        website: Set(o.website),
        address: Set(o.address),
        active: Set(o.active),
        search_text: Set(search_text),
        version: Set(o.version),
        created_at: Set(o.created_at),
        updated_at: Set(o.updated_at),
    };
    let written = if let Some(b) = before {
        // The version guard makes the update conditional: a concurrent writer that got there
        // first leaves zero rows matched, and this one is refused.
        let result = organization::Entity::update_many()
            .set(model)
            .filter(organization::Column::Id.eq(b.id.0))
            .filter(organization::Column::Version.eq(b.version))
            .exec(conn)
            .await;
        match result {
            Ok(r) if r.rows_affected == 0 => return Err(Error::Refused(ErrorCode::ConflictStale)),
            Ok(_) => find(conn, b.id).await?.ok_or(Error::NotFound)?,
            Err(e) if crate::db::is_unique_violation(&e) => return Err(Error::field("code", ErrorCode::CodeTaken)),
            Err(e) => return Err(e.into()),
        }
    } else {
        match model.insert(conn).await {
            Ok(row) => Organization::from_row(row),
            Err(e) if crate::db::is_unique_violation(&e) => return Err(Error::field("code", ErrorCode::CodeTaken)),
            Err(e) => return Err(e.into()),
        }
    };
    Ok(written)
}

/// Whether making `parent` the parent of `org` would make `org` its own ancestor.
async fn creates_cycle(conn: &impl ConnectionTrait, org: OrgId, parent: OrgId) -> Result<bool> {
    let mut cursor = Some(parent);
    let mut steps = 0;
    while let Some(id) = cursor {
        if id == org {
            return Ok(true);
        }
        steps += 1;
        if steps > 64 {
            return Ok(true);
        }
        cursor = find(conn, id).await?.and_then(|o| o.parent_id);
    }
    Ok(false)
}

/// One organisation of a CSV import or of the shipped reference data.
#[derive(Clone, Debug, Deserialize)]
pub struct OrgRecord {
    pub code: String,
    pub kind: String,
    #[serde(default)]
    pub tier: String,
    #[serde(default)]
    pub parent_code: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub name_ko: String,
    #[serde(default)]
    pub name_zh_hans: String,
    #[serde(default)]
    pub name_zh_hant: String,
    #[serde(default)]
    pub name_ja: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub time_zone: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Creates or updates organisations by code, parents before children. Running it twice with
/// the same records changes nothing the second time. All records are checked first: one bad
/// record (named by its line) and nothing is written.
pub async fn import(scope: &Scope<'_>, records: Vec<OrgRecord>) -> Result<ImportReport> {
    scope.actor.require(Role::Administrator)?;
    let tx = crate::db::begin_write(scope.writer()).await?;
    let mut report = ImportReport::default();
    for (i, rec) in records.iter().enumerate() {
        let line = i + 2; // one header line, 1-based
        let mut names = BTreeMap::new();
        for (tag, n) in
            [("ko", &rec.name_ko), ("zh-Hans", &rec.name_zh_hans), ("zh-Hant", &rec.name_zh_hant), ("ja", &rec.name_ja)]
        {
            if !n.trim().is_empty() {
                names.insert(tag.to_string(), n.trim().to_string());
            }
        }
        let changes = OrgChanges {
            kind: Some(rec.kind.clone()),
            tier: Some(rec.tier.clone()),
            code: Some(rec.code.clone()),
            parent_code: Some(rec.parent_code.clone()),
            name: Some(rec.name.clone()),
            name_en: Some(rec.name_en.clone()),
            names: Some(names),
            country: Some(rec.country.clone()),
            city: Some(rec.city.clone()),
            time_zone: Some(rec.time_zone.clone()),
            ..Default::default()
        };
        let existing = find_by_code(&tx, &rec.code).await?;
        let prefix = |e: Error| match e {
            Error::Invalid(fields) => Error::Invalid(
                fields.into_iter().map(|f| FieldError::new(format!("line {line}: {}", f.field), f.code)).collect(),
            ),
            other => other,
        };
        match existing {
            None => {
                report.created += 1;
                let org = apply(&tx, None, changes).await.map_err(prefix)?;
                audit::record(
                    &tx,
                    scope,
                    audit::Entry {
                        action: "organization.create",
                        subject_type: "organization",
                        subject_id: Some(org.id.to_string()),
                        org_id: Some(org.id.0),
                        details: org.audit_view(),
                    },
                )
                .await?;
            }
            Some(before) => {
                let candidate = validate(&tx, Some(&before), changes).await.map_err(prefix)?;
                let details = audit::diff(&before.audit_view(), &candidate.audit_view(), &[]);
                if details.as_object().is_some_and(|d| d.is_empty()) {
                    // Nothing differs: leave the record (and its version) alone.
                    report.unchanged += 1;
                } else {
                    report.updated += 1;
                    let after = write(&tx, Some(&before), candidate).await?;
                    audit::record(
                        &tx,
                        scope,
                        audit::Entry {
                            action: "organization.update",
                            subject_type: "organization",
                            subject_id: Some(after.id.to_string()),
                            org_id: Some(after.id.0),
                            details,
                        },
                    )
                    .await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(report)
}

/// Reads organisation records from CSV text (header line first).
pub fn parse_csv(text: &str) -> Result<Vec<OrgRecord>> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in reader.deserialize::<OrgRecord>().enumerate() {
        let rec = rec.map_err(|_| Error::field(format!("line {}", i + 2), ErrorCode::InvalidBody))?;
        out.push(rec);
    }
    Ok(out)
}
