//! Manifests: a JSONL or CSV file that gives each speech's metadata (path,
//! speaker, date, body, meeting, title), for collections whose files carry
//! none. Paths are relative to the manifest's folder.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Source;
use super::speech::SpeechMeta;
use crate::error::{Error, ManifestLineError, Result};

/// The sources a manifest lists. A line that cannot be read becomes a
/// [`Source::Broken`], reported at ingest while the other lines are ingested.
pub fn read(manifest: &Path) -> Result<Vec<Source>> {
    let text = std::fs::read_to_string(manifest).map_err(|source| Error::Io {
        path: manifest.into(),
        source,
    })?;
    let base = manifest.parent().unwrap_or(Path::new("."));
    let is_csv = manifest
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let entries: Vec<(usize, std::result::Result<SpeechMeta, ManifestLineError>)> = if is_csv {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        reader
            .deserialize::<SpeechMeta>()
            .enumerate()
            .map(|(i, r)| (i + 2, r.map_err(|e| ManifestLineError::Csv(Arc::new(e)))))
            .collect()
    } else {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                let entry =
                    serde_json::from_str(l).map_err(|e| ManifestLineError::Json(Arc::new(e)));
                (i + 1, entry)
            })
            .collect()
    };
    if entries.is_empty() {
        return Err(Error::EmptyManifest {
            path: manifest.into(),
        });
    }
    Ok(entries
        .into_iter()
        .map(|(line, entry)| {
            let origin = PathBuf::from(format!("{}:{line}", manifest.display()));
            match entry {
                Ok(meta) if meta.path.trim().is_empty() => Source::Broken {
                    origin,
                    reason: ManifestLineError::NoPath,
                },
                Ok(meta) if meta.speaker.trim().is_empty() => Source::Broken {
                    origin,
                    reason: ManifestLineError::NoSpeaker,
                },
                Ok(meta) => Source::Speech {
                    path: base.join(&meta.path),
                    meta,
                },
                Err(reason) => Source::Broken { origin, reason },
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_jsonl_and_csv_with_broken_lines_kept_as_errors() {
        let dir = tempfile::tempdir().unwrap();
        let jsonl = dir.path().join("m.jsonl");
        std::fs::write(
            &jsonl,
            "{\"path\": \"a.txt\", \"speaker\": \"Japan\", \"date\": \"2018-09-25\"}\n\n{\"path\": 3}\n",
        )
        .unwrap();
        let sources = read(&jsonl).unwrap();
        assert_eq!(sources.len(), 2);
        assert!(
            matches!(&sources[0], Source::Speech { path, meta } if path.ends_with("a.txt") && meta.speaker == "Japan")
        );
        assert!(
            matches!(&sources[1], Source::Broken { origin, .. } if origin.to_string_lossy().ends_with(":3"))
        );

        let csv = dir.path().join("m.csv");
        std::fs::write(
            &csv,
            "path,speaker,date,body\nb.txt,ROK,2019,\nc.txt,,2019,\n",
        )
        .unwrap();
        let sources = read(&csv).unwrap();
        assert!(
            matches!(&sources[0], Source::Speech { meta, .. } if meta.speaker == "ROK" && meta.body.is_none())
        );
        assert!(matches!(
            &sources[1],
            Source::Broken {
                reason: ManifestLineError::NoSpeaker,
                ..
            }
        ));
    }
}
