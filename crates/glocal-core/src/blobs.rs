//! Stored files, known by the SHA-256 of their content. The bytes live under
//! `<data_dir>/blobs/ab/cd/abcd…`; the `blobs` table records which exist. Storing the same
//! content twice stores it once.
//!
//! A write is durable before it is acknowledged: the bytes go to a temporary file that is
//! synced, then renamed into place. Several processes on PostgreSQL must share the data
//! folder (a network file system) for attachments.

use std::path::{Path, PathBuf};

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::entities::blob;
use crate::error::Result;

#[derive(Clone, Debug)]
pub struct BlobStore {
    root: PathBuf,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredBlob {
    pub sha256: String,
    pub size: u64,
}

impl BlobStore {
    pub fn new(data_dir: &Path) -> BlobStore {
        BlobStore { root: data_dir.join("blobs") }
    }

    fn path(&self, sha256: &str) -> PathBuf {
        self.root.join(&sha256[..2]).join(&sha256[2..4]).join(sha256)
    }

    /// Stores `bytes` (once per distinct content) and records it on `conn`.
    pub async fn put(&self, conn: &impl ConnectionTrait, bytes: &[u8]) -> Result<StoredBlob> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let path = self.path(&sha256);
        if tokio::fs::metadata(&path).await.is_err() {
            let dir = path.parent().expect("blob paths have a parent");
            tokio::fs::create_dir_all(dir).await.map_err(anyhow::Error::from)?;
            let tmp = dir.join(format!(".{sha256}.{}.tmp", crate::secrets::random_token(6)));
            let mut f = tokio::fs::File::create(&tmp).await.map_err(anyhow::Error::from)?;
            f.write_all(bytes).await.map_err(anyhow::Error::from)?;
            f.sync_all().await.map_err(anyhow::Error::from)?;
            drop(f);
            tokio::fs::rename(&tmp, &path).await.map_err(anyhow::Error::from)?;
            if let Ok(d) = tokio::fs::File::open(dir).await {
                let _ = d.sync_all().await;
            }
        }
        if blob::Entity::find_by_id(sha256.clone()).one(conn).await?.is_none() {
            let row = blob::ActiveModel {
                sha256: Set(sha256.clone()),
                size: Set(bytes.len() as i64),
                created_at: Set(crate::db::now()),
            };
            if let Err(e) = row.insert(conn).await {
                if !crate::db::is_unique_violation(&e) {
                    return Err(e.into());
                }
            }
        }
        Ok(StoredBlob { sha256, size: bytes.len() as u64 })
    }

    /// The content of a stored blob, checked against its hash.
    pub async fn get(&self, sha256: &str) -> Result<Vec<u8>> {
        if sha256.len() != 64 || !sha256.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(crate::Error::NotFound);
        }
        let bytes = match tokio::fs::read(self.path(sha256)).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(crate::Error::NotFound),
            Err(e) => return Err(anyhow::Error::from(e).into()),
        };
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(anyhow::anyhow!("blob {sha256} is damaged on disk").into());
        }
        Ok(bytes)
    }
}
