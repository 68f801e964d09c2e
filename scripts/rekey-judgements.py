#!/usr/bin/env python3
"""Re-keys graded questions to the paragraphs they were judged on.

Verbatim records carry no paragraph numbers: rapporteur numbers their
paragraphs itself, and a parser change (a turn split differently, a line
read as a heading) can renumber them. `rapporteur eval` then refuses the
questions file, because each judged paragraph's opening words are stored
beside the judgements ("openings") and no longer match. This script parses
the corpus with the given binary and moves each stale judgement to the
paragraph of the same document that opens with the stored words (or,
where the text itself was repaired, the one paragraph at least 90 % alike),
then stores the openings of the paragraphs as they are now. A judgement it
cannot place without doubt (no such paragraph, two that open the same way,
two that are alike, two judgements falling on one paragraph) stops it.

    scripts/rekey-judgements.py target/release/rapporteur [questions] [corpus]

Defaults: benches/questions/graded.json and corpus/. Prints every move; exits
non-zero, writing nothing, when a judgement cannot be placed.
"""

import difflib
import json
import pathlib
import re
import subprocess
import sys

# Characters of a paragraph's text kept as its opening.
OPENING = 80
# How alike a repaired text must be to the text it was judged on.
ALIKE = 0.9
# Rust's white space (`char::is_whitespace`), which `rapporteur eval` splits on.
WHITE = re.compile("[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")


def opening(text):
    return " ".join(w for w in WHITE.split(text) if w)[:OPENING]


def parse_corpus(binary, corpus):
    """Document reference (symbol and id) -> paragraph number -> opening."""
    documents = {}
    for path in sorted(pathlib.Path(corpus).rglob("*")):
        if path.suffix.lower() not in (".txt", ".text", ".pdf") or not path.is_file():
            continue
        out = subprocess.run(
            [binary, "parse", "--json", str(path)], capture_output=True, text=True
        )
        if out.returncode != 0:
            continue
        parsed = json.loads(out.stdout)
        paragraphs = {p["number"]: opening(p["text"]) for p in parsed["paragraphs"]}
        for reference in (parsed.get("symbol"), parsed.get("id")):
            if reference:
                documents[reference] = paragraphs
    return documents


def locate(documents, judged_id, was):
    """The id of the paragraph that opens as `was` now, or why there is none."""
    document, _, number = judged_id.rpartition("#")
    paragraphs = documents.get(document)
    if paragraphs is None:
        return None, f"no document {document}"
    if paragraphs.get(number) == was:
        return judged_id, None
    same = [n for n, text in paragraphs.items() if text == was]
    if len(same) == 1:
        return f"{document}#{same[0]}", None
    if len(same) > 1:
        return None, f"{len(same)} paragraphs open the same way ({', '.join(same)})"
    alike = {
        n: difflib.SequenceMatcher(None, was, text).ratio()
        for n, text in paragraphs.items()
    }
    close = [n for n, ratio in alike.items() if ratio >= ALIKE]
    if len(close) == 1:
        print(f"{judged_id}: {alike[close[0]]:.0%} alike {document}#{close[0]}")
        return f"{document}#{close[0]}", None
    if close:
        return None, f"{len(close)} paragraphs are alike ({', '.join(close)})"
    return None, "no paragraph opens that way"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    questions_path = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "benches/questions/graded.json")
    corpus = sys.argv[3] if len(sys.argv) > 3 else "corpus"
    questions = json.loads(questions_path.read_text())
    documents = parse_corpus(binary, corpus)
    openings = questions.get("openings", {})
    moves, lost = {}, []
    for q in questions["questions"]:
        for judged_id in q["judgements"]:
            if judged_id in moves:
                continue
            was = openings.get(judged_id)
            if was is None:
                # Never recorded: the paragraph as it is now is what was judged.
                moves[judged_id] = judged_id
                continue
            now, why = locate(documents, judged_id, was)
            if now is None:
                lost.append(f"{judged_id} ({why})")
            moves[judged_id] = now
    if lost:
        sys.exit(f"to judge again by hand, nothing written: {'; '.join(lost)}")
    for q in questions["questions"]:
        rekeyed = {}
        for judged_id, grade in q["judgements"].items():
            now = moves[judged_id]
            if now != judged_id:
                print(f"{q['id']}: {judged_id} -> {now}")
            if now in rekeyed:
                sys.exit(f"{q['id']}: two judgements would fall on {now}; nothing written")
            rekeyed[now] = grade
        q["judgements"] = rekeyed
    fresh = {}
    for judged_id in sorted({i for q in questions["questions"] for i in q["judgements"]}):
        document, _, number = judged_id.rpartition("#")
        text = documents.get(document, {}).get(number)
        if text is None:
            sys.exit(f"{judged_id}: no such paragraph in {corpus}; nothing written")
        fresh[judged_id] = text
    questions["openings"] = fresh
    questions_path.write_text(json.dumps(questions, indent=1, ensure_ascii=True))


if __name__ == "__main__":
    main()
