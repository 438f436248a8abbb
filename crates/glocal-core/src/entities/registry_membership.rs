use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_memberships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub member_org_id: i64,
    pub partner_id: i64,
    pub since_year: Option<i32>,
    pub until_year: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}
