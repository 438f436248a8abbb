//! Statistics of the register: relationships by country, region (the member's province), kind,
//! decade signed, status and member.

use std::collections::BTreeMap;

use serde::Serialize;

use super::relationships::{self, RelationshipFilter};
use super::{RelationshipKind, Status};
use crate::actor::Scope;
use crate::error::Result;
use crate::ids::OrgId;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    pub total: u64,
    /// ISO country code → count, largest first.
    pub by_country: Vec<(String, u64)>,
    /// Province (metropolitan or provincial government) → count, largest first.
    pub by_region: Vec<(OrgId, String, u64)>,
    pub by_kind: Vec<(RelationshipKind, u64)>,
    /// First year of the decade → count, oldest first; undated ones are left out.
    pub by_decade: Vec<(i32, u64)>,
    pub by_status: Vec<(Status, u64)>,
    /// Member → count, largest first.
    pub by_member: Vec<(OrgId, String, u64)>,
    pub dormant: u64,
}

fn ranked<K: Ord + Clone>(map: BTreeMap<K, u64>) -> Vec<(K, u64)> {
    let mut v: Vec<(K, u64)> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Counts over the relationships the actor may see that match `filter`.
pub async fn compute(scope: &Scope<'_>, filter: &RelationshipFilter) -> Result<Stats> {
    let home = scope.config().site.country.clone();
    let items = relationships::all(scope, filter).await?;
    let mut country = BTreeMap::new();
    let mut region = BTreeMap::new();
    let mut kind = BTreeMap::new();
    let mut decade = BTreeMap::new();
    let mut status = BTreeMap::new();
    let mut member = BTreeMap::new();
    let mut names: BTreeMap<OrgId, String> = BTreeMap::new();
    let mut dormant = 0;
    for r in &items {
        *country.entry(r.country(&home)).or_insert(0) += 1;
        *region.entry(r.member.province_id).or_insert(0) += 1;
        *kind.entry(r.kind).or_insert(0) += 1;
        if let Some(d) = r.decade() {
            *decade.entry(d).or_insert(0) += 1;
        }
        *status.entry(r.status).or_insert(0) += 1;
        *member.entry(r.member.id).or_insert(0) += 1;
        names.insert(r.member.id, r.member.name.clone());
        if r.dormant {
            dormant += 1;
        }
    }
    let province_ids: Vec<OrgId> = region.keys().copied().filter(|id| !names.contains_key(id)).collect();
    if !province_ids.is_empty() {
        for (id, o) in crate::orgs::names_of(scope, &province_ids).await? {
            names.insert(id, o.name);
        }
    }
    let name = |id: &OrgId| names.get(id).cloned().unwrap_or_default();
    Ok(Stats {
        total: items.len() as u64,
        by_country: ranked(country),
        by_region: ranked(region).into_iter().map(|(id, n)| (id, name(&id), n)).collect(),
        by_kind: ranked(kind),
        by_decade: decade.into_iter().collect(),
        by_status: ranked(status),
        by_member: ranked(member).into_iter().map(|(id, n)| (id, name(&id), n)).collect(),
        dormant,
    })
}
