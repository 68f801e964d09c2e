#!/usr/bin/env python3
"""Embed what a rapporteur index lacks on a Ray cluster, and import the vectors.

The driver (this script, on the machine that holds the index) asks the index
for the texts without a vector (`rapporteur embed --missing-texts`), cuts them
into shards of --shard-size texts and runs each shard as a Ray task. A task
runs rapporteur's own embedder (`rapporteur embed --texts - --out FILE`) on
whichever node Ray gives it and returns the vectors file's bytes; the driver
imports each shard as it comes back (`rapporteur embed --import`), so a
driver that stops keeps what came back. A task whose worker or node dies is
run again elsewhere (Ray's max_retries), and the driver resubmits a shard
whose task failed for good up to --retries times. Import skips texts that
already have a vector, so nothing is imported twice.

The binary and the model files reach the workers through a path every node
sees (--ship shared: the default, e.g. an NFS mount or one machine), or in
Ray's runtime environment (--ship runtime-env: uploaded once to the cluster,
unpacked on each node).

Usage:
  scripts/ray-embed.py --address HOST:PORT --index DIR
      [--rapporteur target/release/rapporteur] [--models models]
      [--shard-size 500] [--threads 1] [--retries 3] [--ship shared|runtime-env]
      [--work DIR]

It prints one line per shard and a summary line, or the summary as JSON
(--json). Exit status: 0 when every text has a vector, 1 otherwise.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import ray

# What a task needs from the models folder (rapporteur's embed::models_dir).
MODEL_FILES = [
    "all-MiniLM-L6-v2/model-int8.onnx",
    "all-MiniLM-L6-v2/tokenizer.json",
    "onnxruntime/libonnxruntime.so.1.32.0",
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--address", required=True, help="the Ray cluster, HOST:PORT of its head")
    p.add_argument("--index", required=True, help="the rapporteur index folder")
    p.add_argument("--rapporteur", default="target/release/rapporteur", help="the binary")
    p.add_argument("--models", default="models", help="the models folder (setup-models.sh)")
    p.add_argument("--shard-size", type=int, default=500, help="texts per task")
    p.add_argument("--threads", type=int, default=1, help="CPUs per task (inference sessions)")
    p.add_argument("--retries", type=int, default=3, help="tries of a shard after Ray's own")
    p.add_argument("--ship", choices=["shared", "runtime-env"], default="shared")
    p.add_argument("--work", help="where shard files go (default: a temporary folder)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    return p.parse_args()


def rapporteur(binary, *args, stdin=None):
    """Runs the local binary; its stderr is passed through on failure."""
    done = subprocess.run([binary, *args], input=stdin, capture_output=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode(errors="replace"))
        raise SystemExit(f"ray-embed: `rapporteur {' '.join(args)}` failed ({done.returncode})")
    return done


def missing_texts(binary, index):
    out = rapporteur(binary, "embed", "--missing-texts", "-", "--index", index).stdout
    return [line for line in out.split(b"\n") if line.strip()]


@ray.remote
def embed_shard(number, lines, binary, models, threads):
    """One shard on a worker: JSON lines of texts in, a vectors file's bytes out."""
    if not os.path.isabs(binary):
        # Shipped in the runtime environment: relative to the task's folder.
        binary = os.path.abspath(binary)
        models = os.path.abspath(models)
        os.chmod(binary, 0o755)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="rapporteur-shard-") as tmp:
        out = os.path.join(tmp, "vectors.bin")
        done = subprocess.run(
            [binary, "embed", "--texts", "-", "--out", out, "--threads", str(threads)],
            input=b"\n".join(lines) + b"\n",
            capture_output=True,
            env=dict(os.environ, RAPPORTEUR_MODELS=models),
        )
        if done.returncode != 0:
            raise RuntimeError(f"shard {number}: {done.stderr.decode(errors='replace').strip()}")
        with open(out, "rb") as f:
            vectors = f.read()
    node = ray.get_runtime_context().get_node_id()
    return number, vectors, node, time.time() - started


def bundle(binary, models):
    """A folder with the binary and the model files, for Ray's runtime environment."""
    folder = tempfile.mkdtemp(prefix="rapporteur-bundle-")
    shutil.copy2(binary, os.path.join(folder, "rapporteur"))
    for name in MODEL_FILES:
        os.makedirs(os.path.join(folder, "models", os.path.dirname(name)), exist_ok=True)
        shutil.copy2(os.path.join(models, name), os.path.join(folder, "models", name))
    return folder


def main():
    args = parse_args()
    binary = os.path.abspath(args.rapporteur)
    models = os.path.abspath(args.models)
    index = os.path.abspath(args.index)
    for name in MODEL_FILES:
        if not os.path.isfile(os.path.join(models, name)):
            raise SystemExit(f"ray-embed: {models}/{name} missing: run scripts/setup-models.sh")
    work = args.work or tempfile.mkdtemp(prefix="rapporteur-ray-")
    os.makedirs(work, exist_ok=True)
    started = time.time()

    lines = missing_texts(binary, index)
    shards = [lines[i : i + args.shard_size] for i in range(0, len(lines), args.shard_size)]
    print(f"ray-embed: {len(lines)} texts lack a vector: {len(shards)} shards", flush=True)

    runtime_env = None
    task_binary, task_models = binary, models
    if args.ship == "runtime-env":
        runtime_env = {"working_dir": bundle(binary, models)}
        task_binary, task_models = "rapporteur", "models"
    ray.init(address=args.address, runtime_env=runtime_env, logging_level="warning",
             log_to_driver=False)
    # A driver attaches to one node's raylet (the first alive on its IP, which
    # is not always the head): losing that node loses the job, losing any other
    # only retries its shards.
    driver_node = ray.get_runtime_context().get_node_id()
    driver_port = next((n["NodeManagerPort"] for n in ray.nodes() if n["NodeID"] == driver_node),
                       None)
    print(f"ray-embed: driver attached to node {driver_node[:8]} "
          f"(node manager port {driver_port})", flush=True)
    task = embed_shard.options(num_cpus=args.threads, max_retries=3, retry_exceptions=False)

    pending = {}
    tries = {}

    def submit(number):
        tries[number] = tries.get(number, 0) + 1
        ref = task.remote(number, shards[number], task_binary, task_models, args.threads)
        pending[ref] = number

    for number in range(len(shards)):
        submit(number)
    imported, nodes, failed = 0, {}, []
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        number = pending.pop(ready[0])
        try:
            _, vectors, node, seconds = ray.get(ready[0])
        except (ray.exceptions.RayError, RuntimeError) as error:
            if tries[number] <= args.retries:
                print(f"ray-embed: shard {number + 1} failed ({type(error).__name__}); again",
                      flush=True)
                submit(number)
            else:
                failed.append(number)
                print(f"ray-embed: shard {number + 1} failed for good: {error}", file=sys.stderr)
            continue
        path = os.path.join(work, f"shard-{number + 1:05}.bin")
        with open(path, "wb") as f:
            f.write(vectors)
        report = json.loads(rapporteur(binary, "embed", "--import", path, "--json",
                                       "--index", index).stdout)
        imported += report["added"]
        nodes[node] = nodes.get(node, 0) + 1
        print(f"ray-embed: shard {number + 1}/{len(shards)}: {len(shards[number])} texts, "
              f"{report['added']} vectors imported, node {node[:8]}, {seconds:.1f} s",
              flush=True)
    ray.shutdown()

    left = len(missing_texts(binary, index))
    elapsed = time.time() - started
    summary = {
        "texts": len(lines),
        "shards": len(shards),
        "imported": imported,
        "missing_after": left,
        "failed_shards": [n + 1 for n in failed],
        "retried_shards": sorted(n + 1 for n, t in tries.items() if t > 1),
        "nodes": len(nodes),
        "seconds": round(elapsed, 1),
        "per_second": round(imported / max(elapsed, 1e-9), 1),
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"ray-embed: imported {imported} vectors for {len(lines)} texts from "
              f"{len(nodes)} nodes in {elapsed:.1f} s ({summary['per_second']}/s); "
              f"{left} texts still lack a vector", flush=True)
    return 0 if left == 0 and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
