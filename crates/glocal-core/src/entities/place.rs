use sea_orm::entity::prelude::*;

/// A populated place of the world gazetteer (GeoNames); the id is the GeoNames id.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "places")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    pub name: String,
    pub country: String,
    pub admin1: Option<String>,
    pub population: i64,
    pub latitude: f64,
    pub longitude: f64,
    pub time_zone: Option<String>,
    /// JSON array of every name the gazetteer gives, in every script.
    pub names: String,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
