//! The names of each facet field's values, read once per index generation.
//! Every segment numbers its values its own way; here each segment ordinal is
//! mapped to a global ordinal, the value's place in one sorted list of the
//! field's values (Lucene's "global ordinals"). A search adds up the segments'
//! counts in one vector by global ordinal, and no string is hashed or compared
//! until the top values are named.

use std::sync::{Arc, OnceLock};

use tantivy::columnar::Column;
use tantivy::{DocId, SegmentReader};

use super::catalog::FacetField;

/// A segment ordinal whose value is not counted as itself.
pub(crate) const NOT_COUNTED: u32 = u32::MAX;

/// One facet field's values in an index generation.
#[derive(Default)]
pub(crate) struct FacetNames {
    /// Global ordinal → the value as displayed, sorted and distinct: ordering
    /// global ordinals orders names.
    /// Shared, so that a facet count names its value without copying it.
    pub(crate) values: Vec<Arc<str>>,
    /// Per segment ordinal.
    pub(crate) segments: Vec<SegmentNames>,
}

/// How one segment's ordinals map to global ordinals.
pub(crate) struct SegmentNames {
    /// Segment ordinal → global ordinal, or [`NOT_COUNTED`]: an empty value,
    /// or a top-level value where parents are counted (it is counted once per
    /// record through its children, see `parent`).
    pub(crate) global: Vec<u32>,
    /// Segment ordinal → global ordinal of its top-level value (agenda "5"
    /// for "5e"); empty for a field without parents.
    pub(crate) parent: Vec<u32>,
    /// The field's column of ordinals, opened once: opening it costs a
    /// search on a small index as much as counting.
    pub(crate) ords: Option<Column<u64>>,
    max_doc: u32,
    /// The column read into memory, the first time a search counts it.
    table: OnceLock<Option<OrdinalTable>>,
}

impl SegmentNames {
    pub(crate) fn new(
        global: Vec<u32>,
        parent: Vec<u32>,
        ords: Option<Column<u64>>,
        max_doc: u32,
    ) -> Self {
        SegmentNames {
            global,
            parent,
            ords,
            max_doc,
            table: OnceLock::new(),
        }
    }

    /// Each record's segment ordinals, read from the column once per index
    /// generation and then kept: counting from two plain arrays is several
    /// times faster than the column's compressed index, on every match of
    /// every search.
    pub(crate) fn table(&self) -> Option<&OrdinalTable> {
        self.table
            .get_or_init(|| {
                let column = self.ords.as_ref()?;
                Some(OrdinalTable::read(column, self.max_doc, self.global.len()))
            })
            .as_ref()
    }
}

/// A segment's records' ordinals in one field, in memory: each record's
/// ordinal in 16 bits where the segment has few values (the tables of a large
/// collection then fit twice as well in the cache, and every match reads
/// them), and the ordinals of the few records with two or more on the side.
pub(crate) struct OrdinalTable {
    heads: Heads,
    /// Where some record has several values: a head with [`Width::more`]
    /// holds the record's place among those records, `i`, and its ordinals
    /// are `ords[starts[i]..starts[i + 1]]`.
    several: Option<Several>,
    /// No record has a value.
    empty: bool,
}

/// The ordinals of the records with several values (see [`OrdinalTable::several`]):
/// a few kilobytes, read only for them, where a list over every record was
/// megabytes read at random.
struct Several {
    starts: Vec<u32>,
    ords: Vec<u32>,
}

/// Each record's ordinal, or [`Width::none`] where it has none; or, with
/// [`Width::more`] set, its place among the records with several.
enum Heads {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

/// A head's flags in one width: a record's first ordinal is below `none`.
#[derive(Clone, Copy)]
struct Width {
    /// The record has no value.
    none: u32,
    /// The record has several values (a bit above `none`'s).
    more: u32,
}

const NARROW: Width = Width {
    none: 0x7fff,
    more: 0x8000,
};
const WIDE: Width = Width {
    none: 0x7fff_ffff,
    more: 0x8000_0000,
};

/// Records read from the column at once.
const READ_BLOCK: u32 = 1024;

impl OrdinalTable {
    /// The table of a column of `terms` values: counts go to `terms + 1`
    /// slots, the last for what is not a value, where [`Width::none`] must land.
    fn read(column: &Column<u64>, max_doc: u32, terms: usize) -> OrdinalTable {
        let mut starts = Vec::with_capacity(max_doc as usize + 1);
        let mut ords = Vec::with_capacity(max_doc as usize);
        starts.push(0);
        let (mut docs, mut value_docs, mut rows, mut values) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for start in (0..max_doc).step_by(READ_BLOCK as usize) {
            docs.clear();
            docs.extend(start..max_doc.min(start + READ_BLOCK));
            value_docs.clear();
            rows.clear();
            column
                .index
                .docids_to_rowids(&docs, &mut value_docs, &mut rows);
            values.resize(rows.len(), 0);
            column.values.get_vals(&rows, &mut values);
            // Values come in the order of their records.
            let mut next = value_docs.iter().zip(&values).peekable();
            for &doc in &docs {
                while let Some((_, &ord)) = next.next_if(|(d, _)| **d == doc) {
                    ords.push(ord as u32);
                }
                starts.push(ords.len() as u32);
            }
        }
        let largest = ords.iter().max().map_or(0, |&max| max as usize + 1);
        let several_records = starts.windows(2).filter(|w| w[1] - w[0] > 1).count();
        let narrow =
            terms.max(largest) < NARROW.none as usize && several_records < NARROW.more as usize;
        let width = if narrow { NARROW } else { WIDE };
        debug_assert!(ords.iter().all(|&o| o < width.none));
        debug_assert!(several_records < width.more as usize);
        let mut several = Several {
            starts: vec![0],
            ords: Vec::new(),
        };
        let mut head = |w: &[u32]| {
            let values = &ords[w[0] as usize..w[1] as usize];
            match values {
                [] => width.none,
                [one] => *one,
                _ => {
                    let place = several.starts.len() as u32 - 1;
                    several.ords.extend_from_slice(values);
                    several.starts.push(several.ords.len() as u32);
                    place | width.more
                }
            }
        };
        let heads = if narrow {
            Heads::Narrow(starts.windows(2).map(|w| head(w) as u16).collect())
        } else {
            Heads::Wide(starts.windows(2).map(head).collect())
        };
        OrdinalTable {
            heads,
            empty: ords.is_empty(),
            several: (several_records > 0).then_some(several),
        }
    }

    /// Whether no record of the segment has a value.
    pub(crate) fn is_empty(&self) -> bool {
        self.empty
    }

    /// Adds one to `leaves[ordinal]` for each value of each of `docs`;
    /// `leaves` has one slot more than there are ordinals, for the records
    /// without a value. A record without a value or with one is counted
    /// without a branch on which (that is as unpredictable as its value); only
    /// the few with several take one.
    pub(crate) fn count(&self, docs: &[DocId], leaves: &mut [u32]) {
        match &self.heads {
            Heads::Narrow(heads) => count_heads(heads, NARROW, self.several.as_ref(), docs, leaves),
            Heads::Wide(heads) => count_heads(heads, WIDE, self.several.as_ref(), docs, leaves),
        }
    }

    /// The ordinals of record `doc`.
    pub(crate) fn of(&self, doc: DocId) -> impl Iterator<Item = u32> + '_ {
        let (head, width) = match &self.heads {
            Heads::Narrow(heads) => (heads.get(doc as usize).map(|&h| u32::from(h)), NARROW),
            Heads::Wide(heads) => (heads.get(doc as usize).copied(), WIDE),
        };
        let head = head.unwrap_or(width.none);
        let (one, all): (Option<u32>, &[u32]) = match &self.several {
            Some(several) if head & width.more != 0 => (None, several.of(head & !width.more)),
            _ => ((head != width.none).then_some(head), &[]),
        };
        one.into_iter().chain(all.iter().copied())
    }
}

impl Several {
    /// The ordinals of the record at `place` among those with several.
    fn of(&self, place: u32) -> &[u32] {
        let place = place as usize;
        match (self.starts.get(place), self.starts.get(place + 1)) {
            (Some(&from), Some(&to)) => self
                .ords
                .get(from as usize..to as usize)
                .unwrap_or_default(),
            _ => &[],
        }
    }
}

/// [`OrdinalTable::count`] in one width.
fn count_heads<H: Copy + Into<u32>>(
    heads: &[H],
    width: Width,
    several: Option<&Several>,
    docs: &[DocId],
    leaves: &mut [u32],
) {
    let Some(none) = leaves.len().checked_sub(1) else {
        return;
    };
    let slot = |ord: u32| (ord as usize).min(none);
    let head = |doc: usize| heads.get(doc).map_or(width.none, |&h| h.into());
    let Some(several) = several else {
        for &doc in docs {
            leaves[slot(head(doc as usize))] += 1;
        }
        return;
    };
    for &doc in docs {
        let head = head(doc as usize);
        if head & width.more == 0 {
            leaves[slot(head)] += 1;
        } else {
            for &ord in several.of(head & !width.more) {
                leaves[slot(ord)] += 1;
            }
        }
    }
}

impl FacetNames {
    /// Reads the field's dictionary in every segment of `searcher`.
    pub(crate) fn load(
        searcher: &tantivy::Searcher,
        display: &FacetField,
    ) -> tantivy::Result<FacetNames> {
        let field = searcher.schema().get_field_name(display.field);
        let local = searcher
            .segment_readers()
            .iter()
            .map(|segment| LocalNames::load(segment, field, display))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut values: Vec<Arc<str>> = local
            .iter()
            .flat_map(|l| l.values.iter().chain(&l.parents))
            .filter(|v| !v.is_empty())
            .map(|v| Arc::from(v.as_str()))
            .collect();
        values.sort_unstable();
        values.dedup();
        let global = |value: &str| {
            values
                .binary_search_by(|v| (**v).cmp(value))
                .map_or(NOT_COUNTED, |g| g as u32)
        };
        let segments = local
            .into_iter()
            .map(|l| {
                let counted = l.values.iter().map(|v| {
                    // With parents, a top-level value is counted once per record below.
                    let counted_below = display.parents && l.parents.contains(v);
                    if counted_below {
                        NOT_COUNTED
                    } else {
                        global(v)
                    }
                });
                let parent = l.parent_of.iter().map(|&p| global(&l.parents[p as usize]));
                SegmentNames::new(counted.collect(), parent.collect(), l.ords, l.max_doc)
            })
            .collect();
        Ok(FacetNames { values, segments })
    }

    /// The names of the fields, each read once.
    pub(crate) fn load_all(
        searcher: &tantivy::Searcher,
        facets: &[FacetField],
    ) -> tantivy::Result<Vec<(tantivy::schema::Field, Arc<FacetNames>)>> {
        facets
            .iter()
            .map(|display| {
                Ok((
                    display.field,
                    Arc::new(FacetNames::load(searcher, display)?),
                ))
            })
            .collect()
    }

    /// The segment's mapping; none for a segment of another generation.
    pub(crate) fn segment(&self, ordinal: u32) -> Option<&SegmentNames> {
        self.segments.get(ordinal as usize)
    }
}

/// A segment's values as displayed, by segment ordinal.
struct LocalNames {
    ords: Option<Column<u64>>,
    max_doc: u32,
    values: Vec<String>,
    /// Ordinal → index of its top-level value in `parents`.
    parent_of: Vec<u32>,
    parents: Vec<String>,
}

impl LocalNames {
    fn load(
        segment: &SegmentReader,
        field: &str,
        display: &FacetField,
    ) -> tantivy::Result<LocalNames> {
        let reader = segment.facet_reader(field)?;
        let ords = segment.fast_fields().str(field)?.map(|c| c.ords().clone());
        let mut names = LocalNames {
            ords,
            max_doc: segment.max_doc(),
            values: Vec::with_capacity(reader.num_facets()),
            parent_of: Vec::new(),
            parents: Vec::new(),
        };
        let mut stream = reader.facet_dict().stream()?;
        while stream.advance() {
            let path: Vec<&[u8]> = stream.key().split(|&b| b == 0).collect();
            let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
            // Speakers list the name, not the "/country" level above it.
            let value = if display.speaker {
                path.last().map(|b| text(b)).unwrap_or_default()
            } else {
                path.iter().map(|b| text(b)).collect::<String>()
            };
            names.values.push(value);
            if display.parents {
                let top = text(path.first().copied().unwrap_or_default());
                let i = match names.parents.iter().position(|p| *p == top) {
                    Some(i) => i,
                    None => {
                        names.parents.push(top);
                        names.parents.len() - 1
                    }
                };
                names.parent_of.push(i as u32);
            }
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table of `records` records (more than one block) with `values(i)`
    /// values each, of `distinct` values in all.
    fn table_of(
        records: u32,
        distinct: u32,
        values: impl Fn(u32) -> u32,
    ) -> (OrdinalTable, Vec<Vec<u32>>) {
        use tantivy::schema::{FAST, STRING, Schema};
        let mut schema = Schema::builder();
        let field = schema.add_text_field("f", STRING | FAST);
        let index = tantivy::Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 200_000_000).unwrap();
        for i in 0..records {
            let mut doc = tantivy::TantivyDocument::default();
            for v in 0..values(i) {
                doc.add_text(field, format!("v{}", (i + v) % distinct));
            }
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        let segment = &searcher.segment_readers()[0];
        let column = segment.fast_fields().str("f").unwrap().unwrap();
        let table = OrdinalTable::read(column.ords(), segment.max_doc(), column.num_terms());
        let expected = (0..segment.max_doc())
            .map(|doc| {
                column
                    .ords()
                    .values_for_doc(doc)
                    .map(|o| o as u32)
                    .collect()
            })
            .collect();
        (table, expected)
    }

    #[test]
    fn the_table_holds_each_records_ordinals_and_counts_them() {
        // None to four values a record; none, one or two; then none or one.
        let up_to_four = |i: u32| i % 5;
        let up_to_two = |i: u32| i % 3;
        let up_to_one = |i: u32| u32::from(!i.is_multiple_of(4));
        let shapes: [(&dyn Fn(u32) -> u32, bool); 3] = [
            (&up_to_four, false),
            (&up_to_two, false),
            (&up_to_one, true),
        ];
        for (values, single) in shapes {
            // 7 values fit 16 bits; 70,000 (52,500 of them in records) do not,
            // and neither do 42,000 records with several of 7 values.
            for (records, distinct) in [(2_500, 7), (70_000, 70_000), (70_000, 7)] {
                let (table, expected) = table_of(records, distinct, values);
                assert_eq!(table.several.is_none(), single);
                let narrow = matches!(table.heads, Heads::Narrow(_));
                let several = expected.iter().filter(|o| o.len() > 1).count();
                assert_eq!(narrow, distinct < 0x7fff && several < 0x8000);
                holds_and_counts(&table, &expected, distinct as usize);
            }
        }
    }

    /// `table` gives every record's ordinals, and counts every other record
    /// (every number of values) and one past the last like a naive count.
    fn holds_and_counts(table: &OrdinalTable, expected: &[Vec<u32>], distinct: usize) {
        for (doc, ords) in expected.iter().enumerate() {
            assert_eq!(
                table.of(doc as DocId).collect::<Vec<_>>(),
                *ords,
                "record {doc}"
            );
        }
        assert_eq!(table.of(expected.len() as DocId).count(), 0);
        let mut docs: Vec<DocId> = (0..expected.len() as DocId).step_by(2).collect();
        docs.push(expected.len() as DocId);
        // A slot for each value and one for the records without one.
        let mut counted = vec![0u32; distinct + 1];
        table.count(&docs, &mut counted);
        let mut naive = vec![0u32; distinct + 1];
        for &doc in &docs {
            match expected.get(doc as usize).map(Vec::as_slice) {
                Some([]) | None => naive[distinct] += 1,
                Some(ords) => ords.iter().for_each(|&o| naive[o as usize] += 1),
            }
        }
        assert_eq!(counted, naive);
    }
}
