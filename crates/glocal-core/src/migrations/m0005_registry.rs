//! The exchange registry: foreign local governments, relationships and their activity,
//! partners and international organisations, partner seeking and recommendation outcomes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    from: (&'static str, &'static str),
    to: (&'static str, &'static str),
    cascade: bool,
) -> ForeignKeyCreateStatement {
    let mut f = ForeignKey::create();
    f.from(from.0, from.1).to(to.0, to.1);
    if cascade {
        f.on_delete(ForeignKeyAction::Cascade);
    }
    f.to_owned()
}

async fn index(m: &SchemaManager<'_>, table: &'static str, cols: &[&'static str]) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(format!("idx_{table}_{}", cols.join("_"))).table(table);
    for c in cols {
        i.col(*c);
    }
    m.create_index(i.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A foreign local government: a gazetteer place (place_id) or an entry made by hand,
        // with the association's standard Korean spelling.
        m.create_table(
            Table::create()
                .table("registry_cities")
                .col(big_pk_auto("id"))
                .col(big_integer_null("place_id").unique_key())
                .col(string("name"))
                .col(string_null("name_ko"))
                .col(text("names"))
                .col(string("country"))
                .col(string_null("region"))
                .col(big_integer_null("population"))
                .col(double_null("latitude"))
                .col(double_null("longitude"))
                .col(string_null("time_zone"))
                .col(big_integer_null("merged_into"))
                .col(text("search_text"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(("registry_cities", "place_id"), ("places", "id"), false))
                .to_owned(),
        )
        .await?;
        index(m, "registry_cities", &["country"]).await?;
        m.create_table(
            Table::create()
                .table("registry_city_names")
                .col(big_pk_auto("id"))
                .col(big_integer("city_id"))
                .col(string("key"))
                .foreign_key(&mut fk(("registry_city_names", "city_id"), ("registry_cities", "id"), true))
                .to_owned(),
        )
        .await?;
        index(m, "registry_city_names", &["key"]).await?;
        index(m, "registry_city_names", &["city_id"]).await?;

        m.create_table(
            Table::create()
                .table("registry_relationships")
                .col(big_pk_auto("id"))
                .col(big_integer("member_org_id"))
                .col(big_integer_null("city_id"))
                .col(big_integer_null("partner_org_id"))
                .col(string("kind"))
                .col(date_null("signed_on"))
                .col(string_null("signed_place"))
                .col(string_null("signatories"))
                .col(text("fields"))
                .col(string("status"))
                .col(date_null("status_since"))
                .col(date_null("ended_on"))
                .col(text_null("member_contacts"))
                .col(text_null("partner_contacts"))
                .col(text("documents"))
                .col(text_null("notes"))
                .col(date_null("last_activity_on"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(("registry_relationships", "member_org_id"), ("organizations", "id"), false))
                .foreign_key(&mut fk(("registry_relationships", "city_id"), ("registry_cities", "id"), false))
                .foreign_key(&mut fk(("registry_relationships", "partner_org_id"), ("organizations", "id"), false))
                .to_owned(),
        )
        .await?;
        index(m, "registry_relationships", &["member_org_id"]).await?;
        index(m, "registry_relationships", &["city_id"]).await?;
        m.create_table(
            Table::create()
                .table("registry_activities")
                .col(big_pk_auto("id"))
                .col(big_integer("relationship_id"))
                .col(string("kind"))
                .col(date("started_on"))
                .col(date_null("ended_on"))
                .col(string("title"))
                .col(text_null("participants"))
                .col(text_null("notes"))
                .col(big_integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    ("registry_activities", "relationship_id"),
                    ("registry_relationships", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "registry_activities", &["relationship_id"]).await?;

        // Partners: foreign missions in Korea, associations abroad, international organisations.
        m.create_table(
            Table::create()
                .table("registry_partners")
                .col(big_pk_auto("id"))
                .col(string("category"))
                .col(string("name"))
                .col(string("name_en"))
                .col(text("names"))
                .col(string_null("acronym"))
                .col(string_null("country"))
                .col(string_null("city"))
                .col(string_null("website"))
                .col(text_null("notes"))
                .col(text("search_text"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("registry_contacts")
                .col(big_pk_auto("id"))
                .col(big_integer("partner_id"))
                .col(string("name"))
                .col(string_null("post"))
                .col(text("languages"))
                .col(string_null("email"))
                .col(string_null("phone"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(("registry_contacts", "partner_id"), ("registry_partners", "id"), true))
                .to_owned(),
        )
        .await?;
        index(m, "registry_contacts", &["partner_id"]).await?;
        m.create_table(
            Table::create()
                .table("registry_memberships")
                .col(big_pk_auto("id"))
                .col(big_integer("member_org_id"))
                .col(big_integer("partner_id"))
                .col(integer_null("since_year"))
                .col(integer_null("until_year"))
                .foreign_key(&mut fk(("registry_memberships", "member_org_id"), ("organizations", "id"), false))
                .foreign_key(&mut fk(("registry_memberships", "partner_id"), ("registry_partners", "id"), true))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("registry_elections")
                .col(big_pk_auto("id"))
                .col(big_integer("partner_id"))
                .col(date("held_on"))
                .col(string("title"))
                .col(string_null("place"))
                .foreign_key(&mut fk(("registry_elections", "partner_id"), ("registry_partners", "id"), true))
                .to_owned(),
        )
        .await?;
        // An office held in a partner organisation, with its term; elected ones name the
        // election and are its results.
        m.create_table(
            Table::create()
                .table("registry_offices")
                .col(big_pk_auto("id"))
                .col(big_integer("partner_id"))
                .col(big_integer_null("election_id"))
                .col(string("office"))
                .col(string("holder"))
                .col(string_null("affiliation"))
                .col(big_integer_null("member_org_id"))
                .col(integer_null("term_start"))
                .col(integer_null("term_end"))
                .col(boolean("elected"))
                .foreign_key(&mut fk(("registry_offices", "partner_id"), ("registry_partners", "id"), true))
                .foreign_key(&mut fk(("registry_offices", "election_id"), ("registry_elections", "id"), true))
                .to_owned(),
        )
        .await?;

        // What a member seeks, and what came of recommendations.
        m.create_table(
            Table::create()
                .table("registry_seekings")
                .col(big_pk_auto("id"))
                .col(big_integer("member_org_id"))
                .col(text("countries"))
                .col(text("fields"))
                .col(big_integer_null("min_population"))
                .col(big_integer_null("max_population"))
                .col(text("motive"))
                .col(boolean("open"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(("registry_seekings", "member_org_id"), ("organizations", "id"), false))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("registry_outcomes")
                .col(big_pk_auto("id"))
                .col(big_integer("member_org_id"))
                .col(big_integer("place_id"))
                .col(string("outcome"))
                .col(text_null("note"))
                .col(double_null("score"))
                .col(big_integer_null("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(&mut fk(("registry_outcomes", "member_org_id"), ("organizations", "id"), false))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
