//! The genre's thesaurus (`thesaurus.tsv`): for each concept of meeting
//! records, the terms the records use ("asylum seekers", "refugees") and the
//! everyday wordings people ask in ("people who flee and ask for
//! protection"). The embedding model places a question worded without the
//! records' terms near few of the paragraphs it means, and BM25 cannot match
//! words that are not there; a question whose meaning lies close to one of a
//! concept's everyday wordings also searches that concept's terms, by words
//! and by meaning.
//!
//! The wordings' vectors are made once per model and thesaurus (about two
//! seconds) and kept beside the model, so that a later process reads them.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::embed::{self, DIM, Embedder};
use crate::error::Result;
use crate::index::schema::content_hash;

/// The thesaurus, compiled in: concept, terms, wordings (see its header).
const SOURCE: &str = include_str!("thesaurus.tsv");

/// Cosine a question needs to one of a concept's everyday wordings.
const CLOSE: f32 = 0.6;
/// A second concept counts only this close to the first one's cosine.
const MARGIN: f32 = 0.05;
/// Concepts one question brings at most.
const MOST: usize = 2;

/// One concept: what the records call it and how people ask for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Concept {
    pub(crate) label: String,
    /// The records' own terms, most common first.
    pub(crate) terms: Vec<String>,
    pub(crate) wordings: Vec<String>,
}

impl Concept {
    /// What a question is compared with: the everyday wordings, and the
    /// records' terms (a question in the records' words is this concept and
    /// no other that a loose wording brings near).
    fn phrasings(&self) -> impl Iterator<Item = &str> {
        self.wordings.iter().chain(&self.terms).map(String::as_str)
    }
}

/// The concepts and one vector per everyday wording.
pub(crate) struct Thesaurus {
    concepts: Vec<Concept>,
    /// The concept of each wording, in the order of `vectors`.
    owners: Vec<usize>,
    /// `owners.len()` vectors of `DIM`, one after the other.
    vectors: Vec<f32>,
}

static SHARED: OnceLock<Thesaurus> = OnceLock::new();
/// One process embeds the wordings once, however many searches ask at once.
static BUILDING: Mutex<()> = Mutex::new(());

impl Thesaurus {
    /// The process's thesaurus, its wordings embedded by the shared model:
    /// read from the models folder when made before, else made (and kept there).
    pub(crate) fn shared() -> Result<&'static Thesaurus> {
        if let Some(loaded) = SHARED.get() {
            return Ok(loaded);
        }
        let _one = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(loaded) = SHARED.get() {
            return Ok(loaded);
        }
        let concepts = parse(SOURCE);
        let wordings: Vec<&str> = concepts.iter().flat_map(Concept::phrasings).collect();
        let cache = cache_path(&embed::models_dir());
        let vectors = match read_cache(&cache, wordings.len()) {
            Some(vectors) => vectors,
            None => {
                let made = Embedder::shared()?.embed_as_typed(&wordings, &|_| {})?;
                let flat: Vec<f32> = made.into_iter().flatten().collect();
                // A read-only models folder only costs the next process the same time.
                let _ = write_cache(&cache, &flat);
                flat
            }
        };
        Ok(SHARED.get_or_init(|| Thesaurus::new(concepts, vectors)))
    }

    /// Whether [`Thesaurus::shared`] answers at once.
    pub(crate) fn is_loaded() -> bool {
        SHARED.get().is_some()
    }

    fn new(concepts: Vec<Concept>, vectors: Vec<f32>) -> Thesaurus {
        let owners: Vec<usize> = concepts
            .iter()
            .enumerate()
            .flat_map(|(i, c)| std::iter::repeat_n(i, c.phrasings().count()))
            .collect();
        debug_assert_eq!(owners.len() * DIM, vectors.len());
        Thesaurus {
            concepts,
            owners,
            vectors,
        }
    }

    /// The concepts whose everyday wordings lie close to `query` (a unit
    /// vector), closest first, each with its best cosine.
    pub(crate) fn near(&self, query: &[f32]) -> Vec<(&Concept, f32)> {
        let mut best = vec![f32::MIN; self.concepts.len()];
        for (owner, vector) in self.owners.iter().zip(self.vectors.chunks_exact(DIM)) {
            best[*owner] = best[*owner].max(embed::dot(query, vector));
        }
        let mut near: Vec<(usize, f32)> = best
            .into_iter()
            .enumerate()
            .filter(|(_, cosine)| *cosine >= CLOSE)
            .collect();
        near.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let first = near.first().map_or(0.0, |n| n.1);
        near.into_iter()
            .take_while(|n| n.1 >= first - MARGIN)
            .take(MOST)
            .map(|(i, cosine)| (&self.concepts[i], cosine))
            .collect()
    }
}

/// The concepts of a thesaurus file: three tab-separated columns (label,
/// terms, wordings; items separated by ";"), `#` comments. A malformed line
/// is left out (the shipped file is checked by a test).
pub(crate) fn parse(source: &str) -> Vec<Concept> {
    let items = |column: &str| -> Vec<String> {
        column
            .split(';')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect()
    };
    source
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let mut columns = line.split('\t');
            let (label, terms, wordings) = (columns.next()?, columns.next()?, columns.next()?);
            let concept = Concept {
                label: label.trim().to_owned(),
                terms: items(terms),
                wordings: items(wordings),
            };
            (columns.next().is_none()
                && !concept.label.is_empty()
                && !concept.terms.is_empty()
                && !concept.wordings.is_empty())
            .then_some(concept)
        })
        .collect()
}

/// The cache of the wordings' vectors: named by the thesaurus and the model
/// version, so that a change of either makes a new one.
fn cache_path(models: &Path) -> PathBuf {
    let key = content_hash(&format!("{SOURCE}\u{1f}{}", embed::VERSION));
    models.join(format!("thesaurus-{key:016x}.vectors"))
}

fn read_cache(path: &Path, wordings: usize) -> Option<Vec<f32>> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() != wordings * DIM * 4 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

/// Written to a temporary name and renamed: a reader never sees half a file.
fn write_cache(path: &Path, vectors: &[f32]) -> std::io::Result<()> {
    let partial = path.with_extension(format!("part{}", std::process::id()));
    std::fs::write(&partial, embed::to_bytes(vectors))?;
    std::fs::rename(&partial, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_thesaurus_parses_whole() {
        let lines = SOURCE
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        let concepts = parse(SOURCE);
        assert_eq!(concepts.len(), lines, "every line is a concept");
        assert!(concepts.len() >= 150, "{} concepts", concepts.len());
        let mut labels: Vec<&str> = concepts.iter().map(|c| c.label.as_str()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), concepts.len(), "labels are unique");
        for c in &concepts {
            assert!((1..=8).contains(&c.terms.len()), "{}", c.label);
            assert!((3..=10).contains(&c.wordings.len()), "{}", c.label);
        }
    }

    /// The model leans on names: a wording that named a State would draw
    /// every question about that State to its concept.
    #[test]
    fn no_everyday_wording_names_a_state() {
        let gazetteer = crate::ingest::speakers::gazetteer();
        for c in parse(SOURCE) {
            for w in &c.wordings {
                let named = gazetteer.states_named(w);
                assert!(named.is_empty(), "{}: {w}: {:?}", c.label, named[0].speaker);
            }
        }
    }

    #[test]
    fn malformed_lines_are_left_out() {
        let source = "# comment\n\nasylum\tasylum seekers; refugees\tpeople who flee; running away\n\
                      two columns\tonly\nempty\t ; \tsomething\n";
        let concepts = parse(source);
        assert_eq!(concepts.len(), 1);
        assert_eq!(concepts[0].terms, ["asylum seekers", "refugees"]);
        assert_eq!(concepts[0].wordings, ["people who flee", "running away"]);
    }

    #[test]
    fn near_keeps_the_close_concepts_within_the_margin() {
        // One phrasing each: a wording, no term.
        let concept = |label: &str| Concept {
            label: label.into(),
            terms: Vec::new(),
            wordings: vec![label.into()],
        };
        let axis = |i: usize, cosine: f32| {
            // A unit vector at `cosine` from the first axis, in plane (0, i).
            let mut v = vec![0.0; DIM];
            v[0] = cosine;
            v[i] = (1.0 - cosine * cosine).sqrt();
            v
        };
        let vectors: Vec<f32> = [axis(1, 0.9), axis(2, 0.87), axis(3, 0.8), axis(4, 0.3)].concat();
        let thesaurus = Thesaurus::new(
            vec![concept("a"), concept("b"), concept("c"), concept("d")],
            vectors,
        );
        let mut query = vec![0.0; DIM];
        query[0] = 1.0;
        let labels: Vec<&str> = thesaurus
            .near(&query)
            .iter()
            .map(|(c, _)| c.label.as_str())
            .collect();
        // c is close but too far behind a; d is not close at all.
        assert_eq!(labels, ["a", "b"]);
    }

    #[test]
    fn the_cache_reads_back_what_was_written_and_refuses_another_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = cache_path(dir.path());
        let vectors: Vec<f32> = (0..2 * DIM).map(|i| i as f32).collect();
        write_cache(&path, &vectors).unwrap();
        assert_eq!(read_cache(&path, 2), Some(vectors));
        assert_eq!(read_cache(&path, 3), None);
    }
}
