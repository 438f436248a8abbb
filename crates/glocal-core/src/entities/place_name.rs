use sea_orm::entity::prelude::*;

/// One name of a place, with its lookup key (see `gazetteer::name_key`).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "place_names")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub place_id: i64,
    pub key: String,
}

impl ActiveModelBehavior for ActiveModel {}
