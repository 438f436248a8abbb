use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_relationships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_org_id: i64,
    pub city_id: Option<i64>,
    pub partner_org_id: Option<i64>,
    pub kind: String,
    pub signed_on: Option<Date>,
    pub signed_place: Option<String>,
    pub signatories: Option<String>,
    /// JSON array of field codes.
    pub fields: String,
    pub status: String,
    pub status_since: Option<Date>,
    pub ended_on: Option<Date>,
    pub member_contacts: Option<String>,
    pub partner_contacts: Option<String>,
    /// JSON array of documents (title and link).
    pub documents: String,
    pub notes: Option<String>,
    pub last_activity_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
