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

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use lru::LruCache;

use crate::embed::{self, DIM, Embedder};
use crate::index::schema::content_hash;

/// The thesaurus, compiled in: concept, terms, wordings (see its header).
const SOURCE: &str = include_str!("thesaurus.tsv");

/// Cosine a question needs to one of a concept's everyday wordings.
const CLOSE: f32 = 0.6;
/// A second concept counts only this close to the first one's cosine.
const MARGIN: f32 = 0.05;
/// Concepts one question brings at most.
const MOST: usize = 2;
/// Terms of a concept whose vectors move the question's on the meaning side:
/// its most common ones (the rarer are narrower).
const TERMS_DIRECTION: usize = 3;

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
    /// Where each concept's phrasings start in `owners`.
    starts: Vec<usize>,
    /// The concepts near questions asked before (a dot product with every
    /// phrasing costs a tenth of a warm search).
    asked: Mutex<LruCache<String, Vec<usize>>>,
}

/// Questions whose near concepts are kept.
const ASKED: NonZeroUsize = NonZeroUsize::new(4096).expect("not zero");

/// None where the wordings could not be embedded: searches go on without it.
static SHARED: OnceLock<Option<Thesaurus>> = OnceLock::new();
/// One process embeds the wordings once, however many searches ask at once.
static BUILDING: Mutex<()> = Mutex::new(());

impl Thesaurus {
    /// The process's thesaurus, its wordings embedded by the shared model:
    /// read from the models folder when made before, else made (and kept
    /// there). None where the model failed to embed them: a search by meaning
    /// then goes on with the question's own words, and this process does not
    /// try again at every search.
    pub(crate) fn shared() -> Option<&'static Thesaurus> {
        if let Some(loaded) = SHARED.get() {
            return loaded.as_ref();
        }
        let _one = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
        SHARED.get_or_init(Thesaurus::load).as_ref()
    }

    fn load() -> Option<Thesaurus> {
        let concepts = parse(SOURCE);
        let wordings: Vec<&str> = concepts.iter().flat_map(Concept::phrasings).collect();
        let cache = cache_path(&embed::models_dir());
        let vectors = match read_cache(&cache, wordings.len()) {
            Some(vectors) => vectors,
            None => {
                let embedder = Embedder::shared().ok()?;
                let made = embedder.embed_as_typed(&wordings, &|_| {}).ok()?;
                let flat: Vec<f32> = made.into_iter().flatten().collect();
                // A read-only models folder only costs the next process the same time.
                let _ = write_cache(&cache, &flat);
                flat
            }
        };
        Some(Thesaurus::new(concepts, vectors))
    }

    /// Forgets the concepts near questions asked before, if the thesaurus is
    /// loaded (benchmarks of the cold path).
    pub(crate) fn forget_questions() {
        if let Some(Some(loaded)) = SHARED.get() {
            loaded
                .asked
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
        }
    }

    /// Whether [`Thesaurus::shared`] answers at once (loaded, or failed).
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
        let starts = concepts
            .iter()
            .scan(0, |start, c| {
                let here = *start;
                *start += c.phrasings().count();
                Some(here)
            })
            .collect();
        Thesaurus {
            concepts,
            owners,
            vectors,
            starts,
            asked: Mutex::new(LruCache::new(ASKED)),
        }
    }

    /// What the thesaurus adds to a question whose vector is `query` (unit
    /// length): the terms of the concepts whose wordings lie close to it,
    /// closest first, and where those terms lie. None where there are none,
    /// or where `names` says the question already names the closest concept
    /// in the records' own terms: its other terms would widen a question
    /// that says what it means.
    ///
    /// `text` is the question the vector is of: the concepts near it are
    /// kept, as the model's vectors of questions are.
    pub(crate) fn expand(
        &self,
        text: &str,
        query: &[f32],
        mut names: impl FnMut(&Concept) -> bool,
    ) -> Option<Expansion> {
        let mut expansion = Expansion {
            terms: Vec::new(),
            direction: vec![0.0; DIM],
        };
        let cached = self
            .asked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(text)
            .cloned();
        let near = cached.unwrap_or_else(|| {
            let near = self.near(query);
            let mut asked = self.asked.lock().unwrap_or_else(|e| e.into_inner());
            asked.put(text.to_owned(), near.clone());
            near
        });
        for i in near {
            let concept = &self.concepts[i];
            if names(concept) {
                break;
            }
            for term in &concept.terms {
                if !expansion.terms.contains(term) {
                    expansion.terms.push(term.clone());
                }
            }
            self.add_terms_direction(i, &mut expansion.direction);
        }
        (!expansion.terms.is_empty()).then_some(expansion)
    }

    /// The concepts whose everyday wordings or terms lie close to `query`,
    /// closest first.
    fn near(&self, query: &[f32]) -> Vec<usize> {
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
            .map(|(i, _)| i)
            .collect()
    }

    /// Adds the mean of concept `i`'s first `TERMS_DIRECTION` terms' vectors.
    fn add_terms_direction(&self, i: usize, direction: &mut [f32]) {
        let concept = &self.concepts[i];
        let first_term = self.starts[i] + concept.wordings.len();
        let n = TERMS_DIRECTION.min(concept.terms.len());
        for t in first_term..first_term + n {
            let vector = &self.vectors[t * DIM..(t + 1) * DIM];
            for (d, x) in direction.iter_mut().zip(vector) {
                *d += x / n as f32;
            }
        }
    }
}

/// What the thesaurus adds to a question.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expansion {
    /// The records' terms, searched as optional phrases.
    pub(crate) terms: Vec<String>,
    /// Where they lie: the sum over the concepts of the mean of their first
    /// terms' vectors, by which the question's vector is moved.
    pub(crate) direction: Vec<f32>,
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
    Some(embed::floats_from_bytes(&bytes).collect())
}

/// Written to a temporary name of its own (process and time) and renamed: a
/// reader never sees half a file. Other versions' files are left to their
/// own binaries (an older server beside a newer CLI would else make them
/// again and again).
fn write_cache(path: &Path, vectors: &[f32]) -> std::io::Result<()> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let partial = path.with_extension(format!("part-{}-{nanos}", std::process::id()));
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
        // One phrasing each: a wording; its term is its label, unembedded.
        let concept = |label: &str| Concept {
            label: label.into(),
            terms: vec![label.into()],
            wordings: vec![label.into()],
        };
        let axis = |i: usize, cosine: f32| {
            // A unit vector at `cosine` from the first axis, in plane (0, i).
            let mut v = vec![0.0; DIM];
            v[0] = cosine;
            v[i] = (1.0 - cosine * cosine).sqrt();
            v
        };
        let vectors: Vec<f32> = [(1, 0.9), (2, 0.87), (3, 0.8), (4, 0.3)]
            .into_iter()
            .flat_map(|(i, cosine)| [axis(i, cosine), axis(i, cosine)].concat())
            .collect();
        let thesaurus = Thesaurus::new(
            vec![concept("a"), concept("b"), concept("c"), concept("d")],
            vectors,
        );
        let mut query = vec![0.0; DIM];
        query[0] = 1.0;
        // c is close but too far behind a; d is not close at all.
        assert_eq!(thesaurus.near(&query), [0, 1]);
        let expansion = thesaurus.expand("q", &query, |_| false).expect("a and b");
        assert_eq!(expansion.terms, ["a", "b"]);
        // Their terms' direction: the sum of a's and b's term vectors.
        let sum: Vec<f32> = axis(1, 0.9)
            .iter()
            .zip(axis(2, 0.87))
            .map(|(x, y)| x + y)
            .collect();
        assert_eq!(expansion.direction, sum);
        // The question names b: a stays.
        let named_b = thesaurus.expand("q", &query, |c| c.label == "b");
        assert_eq!(named_b.map(|e| e.terms), Some(vec!["a".to_owned()]));
        // It names a, the closest: nothing is added.
        assert_eq!(thesaurus.expand("q", &query, |c| c.label == "a"), None);
    }

    #[test]
    fn the_cache_reads_back_what_was_written_and_refuses_another_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = cache_path(dir.path());
        let vectors: Vec<f32> = (0..2 * DIM).map(|i| i as f32).collect();
        write_cache(&path, &vectors).unwrap();
        assert_eq!(read_cache(&path, 2), Some(vectors));
        assert_eq!(read_cache(&path, 3), None);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }
}
