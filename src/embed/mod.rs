//! Sentence embeddings with all-MiniLM-L6-v2, run by ONNX Runtime (the `ort`
//! crate, library loaded at run time) on the CPU: WordPiece tokens, the
//! transformer's last hidden state, mean pooling over the attention mask and L2
//! normalisation, as sentence-transformers does. The files come from PyPI
//! wheels through `scripts/setup-models.sh`; nothing is downloaded here.

mod device;
mod meaning;
pub use device::{Device, Settings};
pub(crate) use meaning::content;
pub mod sdg;

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use lru::LruCache;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::Tensor;
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use crate::error::{EmbeddingError, Error, Result};

/// Width of a vector.
pub const DIM: usize = 384;
/// The model's max_seq_length (sentence-transformers' configuration).
pub const MAX_TOKENS: usize = 256;
/// Texts per inference call: one. The int8 graph quantises activations with
/// one scale per call, so a text's vector would depend on its batch-mates (a
/// resumed or sharded run would make other vectors for the same text); one
/// text a call pads nothing and runs as fast on a CPU (BENCHMARKS.md).
const BATCH: usize = 1;
const QUERY_CACHE: usize = 4096;
const SENTENCE_CACHE: usize = 65_536;

/// The int8 graph `scripts/setup-models.sh` makes from the exact weights
/// (int8 matrix products per output channel; ARCHITECTURE.md).
const MODEL: &str = "all-MiniLM-L6-v2/model-int8.onnx";
const TOKENIZER: &str = "all-MiniLM-L6-v2/tokenizer.json";
const RUNTIME: &str = device::CPU_RUNTIME;

/// Names how texts are turned into vectors; part of each stored vector's key,
/// so a change here re-embeds instead of mixing old and new vectors.
pub const VERSION: &str = "all-MiniLM-L6-v2 int8 matmul per channel onnx; mean pooling; acronyms spelled out; States and boilerplate left out; v3";

/// The vectors of one batch, or why it failed.
type BatchVectors = Result<Vec<Vec<f32>>>;

/// A unit vector of [`DIM`] numbers.
pub type Vector = Arc<[f32]>;

/// Where the model files are: `$RAPPORTEUR_MODELS`, else `models/` here, else
/// `models/` beside the checkout the binary was built in.
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("RAPPORTEUR_MODELS") {
        return PathBuf::from(dir);
    }
    let here = PathBuf::from("models");
    if here.join(MODEL).exists() {
        return here;
    }
    let built_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    if built_in.join(MODEL).exists() {
        return built_in;
    }
    here
}

/// Whether the model files are in `dir`.
pub fn available(dir: &Path) -> bool {
    [MODEL, TOKENIZER, RUNTIME]
        .iter()
        .all(|f| dir.join(f).is_file())
}

/// The sentence-embedding model (all-MiniLM-L6-v2 on ONNX Runtime): texts in, unit vectors out.
pub struct Embedder {
    tokenizer: Tokenizer,
    model: PathBuf,
    device: Device,
    /// One single-threaded session per core, made on first use: two sessions on
    /// two cores embed faster than one session with two threads.
    sessions: Vec<OnceLock<std::result::Result<Mutex<Session>, EmbeddingError>>>,
    _environment: ort::environment::Environment,
    cache: Mutex<LruCache<String, Vector>>,
    cache_hits: AtomicU64,
    /// Vectors of indexed sentences (highlights by meaning), apart from the
    /// query cache: they recur across searches and cost ~10 ms each to make.
    sentences: Mutex<LruCache<String, Vector>>,
}

static SHARED: OnceLock<std::result::Result<Arc<Embedder>, EmbeddingError>> = OnceLock::new();
static SETTINGS: OnceLock<Settings> = OnceLock::new();

fn embedding_error(e: impl Into<EmbeddingError>) -> Error {
    Error::Embedding(e.into())
}

impl Embedder {
    /// Sets how the process's embedder is made (device, sessions); before
    /// its first use, or to the settings it was made with.
    pub fn configure(settings: Settings) -> Result<()> {
        if *SETTINGS.get_or_init(|| settings) != settings {
            return Err(Error::EmbedderConfigured);
        }
        Ok(())
    }

    /// The process's embedder (ONNX Runtime is loaded once per process).
    pub fn shared() -> Result<Arc<Embedder>> {
        // Once loaded, every search asks again: answer without touching the disk.
        if let Some(loaded) = SHARED.get() {
            return loaded.clone().map_err(Error::Embedding);
        }
        let settings = *SETTINGS.get_or_init(Settings::default);
        let dir = models_dir();
        if !available(&dir) {
            return Err(Error::ModelMissing { dir });
        }
        settings.device.prepare(&dir)?;
        SHARED
            .get_or_init(|| Embedder::load(&dir, settings).map(Arc::new))
            .clone()
            .map_err(Error::Embedding)
    }

    /// Whether [`Embedder::shared`] answers at once: the model has been
    /// loaded (or has failed to load) in this process.
    pub fn is_loaded() -> bool {
        SHARED.get().is_some()
    }

    /// Loads the model in `dir`, whose files [`Embedder::shared`] has found.
    fn load(dir: &Path, settings: Settings) -> std::result::Result<Embedder, EmbeddingError> {
        let environment = ort::init_from(settings.device.runtime(dir))?
            .with_name("rapporteur")
            .build()?;
        let mut tokenizer = Tokenizer::from_file(dir.join(TOKENIZER))?;
        // The packaged tokenizer pads every text to 128; pad to the batch instead
        // and truncate at the model's own limit.
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))?
            .with_padding(Some(PaddingParams {
                strategy: PaddingStrategy::BatchLongest,
                ..Default::default()
            }));
        let cores = settings
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(8)));
        let embedder = Embedder {
            tokenizer,
            model: dir.join(MODEL),
            device: settings.device,
            sessions: (0..cores).map(|_| OnceLock::new()).collect(),
            _environment: environment,
            cache: Mutex::new(LruCache::new(
                NonZeroUsize::new(QUERY_CACHE).unwrap_or(NonZeroUsize::MIN),
            )),
            cache_hits: AtomicU64::new(0),
            sentences: Mutex::new(LruCache::new(
                NonZeroUsize::new(SENTENCE_CACHE).unwrap_or(NonZeroUsize::MIN),
            )),
        };
        if embedder.device == Device::Cuda {
            // A GPU that cannot start is said at once, not at the first batch.
            let first = embedder.new_session()?;
            let _ = embedder.sessions[0].set(Ok(Mutex::new(first)));
        }
        Ok(embedder)
    }

    fn session(&self, i: usize) -> Result<&Mutex<Session>> {
        self.sessions[i % self.sessions.len()]
            .get_or_init(|| self.new_session().map(Mutex::new))
            .as_ref()
            .map_err(|e| Error::Embedding(e.clone()))
    }

    /// A single-threaded session on the embedder's device.
    fn new_session(&self) -> std::result::Result<Session, EmbeddingError> {
        let plain = |e: ort::Error<_>| EmbeddingError::from(ort::Error::<()>::from(e));
        let builder = Session::builder(&self._environment)?
            .with_optimization_level(GraphOptimizationLevel::Level3)
            .map_err(plain)?
            .with_intra_threads(1)
            .map_err(plain)?
            .with_inter_threads(1)
            .map_err(plain)?;
        let mut builder = self.device.register(builder)?;
        Ok(builder.commit_from_file(&self.model)?)
    }

    /// Embeds up to a batch of texts with session `slot`.
    fn embed_batch(&self, slot: usize, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let prepared: Vec<String> = texts.iter().map(|t| self.spell_acronyms(t)).collect();
        let encodings = self
            .tokenizer
            .encode_batch(prepared, true)
            .map_err(embedding_error)?;
        let batch = encodings.len();
        let seq = encodings.first().map_or(0, |e| e.get_ids().len());
        let mut ids = Vec::with_capacity(batch * seq);
        let mut mask = Vec::with_capacity(batch * seq);
        let mut types = Vec::with_capacity(batch * seq);
        for e in &encodings {
            ids.extend(e.get_ids().iter().map(|&x| i64::from(x)));
            mask.extend(e.get_attention_mask().iter().map(|&x| i64::from(x)));
            types.extend(e.get_type_ids().iter().map(|&x| i64::from(x)));
        }
        let shape = [batch as i64, seq as i64];
        let tensor = |v: Vec<i64>| Tensor::from_array((shape, v)).map_err(embedding_error);
        let inputs = ort::inputs![
            "input_ids" => tensor(ids)?,
            "attention_mask" => tensor(mask.clone())?,
            "token_type_ids" => tensor(types)?,
        ];
        let mut session = self
            .session(slot)?
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let outputs = session.run(inputs).map_err(embedding_error)?;
        let (_, hidden) = outputs["last_hidden_state"]
            .try_extract_tensor::<f32>()
            .map_err(embedding_error)?;
        if hidden.len() != batch * seq * DIM {
            return Err(Error::Embedding(EmbeddingError::Shape {
                numbers: hidden.len(),
                batch,
                tokens: seq,
                width: DIM,
            }));
        }
        Ok(mean_pool(hidden, &mask, batch, seq))
    }

    /// The model reads lower case, so an acronym that spells a word ("CAT", the
    /// Convention against Torture; "WHO") would mean the animal or the pronoun:
    /// such acronyms are spelled out letter by letter ("C.A.T."). Text set in
    /// capitals throughout (a heading) is left as it is.
    fn spell_acronyms(&self, text: &str) -> String {
        let words: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().any(char::is_alphabetic))
            .collect();
        // Capitals throughout: hardly a word in lower case ("Ratify OP-CAT"
        // has one of three, a heading none).
        let lower = words
            .iter()
            .filter(|w| w.chars().any(char::is_lowercase))
            .count();
        if lower * 5 < words.len() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len() + 16);
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            let acronym = (2..=6).contains(&word.len())
                && word.chars().all(|c| c.is_ascii_uppercase())
                && self.tokenizer.token_to_id(&word.to_lowercase()).is_some();
            if acronym {
                for c in word.chars() {
                    out.push(c);
                    out.push('.');
                }
            } else {
                out.push_str(word);
            }
            word.clear();
        };
        for c in text.chars() {
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    /// Embeds many texts of documents, in batches spread over every core:
    /// their content, without States' names and attribution (see `meaning`;
    /// a query is embedded as typed). `progress` hears how many texts are
    /// done after each batch.
    pub fn embed(
        &self,
        texts: &[&str],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Vec<f32>>> {
        let contents: Vec<std::borrow::Cow<'_, str>> =
            texts.iter().map(|t| meaning::content(t)).collect();
        let texts: Vec<&str> = contents.iter().map(|c| c.as_ref()).collect();
        self.embed_as_typed(&texts, progress)
    }

    /// Embeds many texts as they are, as a query is (a thesaurus's wordings),
    /// spread over every core.
    pub fn embed_as_typed(
        &self,
        texts: &[&str],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Vec<f32>>> {
        // Batches of texts of like length: a batch is padded to its longest text.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| texts[i].len());
        let sorted: Vec<&str> = order.iter().map(|&i| texts[i]).collect();
        let vectors = self.embed_in_order(&sorted, progress)?;
        let mut out: Vec<Vec<f32>> = vec![Vec::new(); texts.len()];
        for (v, &i) in vectors.into_iter().zip(&order) {
            out[i] = v;
        }
        Ok(out)
    }

    fn embed_in_order(
        &self,
        texts: &[&str],
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Vec<f32>>> {
        let batches: Vec<&[&str]> = texts.chunks(BATCH).collect();
        let next = std::sync::atomic::AtomicUsize::new(0);
        let done = std::sync::atomic::AtomicUsize::new(0);
        let workers = self.sessions.len().min(batches.len()).max(1);
        let results: Mutex<Vec<Option<BatchVectors>>> =
            Mutex::new((0..batches.len()).map(|_| None).collect());
        std::thread::scope(|scope| {
            for worker in 0..workers {
                let (batches, next, done, results) = (&batches, &next, &done, &results);
                scope.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(batch) = batches.get(i) else { break };
                        let result = self.embed_batch(worker, batch);
                        let failed = result.is_err();
                        results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(result);
                        progress(done.fetch_add(batch.len(), Ordering::Relaxed) + batch.len());
                        if failed {
                            break;
                        }
                    }
                });
            }
        });
        let mut out = Vec::with_capacity(texts.len());
        for r in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
            match r {
                Some(Ok(vectors)) => out.extend(vectors),
                Some(Err(e)) => return Err(e),
                None => return Err(Error::Embedding(EmbeddingError::BatchMissing)),
            }
        }
        Ok(out)
    }

    /// A query's vector, from the LRU cache when the same text was asked before.
    pub fn query(&self, text: &str) -> Result<Vector> {
        let key = text.trim().to_owned();
        if let Some(v) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            self.cache_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(v.clone());
        }
        let vector: Vector = self
            .embed_batch(0, &[key.as_str()])?
            .pop()
            .ok_or(Error::Embedding(EmbeddingError::QueryMissing))?
            .into();
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .put(key, vector.clone());
        Ok(vector)
    }

    /// Vectors of indexed sentences (to highlight), through their own cache.
    pub fn embed_cached(&self, texts: &[&str]) -> Result<Vec<Vector>> {
        let mut out: Vec<Option<Vector>> = {
            let mut cache = self.sentences.lock().unwrap_or_else(|e| e.into_inner());
            texts.iter().map(|t| cache.get(*t).cloned()).collect()
        };
        let missing: Vec<&str> = texts
            .iter()
            .zip(&out)
            .filter(|(_, v)| v.is_none())
            .map(|(t, _)| *t)
            .collect();
        if !missing.is_empty() {
            let vectors = self.embed(&missing, &|_| {})?;
            let mut cache = self.sentences.lock().unwrap_or_else(|e| e.into_inner());
            let mut fresh = missing.iter().zip(vectors);
            for slot in out.iter_mut().filter(|v| v.is_none()) {
                if let Some((text, v)) = fresh.next() {
                    let v: Vector = v.into();
                    cache.put((*text).to_owned(), v.clone());
                    *slot = Some(v);
                }
            }
        }
        out.into_iter()
            .map(|v| v.ok_or(Error::Embedding(EmbeddingError::SentenceMissing)))
            .collect()
    }

    /// Forgets every cached query vector (benchmarks of the cold path).
    pub fn clear_cache(&self) {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Queries answered from the cache so far.
    pub fn cache_hits(&self) -> u64 {
        self.cache_hits.load(Ordering::Relaxed)
    }
}

/// Mean of the token vectors the attention mask keeps, scaled to unit length.
/// `hidden` is [batch, seq, DIM], `mask` [batch, seq].
pub fn mean_pool(hidden: &[f32], mask: &[i64], batch: usize, seq: usize) -> Vec<Vec<f32>> {
    (0..batch)
        .map(|i| {
            let mut v = vec![0f32; DIM];
            let mut tokens = 0f32;
            for t in 0..seq {
                if mask[i * seq + t] == 0 {
                    continue;
                }
                tokens += 1.0;
                let row = &hidden[(i * seq + t) * DIM..(i * seq + t + 1) * DIM];
                v.iter_mut().zip(row).for_each(|(a, x)| *a += x);
            }
            let tokens = tokens.max(1e-9);
            v.iter_mut().for_each(|a| *a /= tokens);
            normalise(&mut v);
            v
        })
        .collect()
}

/// Scales `v` to unit length, so that a dot product is a cosine.
pub fn normalise(v: &mut [f32]) {
    let norm = v.iter().map(|a| a * a).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|a| *a /= norm);
}

/// Cosine of two unit vectors.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has just been seen to support AVX2.
        return unsafe { dot_avx2(a, b) };
    }
    dot_in_lanes(a, b)
}

/// [`dot_in_lanes`] in AVX2 registers: the same operations in the same
/// order, so the same bits. Scoring every vector of a collection is most of
/// a hybrid search, and the compiler does not find this layout by itself.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    use std::arch::x86_64::{_mm256_add_ps, _mm256_loadu_ps, _mm256_mul_ps, _mm256_setzero_ps};
    let full = a.len().min(b.len()) / BLOCK * BLOCK;
    let mut sums = [_mm256_setzero_ps(); SUMS];
    for start in (0..full).step_by(BLOCK) {
        for (j, sum) in sums.iter_mut().enumerate() {
            let at = start + j * LANES;
            debug_assert!(at + LANES <= full);
            // SAFETY: `at + LANES <= full`, which neither slice's length is below.
            let (x, y) = unsafe {
                (
                    _mm256_loadu_ps(a.as_ptr().add(at)),
                    _mm256_loadu_ps(b.as_ptr().add(at)),
                )
            };
            *sum = _mm256_add_ps(*sum, _mm256_mul_ps(x, y));
        }
    }
    let lanes = _mm256_add_ps(
        _mm256_add_ps(sums[0], sums[1]),
        _mm256_add_ps(sums[2], sums[3]),
    );
    // SAFETY: both are eight f32 lanes.
    let lanes: [f32; LANES] = unsafe { std::mem::transmute(lanes) };
    across(lanes) + tail_dot(&a[full..], &b[full..])
}

/// Lanes of one SIMD register, and independent sums of them kept in flight, so
/// that the loop waits on the adder's throughput rather than its latency.
const LANES: usize = 8;
const SUMS: usize = 4;
const BLOCK: usize = LANES * SUMS;

/// The dot product as [`dot_avx2`] computes it, on any CPU. No fused
/// multiply-add, and a fixed order of the final additions: a CPU with FMA or
/// AVX2 and one without give the same scores.
#[inline(always)]
fn dot_in_lanes(a: &[f32], b: &[f32]) -> f32 {
    let full = a.len().min(b.len()) / BLOCK * BLOCK;
    let mut sums = [[0f32; LANES]; SUMS];
    for (x, y) in a[..full]
        .chunks_exact(BLOCK)
        .zip(b[..full].chunks_exact(BLOCK))
    {
        for (j, sum) in sums.iter_mut().enumerate() {
            for k in 0..LANES {
                sum[k] += x[j * LANES + k] * y[j * LANES + k];
            }
        }
    }
    let lanes: [f32; LANES] =
        std::array::from_fn(|k| (sums[0][k] + sums[1][k]) + (sums[2][k] + sums[3][k]));
    across(lanes) + tail_dot(&a[full..], &b[full..])
}

/// The lanes of one register added up, halves first.
#[inline(always)]
fn across(lanes: [f32; LANES]) -> f32 {
    let halves: [f32; 4] = std::array::from_fn(|k| lanes[k] + lanes[k + 4]);
    (halves[0] + halves[2]) + (halves[1] + halves[3])
}

/// The products past the last full block, added in order.
#[inline(always)]
fn tail_dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Vector to bytes (little-endian f32) for the index, and back.
pub fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Bytes back to a vector; `None` unless they hold exactly one vector of the model's dimension.
pub fn from_bytes(bytes: &[u8]) -> Option<Vec<f32>> {
    (bytes.len() == DIM * 4).then(|| floats_from_bytes(bytes).collect())
}

/// The little-endian f32s of `bytes`, as [`to_bytes`] wrote them (any number
/// of vectors; a trailing partial value is left out).
pub fn floats_from_bytes(bytes: &[u8]) -> impl Iterator<Item = f32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_pooling_ignores_padding_and_normalises() {
        // Two texts, three positions; the second text's last position is padding.
        let mut hidden = vec![0f32; 2 * 3 * DIM];
        for t in 0..3 {
            hidden[t * DIM] = 1.0 + t as f32; // text 0: dim 0 = 1, 2, 3
            hidden[(3 + t) * DIM + 1] = 2.0; // text 1: dim 1 = 2, 2, (pad 2)
        }
        hidden[(3 + 2) * DIM + 2] = 100.0; // padding that must not count
        let pooled = mean_pool(&hidden, &[1, 1, 1, 1, 1, 0], 2, 3);
        assert!((pooled[0][0] - 1.0).abs() < 1e-6);
        assert!((pooled[1][1] - 1.0).abs() < 1e-6);
        assert_eq!(pooled[1][2], 0.0);
        for v in &pooled {
            assert!((dot(v, v) - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn the_dot_product_is_the_sum_of_products_and_the_same_on_every_cpu() {
        // A length with a tail past the last full set of lanes, as well as the model's.
        for len in [DIM, 45] {
            let a: Vec<f32> = (0..len)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 61.0)
                .collect();
            let b: Vec<f32> = (0..len)
                .map(|i| ((i * 53 % 89) as f32 - 44.0) / 47.0)
                .collect();
            let naive: f64 = a.iter().zip(&b).map(|(x, y)| *x as f64 * *y as f64).sum();
            assert!(
                (dot(&a, &b) as f64 - naive).abs() < 1e-4,
                "{len}: {}",
                dot(&a, &b)
            );
            assert_eq!(dot(&a, &b).to_bits(), dot_in_lanes(&a, &b).to_bits());
        }
    }

    #[test]
    fn vectors_round_trip_through_bytes() {
        let v: Vec<f32> = (0..DIM).map(|i| i as f32 / 7.0).collect();
        assert_eq!(from_bytes(&to_bytes(&v)).unwrap(), v);
        assert!(from_bytes(&[0, 1, 2]).is_none());
    }
}
