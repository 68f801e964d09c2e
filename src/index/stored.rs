//! Reading a stored record's text values: a hit's document id, payload and
//! text, a record's text to embed or count words in, a document's summary or
//! outline. The record is decoded into those alone: tantivy's own document type copies every stored value into an
//! arena first, and that copy was a tenth of a keyword search on a small
//! collection.

use tantivy::schema::document::{
    DeserializeError, DocumentDeserialize, DocumentDeserializer, ValueDeserialize,
    ValueDeserializer, ValueVisitor,
};
use tantivy::schema::{Facet, Field};

use super::schema::Fields;
use crate::model::Paragraph;

/// The text values of a stored record, by field, in stored order.
#[derive(Debug, Default)]
pub(crate) struct StoredTexts(Vec<(Field, String)>);

impl StoredTexts {
    /// The first text stored in `field`.
    pub(crate) fn first(&self, field: Field) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, text)| text.as_str())
    }

    /// Takes the first text stored in `field` out of the record.
    pub(crate) fn take(&mut self, field: Field) -> Option<String> {
        let at = self.0.iter().position(|(f, _)| *f == field)?;
        Some(self.0.swap_remove(at).1)
    }
}

impl DocumentDeserialize for StoredTexts {
    fn deserialize<'de, D>(mut deserializer: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        let mut texts = Vec::with_capacity(4);
        while let Some((field, value)) = deserializer.next_field::<TextOnly>()? {
            if let TextOnly::Text(text) = value {
                texts.push((field, text));
            }
        }
        Ok(StoredTexts(texts))
    }
}

/// A stored value: kept if it is text, read past otherwise.
enum TextOnly {
    Text(String),
    Other,
}

impl ValueDeserialize for TextOnly {
    fn deserialize<'de, D>(deserializer: D) -> Result<Self, DeserializeError>
    where
        D: ValueDeserializer<'de>,
    {
        deserializer.deserialize_any(TextOnlyVisitor)
    }
}

/// Keeps strings; every other kind the schema stores (numbers, facets) is
/// read and dropped.
struct TextOnlyVisitor;

impl ValueVisitor for TextOnlyVisitor {
    type Value = TextOnly;

    fn visit_string(&self, text: String) -> Result<TextOnly, DeserializeError> {
        Ok(TextOnly::Text(text))
    }
    fn visit_null(&self) -> Result<TextOnly, DeserializeError> {
        Ok(TextOnly::Other)
    }
    fn visit_u64(&self, _: u64) -> Result<TextOnly, DeserializeError> {
        Ok(TextOnly::Other)
    }
    fn visit_i64(&self, _: i64) -> Result<TextOnly, DeserializeError> {
        Ok(TextOnly::Other)
    }
    fn visit_f64(&self, _: f64) -> Result<TextOnly, DeserializeError> {
        Ok(TextOnly::Other)
    }
    fn visit_bool(&self, _: bool) -> Result<TextOnly, DeserializeError> {
        Ok(TextOnly::Other)
    }
    fn visit_facet(&self, _: Facet) -> Result<TextOnly, DeserializeError> {
        Ok(TextOnly::Other)
    }
    fn visit_bytes(&self, _: Vec<u8>) -> Result<TextOnly, DeserializeError> {
        Ok(TextOnly::Other)
    }
}

/// The document id and the paragraph a stored paragraph (or statement)
/// record holds: the writer's payload, with the text the `text` field stores
/// put back where the payload left it out.
pub(crate) fn paragraph_of(mut stored: StoredTexts, f: &Fields) -> Option<(String, Paragraph)> {
    let doc_id = stored.take(f.doc_id)?;
    let text = stored.take(f.text)?;
    let mut para: Paragraph = serde_json::from_str(stored.first(f.payload)?).ok()?;
    for st in para.statements.iter_mut() {
        if st.text.is_empty() {
            st.text.clone_from(&text);
        }
    }
    para.text = text;
    Some((doc_id, para))
}

#[cfg(test)]
mod tests {
    use tantivy::doc;

    use super::*;
    use crate::model::Statement;

    #[test]
    fn a_stored_record_gives_back_its_paragraph_and_only_its_texts() {
        let (schema, f) = super::super::schema::build();
        let index = tantivy::Index::create_in_ram(schema);
        let para = Paragraph {
            number: "37".into(),
            statements: vec![
                Statement {
                    text: String::new(),
                    ..Default::default()
                },
                Statement {
                    text: "Japan also recognized it.".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let payload = serde_json::to_string(&para).unwrap();
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        writer
            .add_document(doc!(
                f.doc_id => "neaspec",
                f.key => "neaspec#37",
                f.statement => 1u64,
                f.speaker => Facet::from("/country/Japan"),
                f.text => "Mongolia noted the duplication.",
                f.payload => payload,
            ))
            .unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let address = tantivy::DocAddress::new(0, 0);
        let stored: StoredTexts = searcher.doc(address).unwrap();
        assert_eq!(stored.0.len(), 4, "doc id, key, text, payload");
        assert_eq!(stored.first(f.key), Some("neaspec#37"));
        let (doc_id, back) = paragraph_of(stored, &f).unwrap();
        assert_eq!(doc_id, "neaspec");
        assert_eq!(back.number, "37");
        assert_eq!(back.text, "Mongolia noted the duplication.");
        assert_eq!(back.statements[0].text, "Mongolia noted the duplication.");
        assert_eq!(back.statements[1].text, "Japan also recognized it.");
        let without_payload: StoredTexts = StoredTexts(vec![(f.doc_id, "x".into())]);
        assert!(paragraph_of(without_payload, &f).is_none());
    }
}
