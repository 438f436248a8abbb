//! The world gazetteer: places and their names in every script.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("places")
                .col(big_integer("id").primary_key())
                .col(string("name"))
                .col(string("country"))
                .col(string_null("admin1"))
                .col(big_integer("population"))
                .col(double("latitude"))
                .col(double("longitude"))
                .col(string_null("time_zone"))
                .col(text("names"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_places_country").table("places").col("country").to_owned()).await?;
        m.create_table(
            Table::create()
                .table("place_names")
                .col(big_pk_auto("id"))
                .col(big_integer("place_id"))
                .col(string("key"))
                .foreign_key(
                    ForeignKey::create()
                        .from("place_names", "place_id")
                        .to("places", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_place_names_key").table("place_names").col("key").to_owned()).await?;
        m.create_index(Index::create().name("idx_place_names_place").table("place_names").col("place_id").to_owned())
            .await?;
        Ok(())
    }
}
