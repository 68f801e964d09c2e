//! PDF front end: bytes with `%PDF-` in their first KiB go to pdf-extract.
#![no_main]

use std::path::Path;
use std::sync::Once;

use libfuzzer_sys::fuzz_target;

static QUIET_CAUGHT_PANICS: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    // libfuzzer-sys aborts in its panic hook, before the library's own
    // catch_unwind around pdf-extract can turn the panic into an error.
    // Replace the hook: a panic that escapes parse_bytes still reaches the
    // catch_unwind in fuzz_target! and aborts there. FUZZ_SHOW_PANICS=1 prints
    // every panic message (caught or not) when reproducing.
    QUIET_CAUGHT_PANICS.call_once(|| {
        if std::env::var_os("FUZZ_SHOW_PANICS").is_some() {
            let _ = std::panic::take_hook();
        } else {
            std::panic::set_hook(Box::new(|_| {}));
        }
    });
    // Anything else is the text target's business.
    if !data[..data.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        return;
    }
    let _ = rapporteur::ingest::parse_bytes(Path::new("x.pdf"), data);
});
