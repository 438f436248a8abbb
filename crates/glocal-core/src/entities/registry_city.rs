use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "registry_cities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub place_id: Option<i64>,
    pub name: String,
    pub name_ko: Option<String>,
    /// JSON array of further names, in any script (entries made by hand).
    pub names: String,
    pub country: String,
    pub region: Option<String>,
    pub population: Option<i64>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub time_zone: Option<String>,
    pub merged_into: Option<i64>,
    pub search_text: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
