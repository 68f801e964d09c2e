#!/usr/bin/env python3
"""A proxy of the thesaurus's reach on questions nobody judged.

benches/questions/lay-wordings.json holds 60 questions over the shipped corpus,
written without sight of src/search/thesaurus.tsv: 40 in everyday words, 20 in
the records' own terms, each with the records' terms for what it asks. For each
question, the share of the top 10 hits (hybrid) whose text holds one of those
terms, with the thesaurus and with --literal (the words alone).

Usage: scripts/lay-wordings.py BINARY INDEX
"""
import json
import re
import subprocess
import sys
from pathlib import Path

QUESTIONS = Path(__file__).resolve().parent.parent / "benches/questions/lay-wordings.json"


def terms(concept):
    out = []
    for term in concept.split(";"):
        term = term.strip()
        spelled = re.match(r"(.*)\((.*)\)\s*$", term)
        out += [spelled.group(1).strip(), spelled.group(2).strip()] if spelled else [term]
    return [t.lower() for t in out if len(t) > 2]


def share_on_concept(binary, index, question, extra):
    out = subprocess.run(
        [binary, "search", "--json", "--mode", "hybrid", "--index", index, *extra, question["question"]],
        capture_output=True, text=True, check=True,
    )
    answer = json.loads(out.stdout)
    wanted = terms(question["concept"])
    on = sum(1 for h in answer["hits"] if any(t in h["text"].lower() for t in wanted))
    return on / 10, bool(answer["interpreted"].get("also_searched"))


def main():
    binary, index = sys.argv[1], sys.argv[2]
    questions = json.loads(QUESTIONS.read_text())
    print(f"{'group':10} {'n':>3} {'literal':>8} {'thesaurus':>10} {'expanded':>9}")
    for group in ("reworded", "records"):
        asked = [q for q in questions if q["group"] == group]
        literal = [share_on_concept(binary, index, q, ["--literal"])[0] for q in asked]
        expanded = [share_on_concept(binary, index, q, []) for q in asked]
        print(f"{group:10} {len(asked):>3} {sum(literal) / len(asked):>8.3f} "
              f"{sum(s for s, _ in expanded) / len(asked):>10.3f} {sum(e for _, e in expanded):>9}")


if __name__ == "__main__":
    main()
