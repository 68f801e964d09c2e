//! The tantivy schema. The paragraph is the unit of retrieval; each statement is
//! indexed beside it so that a speaker filter matches the speaker's own words.
//! One more record per document holds its metadata and outline.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

/// Bumped whenever the schema or the meaning of a field changes; an index written
/// with another version is refused with a message to re-ingest.
pub const SCHEMA_VERSION: u32 = 4;

/// Record kinds in the `kind` field.
pub const KIND_PARAGRAPH: &str = "p";
pub const KIND_STATEMENT: &str = "s";
pub const KIND_DOCUMENT: &str = "d";

#[derive(Clone)]
pub struct Fields {
    pub kind: Field,
    /// The document id: the delete key on re-ingest.
    pub doc_id: Field,
    /// "<document-id>#<number>": groups statements under their paragraph.
    pub key: Field,
    pub number: Field,
    /// Paragraph position in its document, for neighbours and outline order.
    pub ordinal: Field,
    /// [`paragraph_id`] of the key: groups statements by paragraph from a fast field.
    pub para: Field,
    /// Statement position in its paragraph.
    pub statement: Field,
    pub text: Field,
    /// Exact canonical speaker names: filters.
    pub speaker_name: Field,
    pub speaker: Field,
    pub agenda: Field,
    pub topic: Field,
    pub document: Field,
    pub body: Field,
    pub year: Field,
    /// yyyymmdd of the meeting, for sorting and date ranges.
    pub date: Field,
    /// The paragraph or document (outline) as JSON, for display.
    pub payload: Field,
    /// A document record's summary as JSON: the catalog reads only this.
    pub summary: Field,
    /// The record's text embedding, little-endian f32 (see [`crate::embed`]).
    pub vector: Field,
    /// [`content_hash`] of the embedded text: unchanged text reuses its vector.
    pub vector_hash: Field,
    /// Words in the embedded text: very short texts get less trust by meaning.
    pub words: Field,
    /// Sustainable Development Goals by meaning.
    pub sdg: Field,
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_indexing = TextFieldIndexing::default()
        .set_tokenizer("en_stem")
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text_options = TextOptions::default()
        .set_indexing_options(text_indexing)
        .set_stored();
    let facet = FacetOptions::default().set_stored();
    let fields = Fields {
        kind: b.add_text_field("kind", STRING),
        doc_id: b.add_text_field("doc_id", STRING | STORED),
        key: b.add_text_field("key", STRING | STORED | FAST),
        number: b.add_text_field("number", STRING | STORED),
        ordinal: b.add_u64_field("ordinal", INDEXED | STORED | FAST),
        para: b.add_u64_field("para", INDEXED | FAST),
        statement: b.add_u64_field("statement", STORED | FAST),
        text: b.add_text_field("text", text_options),
        speaker_name: b.add_text_field("speaker_name", STRING),
        speaker: b.add_facet_field("speaker", facet.clone()),
        agenda: b.add_facet_field("agenda", facet.clone()),
        topic: b.add_facet_field("topic", facet.clone()),
        document: b.add_facet_field("document", facet.clone()),
        body: b.add_facet_field("body", facet.clone()),
        year: b.add_facet_field("year", facet.clone()),
        date: b.add_u64_field("date", INDEXED | STORED | FAST),
        payload: b.add_text_field("payload", STORED),
        summary: b.add_text_field("summary", STORED),
        vector: b.add_bytes_field("vector", FAST),
        vector_hash: b.add_u64_field("vector_hash", FAST),
        words: b.add_u64_field("words", FAST),
        sdg: b.add_facet_field("sdg", facet),
    };
    (b.build(), fields)
}

impl Fields {
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            kind: f("kind")?,
            doc_id: f("doc_id")?,
            key: f("key")?,
            number: f("number")?,
            ordinal: f("ordinal")?,
            para: f("para")?,
            statement: f("statement")?,
            text: f("text")?,
            speaker_name: f("speaker_name")?,
            speaker: f("speaker")?,
            agenda: f("agenda")?,
            topic: f("topic")?,
            document: f("document")?,
            body: f("body")?,
            year: f("year")?,
            date: f("date")?,
            payload: f("payload")?,
            summary: f("summary")?,
            vector: f("vector")?,
            vector_hash: f("vector_hash")?,
            words: f("words")?,
            sdg: f("sdg")?,
        })
    }
}

/// "2018-10-25" → 20181025.
pub fn date_number(date: Option<&str>) -> Option<u64> {
    let d = date?;
    let digits: String = d.chars().filter(|c| c.is_ascii_digit()).take(8).collect();
    match digits.len() {
        8 => digits.parse().ok(),
        4 => digits.parse::<u64>().ok().map(|y| y * 10_000 + 101),
        _ => None,
    }
}

/// A stable 64-bit id of a paragraph key ("A/HRC/8/44#12"), FNV-1a: fast
/// fields group statements by it without reading stored documents.
pub fn paragraph_id(key: &str) -> u64 {
    content_hash(key)
}

/// FNV-1a of a text: stable across runs and platforms.
pub fn content_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
