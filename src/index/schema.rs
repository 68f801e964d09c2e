//! The tantivy schema. The paragraph is the unit of retrieval; each statement is
//! indexed beside it so that a speaker filter matches the speaker's own words.
//! One more record per document holds its metadata and outline.

use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

/// Bumped whenever the schema or the meaning of a field changes; an index written
/// with another version is refused with a message to re-ingest.
pub const SCHEMA_VERSION: u32 = 9;

/// Record kinds in the `kind` field.
pub(crate) const KIND_PARAGRAPH: &str = "p";
pub(crate) const KIND_STATEMENT: &str = "s";
pub(crate) const KIND_DOCUMENT: &str = "d";

/// The schema's fields, by name.
#[derive(Clone)]
pub struct Fields {
    pub(crate) kind: Field,
    /// The document id: the delete key on re-ingest.
    pub(crate) doc_id: Field,
    /// "<document-id>#<number>": groups statements under their paragraph.
    pub(crate) key: Field,
    pub(crate) number: Field,
    /// Paragraph position in its document, for neighbours and outline order.
    pub(crate) ordinal: Field,
    /// [`paragraph_id`] of the key: groups statements by paragraph from a fast field.
    pub(crate) para: Field,
    /// Statement position in its paragraph.
    pub(crate) statement: Field,
    /// A verbatim record's speech turn: speaker counts count turns too.
    pub(crate) turn: Field,
    /// [`speech_id`] of the record's speech turn (none outside one): a turn
    /// is one speaker's words on one matter, so its paragraphs share what it says.
    pub(crate) speech: Field,
    /// The paragraph or statement text, stemmed (en_stem) with positions: BM25 and phrases.
    pub text: Field,
    /// Exact canonical speaker names: filters.
    pub(crate) speaker_name: Field,
    pub(crate) speaker: Field,
    pub(crate) agenda: Field,
    pub(crate) topic: Field,
    pub(crate) document: Field,
    pub(crate) body: Field,
    /// The meeting's short name ("SOM-22", "Security Council, 8422nd meeting").
    pub(crate) meeting: Field,
    pub(crate) year: Field,
    /// yyyymmdd of the meeting, for sorting and date ranges.
    pub(crate) date: Field,
    /// The paragraph or document (outline) as JSON, for display.
    pub(crate) payload: Field,
    /// A document record's summary as JSON: the catalog reads only this.
    pub(crate) summary: Field,
    /// The key of the record's vector in the vectors file beside the index
    /// ([`crate::index::vectors::vector_key`] of its text), whether or not it
    /// has been embedded yet.
    pub(crate) vector_hash: Field,
    /// Words in the embedded text: very short texts get less trust by meaning.
    pub(crate) words: Field,
    /// Sustainable Development Goals by meaning.
    pub(crate) sdg: Field,
    /// How each State voted, in a verbatim record's vote: "China: abstaining".
    pub(crate) vote: Field,
    /// The States a paragraph is about (the State under review, States named), not its speakers.
    pub(crate) subject: Field,
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_indexing = TextFieldIndexing::default()
        .set_tokenizer("en_stem")
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text_options = TextOptions::default()
        .set_indexing_options(text_indexing)
        .set_stored();
    // Stored only what a stored record is read for (the page's payload and
    // text, speaker counts, similar paragraphs' topics): every stored value is
    // decoded whenever a hit is shown.
    let stored_facet = FacetOptions::default().set_stored();
    let fields = Fields {
        kind: b.add_text_field("kind", STRING),
        doc_id: b.add_text_field("doc_id", STRING | STORED),
        key: b.add_text_field("key", STRING | STORED | FAST),
        number: b.add_text_field("number", STRING),
        ordinal: b.add_u64_field("ordinal", INDEXED | FAST),
        para: b.add_u64_field("para", INDEXED | FAST),
        statement: b.add_u64_field("statement", STORED | FAST),
        turn: b.add_u64_field("turn", STORED),
        speech: b.add_u64_field("speech", FAST),
        text: b.add_text_field("text", text_options),
        speaker_name: b.add_text_field("speaker_name", STRING),
        speaker: b.add_facet_field("speaker", stored_facet.clone()),
        agenda: b.add_facet_field("agenda", FacetOptions::default()),
        topic: b.add_facet_field("topic", stored_facet),
        document: b.add_facet_field("document", FacetOptions::default()),
        body: b.add_facet_field("body", FacetOptions::default()),
        meeting: b.add_facet_field("meeting", FacetOptions::default()),
        year: b.add_facet_field("year", FacetOptions::default()),
        date: b.add_u64_field("date", INDEXED | FAST),
        payload: b.add_text_field("payload", STORED),
        summary: b.add_text_field("summary", STORED),
        vector_hash: b.add_u64_field("vector_hash", FAST),
        words: b.add_u64_field("words", FAST),
        sdg: b.add_facet_field("sdg", FacetOptions::default()),
        vote: b.add_facet_field("vote", FacetOptions::default()),
        subject: b.add_facet_field("subject", FacetOptions::default()),
    };
    (b.build(), fields)
}

impl Fields {
    pub(crate) fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            kind: f("kind")?,
            doc_id: f("doc_id")?,
            key: f("key")?,
            number: f("number")?,
            ordinal: f("ordinal")?,
            para: f("para")?,
            statement: f("statement")?,
            turn: f("turn")?,
            speech: f("speech")?,
            text: f("text")?,
            speaker_name: f("speaker_name")?,
            speaker: f("speaker")?,
            agenda: f("agenda")?,
            topic: f("topic")?,
            document: f("document")?,
            body: f("body")?,
            meeting: f("meeting")?,
            year: f("year")?,
            date: f("date")?,
            payload: f("payload")?,
            summary: f("summary")?,
            vector_hash: f("vector_hash")?,
            words: f("words")?,
            sdg: f("sdg")?,
            vote: f("vote")?,
            subject: f("subject")?,
        })
    }
}

/// "2018-10-25" → 20181025.
pub(crate) fn date_number(date: Option<&str>) -> Option<u64> {
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
pub(crate) fn paragraph_id(key: &str) -> u64 {
    content_hash(key)
}

/// A stable 64-bit id of a document's speech turn, for the `speech` fast field.
pub(crate) fn speech_id(doc_id: &str, turn: u32) -> u64 {
    content_hash(&format!("{doc_id}\u{1f}turn {turn}"))
}

/// FNV-1a of a text: stable across runs and platforms.
pub(crate) fn content_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
