use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_offices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub partner_id: i64,
    pub election_id: Option<i64>,
    pub office: String,
    pub holder: String,
    pub affiliation: Option<String>,
    pub member_org_id: Option<i64>,
    pub term_start: Option<i32>,
    pub term_end: Option<i32>,
    pub elected: bool,
}

impl ActiveModelBehavior for ActiveModel {}
