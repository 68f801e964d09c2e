//! Speech paragraph joining over any text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = rapporteur::ingest::speech::paragraphs(text);
});
