//! Small in-memory indexes for the unit tests of queries and collectors.

use tantivy::schema::{Field, Schema, TEXT};
use tantivy::{Index, TantivyDocument};

/// An index of one English `text` field, one segment per slice of texts.
pub(crate) fn of_texts(segments: &[Vec<&str>]) -> (Index, Field) {
    let mut schema = Schema::builder();
    let text = schema.add_text_field("text", TEXT);
    let index = Index::create_in_ram(schema.build());
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
    for texts in segments {
        for line in texts {
            let mut doc = TantivyDocument::default();
            doc.add_text(text, line);
            writer.add_document(doc).expect("add");
        }
        writer.commit().expect("commit");
    }
    (index, text)
}
