//! Embeddings beside the index, in an append-only file (`vectors.bin`), keyed
//! by the text they were made of rather than by tantivy document: a record is
//! embedded when the file has an entry for its `vector_hash` (the text's
//! content and the embedding recipe, see [`vector_key`]). Embedding is then a
//! job of its own that never rewrites the index, resumes where it stopped,
//! and can be done elsewhere and imported.
//!
//! The format, also that of `embed --out` and `embed --import`:
//!
//! ```text
//! magic     8 bytes   "RPVECT01"
//! width     u32 LE    numbers per vector (384)
//! recipe    u32 LE    length, then that many bytes of UTF-8: crate::embed::VERSION
//! records   until the end of the file, each:
//!   key     u64 LE    vector_key(text)
//!   vector  width × f32 LE, unit length
//! ```
//!
//! A torn last record (a process killed mid-write) is cut off when the file is
//! next opened for writing; readers stop at the last whole record.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::schema::content_hash;
use crate::embed::{DIM, VERSION};
use crate::error::{Error, Result, VectorFileError};

/// The vectors file's name in the index folder.
pub const FILE: &str = "vectors.bin";
const MAGIC: &[u8; 8] = b"RPVECT01";
/// Bytes of one record.
pub const RECORD_BYTES: usize = 8 + DIM * 4;
/// Vectors per chunk: chunks are shared between index generations, so that a
/// reload reads only what was appended.
const CHUNK: usize = 8192;

/// A text's vector key: its content and how it is embedded.
pub fn vector_key(text: &str) -> u64 {
    content_hash(&format!("{VERSION}\n{text}"))
}

/// The header of a vectors file for this binary's recipe.
fn header() -> Vec<u8> {
    let mut h = Vec::with_capacity(16 + VERSION.len());
    h.extend_from_slice(MAGIC);
    h.extend_from_slice(&(DIM as u32).to_le_bytes());
    h.extend_from_slice(&(VERSION.len() as u32).to_le_bytes());
    h.extend_from_slice(VERSION.as_bytes());
    h
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.into(),
        source,
    }
}

fn bad(path: &Path, problem: VectorFileError) -> Error {
    Error::VectorFile {
        path: path.into(),
        problem,
    }
}

/// Reads and checks a header; returns its length in bytes.
fn read_header(file: &mut File, path: &Path) -> Result<u64> {
    let mut fixed = [0u8; 16];
    file.read_exact(&mut fixed)
        .map_err(|_| bad(path, VectorFileError::NotVectors))?;
    if &fixed[..8] != MAGIC {
        return Err(bad(path, VectorFileError::NotVectors));
    }
    let width = u32::from_le_bytes([fixed[8], fixed[9], fixed[10], fixed[11]]) as usize;
    let recipe_len = u32::from_le_bytes([fixed[12], fixed[13], fixed[14], fixed[15]]) as usize;
    if recipe_len > 4096 {
        return Err(bad(path, VectorFileError::NotVectors));
    }
    let mut recipe = vec![0u8; recipe_len];
    file.read_exact(&mut recipe)
        .map_err(|_| bad(path, VectorFileError::NotVectors))?;
    if width != DIM {
        return Err(bad(
            path,
            VectorFileError::Width {
                found: width,
                expected: DIM,
            },
        ));
    }
    let recipe = String::from_utf8_lossy(&recipe).into_owned();
    if recipe != VERSION {
        return Err(bad(path, VectorFileError::Recipe { found: recipe }));
    }
    Ok(16 + recipe_len as u64)
}

/// Decodes whole records from `bytes` into `keys` and `data`.
fn decode(bytes: &[u8], keys: &mut Vec<u64>, data: &mut Vec<f32>) {
    debug_assert_eq!(bytes.len() % RECORD_BYTES, 0);
    for record in bytes.chunks_exact(RECORD_BYTES) {
        let (key, vector) = record.split_at(8);
        keys.push(u64::from_le_bytes(key.try_into().unwrap_or_default()));
        data.extend(crate::embed::floats_from_bytes(vector));
    }
}

/// Up to [`CHUNK`] vectors, in file order.
#[derive(Clone, Default)]
pub(crate) struct Chunk {
    keys: Vec<u64>,
    data: Vec<f32>,
}

/// The vectors of one file as far as it has been read: cheap to clone (the
/// chunks are shared), and [`Vectors::refresh`] reads only what was appended.
#[derive(Clone, Default)]
pub(crate) struct Vectors {
    chunks: Vec<Arc<Chunk>>,
    /// Where each key is, by position in the file; the first of duplicates wins.
    positions: Arc<HashMap<u64, u32>>,
    len: usize,
    header_len: u64,
}

impl Vectors {
    /// The vectors in the index folder's file (none if it does not exist).
    pub(crate) fn of_index(index: &Path) -> Result<Vectors> {
        let mut v = Vectors::default();
        v.refresh(&index.join(FILE))?;
        Ok(v)
    }

    /// The vectors in the index folder's file, or none where the file was
    /// made by another recipe (its keys name other texts: nothing matches).
    pub(crate) fn of_index_current(index: &Path) -> Result<Vectors> {
        match Vectors::of_index(index) {
            Err(Error::VectorFile {
                problem: VectorFileError::Recipe { .. },
                ..
            }) => Ok(Vectors::default()),
            other => other,
        }
    }

    /// Reads the records appended to `path` since the last call.
    pub(crate) fn refresh(&mut self, path: &Path) -> Result<()> {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_error(path)(e)),
        };
        if self.header_len == 0 {
            self.header_len = read_header(&mut file, path)?;
        }
        let size = file.metadata().map_err(io_error(path))?.len();
        let whole = (size.saturating_sub(self.header_len) as usize) / RECORD_BYTES;
        if whole <= self.len {
            return Ok(());
        }
        let from = self.header_len + (self.len * RECORD_BYTES) as u64;
        file.seek(SeekFrom::Start(from)).map_err(io_error(path))?;
        let mut bytes = vec![0u8; (whole - self.len) * RECORD_BYTES];
        file.read_exact(&mut bytes).map_err(io_error(path))?;
        let positions = Arc::make_mut(&mut self.positions);
        let mut offset = 0;
        while offset < bytes.len() {
            if self.chunks.last().is_none_or(|c| c.keys.len() == CHUNK) {
                self.chunks.push(Arc::new(Chunk::default()));
            }
            let Some(chunk) = self.chunks.last_mut().map(Arc::make_mut) else {
                break;
            };
            let room = (CHUNK - chunk.keys.len()) * RECORD_BYTES;
            let take = room.min(bytes.len() - offset);
            let before = chunk.keys.len();
            decode(
                &bytes[offset..offset + take],
                &mut chunk.keys,
                &mut chunk.data,
            );
            for (i, key) in chunk.keys[before..].iter().enumerate() {
                positions.entry(*key).or_insert((self.len + i) as u32);
            }
            self.len += chunk.keys.len() - before;
            offset += take;
        }
        debug_assert_eq!(self.len, whole);
        Ok(())
    }

    /// Vectors read.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Where `key`'s vector is.
    pub(crate) fn position(&self, key: u64) -> Option<u32> {
        self.positions.get(&key).copied()
    }

    /// The vector at `position`.
    pub(crate) fn at(&self, position: u32) -> &[f32] {
        let p = position as usize;
        let chunk = &self.chunks[p / CHUNK];
        let i = p % CHUNK;
        &chunk.data[i * DIM..(i + 1) * DIM]
    }

    /// The key of the vector at `position`.
    pub(crate) fn key_at(&self, position: u32) -> u64 {
        let p = position as usize;
        self.chunks[p / CHUNK].keys[p % CHUNK]
    }

    /// `key`'s vector.
    pub(crate) fn get(&self, key: u64) -> Option<&[f32]> {
        self.position(key).map(|p| self.at(p))
    }

    /// Whether `key` has a vector.
    pub(crate) fn contains(&self, key: u64) -> bool {
        self.positions.contains_key(&key)
    }
}

/// Appends vectors to a file, holding an exclusive lock on it: one writer at
/// a time (two `embed`s, or `embed` beside `ingest`, are refused).
pub(crate) struct VectorWriter {
    path: PathBuf,
    out: BufWriter<File>,
    pending: usize,
}

impl VectorWriter {
    /// Opens `path` for appending, creating it with a header if needed, and
    /// cuts off a torn last record. A file of another recipe is refused.
    pub(crate) fn open(path: &Path) -> Result<VectorWriter> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io_error(path))?;
        file.try_lock()
            .map_err(|_| Error::VectorsLocked { path: path.into() })?;
        let size = file.metadata().map_err(io_error(path))?.len();
        if size == 0 {
            file.write_all(&header()).map_err(io_error(path))?;
            file.sync_data().map_err(io_error(path))?;
        } else {
            let header_len = read_header(&mut file, path)?;
            let whole = size.saturating_sub(header_len) / RECORD_BYTES as u64;
            let end = header_len + whole * RECORD_BYTES as u64;
            if end != size {
                file.set_len(end).map_err(io_error(path))?;
            }
        }
        file.seek(SeekFrom::End(0)).map_err(io_error(path))?;
        Ok(VectorWriter {
            path: path.into(),
            out: BufWriter::with_capacity(1 << 20, file),
            pending: 0,
        })
    }

    /// Appends one vector; durable after [`VectorWriter::commit`].
    pub(crate) fn append(&mut self, key: u64, vector: &[f32]) -> Result<()> {
        debug_assert_eq!(vector.len(), DIM);
        let mut record = Vec::with_capacity(RECORD_BYTES);
        record.extend_from_slice(&key.to_le_bytes());
        vector
            .iter()
            .for_each(|x| record.extend_from_slice(&x.to_le_bytes()));
        self.out.write_all(&record).map_err(io_error(&self.path))?;
        self.pending += 1;
        Ok(())
    }

    /// Writes what was appended through to the disk.
    pub(crate) fn commit(&mut self) -> Result<()> {
        if self.pending == 0 {
            return Ok(());
        }
        self.out.flush().map_err(io_error(&self.path))?;
        self.out
            .get_ref()
            .sync_data()
            .map_err(io_error(&self.path))?;
        self.pending = 0;
        Ok(())
    }
}

/// The writer of the index folder's vectors file. A file of an older recipe
/// is set aside as `vectors.bin.stale` (its vectors match no text of this
/// recipe), and the returned note says so.
pub(crate) fn open_index_writer(index: &Path) -> Result<(VectorWriter, Option<String>)> {
    let path = index.join(FILE);
    match VectorWriter::open(&path) {
        Err(Error::VectorFile {
            problem: VectorFileError::Recipe { found },
            ..
        }) => {
            let stale = path.with_extension("bin.stale");
            std::fs::rename(&path, &stale).map_err(io_error(&path))?;
            let note = format!(
                "{} was made by the embedding recipe \"{found}\"; set aside as {}, every text is embedded again",
                path.display(),
                stale.display()
            );
            Ok((VectorWriter::open(&path)?, Some(note)))
        }
        other => other.map(|w| (w, None)),
    }
}

/// Every record of a finished vectors file (an import): checked whole, so a
/// file cut short or of another model is refused before anything is added.
pub(crate) fn read_all(path: &Path) -> Result<Vectors> {
    let mut file = File::open(path).map_err(io_error(path))?;
    let header_len = read_header(&mut file, path)?;
    let size = file.metadata().map_err(io_error(path))?.len();
    let body = size - header_len;
    if body % RECORD_BYTES as u64 != 0 {
        return Err(bad(
            path,
            VectorFileError::Truncated {
                records: body / RECORD_BYTES as u64,
                extra: body % RECORD_BYTES as u64,
            },
        ));
    }
    let mut vectors = Vectors::default();
    vectors.refresh(path)?;
    for position in 0..vectors.len() as u32 {
        let v = vectors.at(position);
        let norm: f32 = v.iter().map(|x| x * x).sum();
        if !norm.is_finite() || (norm - 1.0).abs() > 0.01 {
            return Err(bad(
                path,
                VectorFileError::NotUnit {
                    record: position as u64,
                },
            ));
        }
    }
    Ok(vectors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: usize) -> Vec<f32> {
        let mut v: Vec<f32> = (0..DIM).map(|i| ((i * 7 + seed) % 13) as f32).collect();
        crate::embed::normalise(&mut v);
        v
    }

    #[test]
    fn appended_vectors_are_read_back_incrementally_and_a_torn_record_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let mut writer = VectorWriter::open(&path).unwrap();
        assert!(
            matches!(VectorWriter::open(&path), Err(Error::VectorsLocked { .. })),
            "a second writer is refused"
        );
        for i in 0..3 {
            writer.append(i, &unit(i as usize)).unwrap();
        }
        writer.commit().unwrap();
        let mut read = Vectors::default();
        read.refresh(&path).unwrap();
        assert_eq!(read.len(), 3);
        assert_eq!(read.get(2).unwrap(), unit(2).as_slice());
        let shared = read.clone();
        writer.append(9, &unit(9)).unwrap();
        writer.commit().unwrap();
        drop(writer);
        // A record torn in half, as a SIGKILL mid-write leaves it.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[1, 2, 3]).unwrap();
        read.refresh(&path).unwrap();
        assert_eq!((read.len(), shared.len()), (4, 3));
        assert_eq!(read.get(9).unwrap(), unit(9).as_slice());
        assert!(matches!(
            read_all(&path),
            Err(Error::VectorFile {
                problem: VectorFileError::Truncated {
                    records: 4,
                    extra: 3
                },
                ..
            })
        ));
        let writer = VectorWriter::open(&path).unwrap();
        drop(writer);
        assert_eq!(read_all(&path).unwrap().len(), 4);
    }

    #[test]
    fn another_file_or_recipe_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("other.bin");
        std::fs::write(&path, b"not vectors at all").unwrap();
        assert!(matches!(
            read_all(&path),
            Err(Error::VectorFile {
                problem: VectorFileError::NotVectors,
                ..
            })
        ));
        let mut other = header();
        other[8..12].copy_from_slice(&128u32.to_le_bytes());
        std::fs::write(&path, &other).unwrap();
        assert!(matches!(
            VectorWriter::open(&path),
            Err(Error::VectorFile {
                problem: VectorFileError::Width { found: 128, .. },
                ..
            })
        ));
    }
}
