//! The index: a tantivy index plus a small manifest file that records the
//! schema version. [`writer`] builds it; [`Index::open`] opens it for search.

pub mod detached;
pub mod embedding;
pub mod schema;
pub(crate) mod stored;
pub mod vectors;
pub mod writer;

use std::path::{Path, PathBuf};
use std::sync::Weak;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
pub use schema::{Fields, SCHEMA_VERSION};

/// The manifest's file name in the index folder.
pub const MANIFEST: &str = "rapporteur.json";

/// What an index records about itself, checked on open.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// The schema the index was written with ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The rapporteur version that wrote it.
    pub rapporteur_version: String,
}

/// An open index, ready for search.
pub struct Index {
    pub(crate) path: PathBuf,
    pub(crate) index: tantivy::Index,
    pub(crate) reader: tantivy::IndexReader,
    pub(crate) fields: Fields,
}

impl Index {
    /// The folder the index lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the index at `path` for search.
    pub fn open(path: &Path) -> Result<Index> {
        Index::open_warmed(path, Vec::new())
    }

    /// Opens the index with `warmers`, which tantivy runs on every generation
    /// it loads (at open and after each commit) before searches see it.
    pub fn open_warmed(path: &Path, warmers: Vec<Weak<dyn tantivy::Warmer>>) -> Result<Index> {
        let manifest_path = path.join(MANIFEST);
        if !manifest_path.exists() {
            return Err(Error::NoIndex { path: path.into() });
        }
        check_manifest(path)?;
        let index = tantivy::Index::open_in_dir(path).map_err(|source| Error::Index {
            path: path.into(),
            source,
        })?;
        let fields = Fields::from_schema(&index.schema()).map_err(|_| Error::SchemaVersion {
            path: path.into(),
            found: 0,
            expected: SCHEMA_VERSION,
        })?;
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::OnCommitWithDelay)
            .warmers(warmers)
            .try_into()
            .map_err(|source| Error::Index {
                path: path.into(),
                source,
            })?;
        Ok(Index {
            path: path.into(),
            index,
            reader,
            fields,
        })
    }
}

/// Checks that the index at `path` has a manifest of this schema version.
pub fn check_manifest(path: &Path) -> Result<()> {
    let manifest_path = path.join(MANIFEST);
    let text = std::fs::read_to_string(&manifest_path).map_err(|source| Error::Io {
        path: manifest_path.clone(),
        source,
    })?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|source| Error::Manifest {
        path: path.into(),
        source,
    })?;
    if manifest.schema_version != SCHEMA_VERSION {
        return Err(Error::SchemaVersion {
            path: path.into(),
            found: manifest.schema_version,
            expected: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Writes the manifest into `path`, atomically (write, then rename).
pub fn write_manifest(path: &Path) -> Result<()> {
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        rapporteur_version: env!("CARGO_PKG_VERSION").into(),
    };
    let text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    let tmp = path.join(format!("{MANIFEST}.tmp"));
    std::fs::write(&tmp, text).map_err(|source| Error::Io {
        path: tmp.clone(),
        source,
    })?;
    std::fs::rename(&tmp, path.join(MANIFEST)).map_err(|source| Error::Io {
        path: path.join(MANIFEST),
        source,
    })
}
