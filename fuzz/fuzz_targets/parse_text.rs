//! Text front end: any bytes named `.txt` must parse or fail with an error.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = rapporteur::ingest::parse_bytes(Path::new("x.txt"), data);
});
