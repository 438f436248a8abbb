//! Small builders the migrations share. They only spell columns and keys; changing what one
//! produces would change the schema of migrations already applied, so add a new builder
//! instead.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// A timestamp with time zone, not null.
pub(super) fn ts(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone(name)
}

/// A timestamp with time zone that may be null.
pub(super) fn ts_null(name: &'static str) -> ColumnDef {
    timestamp_with_time_zone_null(name)
}

/// A foreign key from `(table, column)` to `to.id`.
pub(super) fn fk(from: (&'static str, &'static str), to: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to, "id").to_owned()
}
