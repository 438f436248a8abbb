//! The reference data shipped in `data/`: Korea's local governments and the association's own
//! units, loaded on first start and again whenever the shipped files change; and the starter
//! term base, loaded once into an empty term base.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

use crate::actor::{Actor, Origin, Scope};
use crate::entities::setting;
use crate::error::Result;
use crate::orgs::{self, ImportReport};

pub const KR_LOCAL_GOVERNMENTS: &str = include_str!("../data/kr_local_governments.csv");
pub const ASSOCIATION: &str = include_str!("../data/association.csv");

const HASH_KEY: &str = "refdata_hash";

/// Loads the shipped reference data unless this exact version is loaded already.
/// Returns what changed, or `None` when nothing needed doing.
pub async fn ensure_loaded(core: &crate::Core) -> Result<Option<ImportReport>> {
    if let Some(concepts) = crate::search::terms::ensure_starter(core).await? {
        tracing::info!(concepts, "starter term base loaded");
    }
    let hash = crate::secrets::sha256_hex(&format!("{KR_LOCAL_GOVERNMENTS}\n{ASSOCIATION}"));
    let stored = setting::Entity::find_by_id(HASH_KEY.to_string()).one(&core.db).await?;
    if stored.as_ref().is_some_and(|s| s.value == hash) {
        return Ok(None);
    }
    let actor = Actor::System("reference-data");
    let origin = Origin::default();
    let scope = Scope { core, actor: &actor, origin: &origin };
    let mut records = orgs::parse_csv(ASSOCIATION)?;
    records.extend(orgs::parse_csv(KR_LOCAL_GOVERNMENTS)?);
    let report = orgs::import(&scope, records).await?;
    let model =
        setting::ActiveModel { key: Set(HASH_KEY.to_string()), value: Set(hash), updated_at: Set(crate::db::now()) };
    if stored.is_some() {
        model.update(&core.db).await?;
    } else {
        model.insert(&core.db).await?;
    }
    Ok(Some(report))
}
