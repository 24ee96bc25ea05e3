#!/usr/bin/env bash
# bench/gpu/run.sh: issue 6 part 6, the device command (bench/gpu/README.md). Runs sdekit's WebGPU
# path on the lent GPU and the same work in PyTorch, and writes to $OUT:
#   run.log (everything printed), results.jsonl (one JSON line per measurement),
#   gpu_results.md (the table), backends.json, nvidia-smi.txt.
#
#   bash bench/gpu/run.sh [--small]
# --small: tiny sizes, for a check on a machine without a GPU (the software WebGPU adapter; no
# nvidia-smi, no dpkg). Without a GPU, PyTorch runs on the CPU.
# Needs (prepared by bench/gpu/prepare.sh): dist/, .gpu/node.xz (when no node is installed),
# .gpu/node_modules.tar.xz (when there is no node_modules), .gl/*.deb (on the GPU machine).
set -uo pipefail
SMALL=0
for a in "$@"; do
  case $a in
    --small) SMALL=1 ;;
    *) echo "unknown argument $a" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=${OUT:-/tmp/sdekit-gpu-out}
mkdir -p "$OUT"
if [ -z "${SDEKIT_GPU_TEED:-}" ]; then # everything printed also goes to $OUT/run.log
  SDEKIT_GPU_TEED=1 bash "$ROOT/bench/gpu/run.sh" "$@" 2>&1 | tee "$OUT/run.log"
  exit "${PIPESTATUS[0]}"
fi
WORK=$(mktemp -d /tmp/sdekit-gpu-work.XXXXXX)
RES=$OUT/results.jsonl
: >"$RES"
T_START=$(date +%s)
# every measurement stops at this many seconds from the start, so the table is always written
BUDGET=${SDEKIT_GPU_BUDGET_S:-330}
section() { echo; echo "=== [$(($(date +%s) - T_START)) s] $*"; }
note() { python3 -c 'import json,sys; print(json.dumps({"workload": "env", "what": sys.argv[1], "value": sys.argv[2]}))' "$1" "$2" | tee -a "$RES"; }

# run NAME TIMEOUT key=value... -- command...: the command's last JSON line, tagged, into results.jsonl
run() {
  local name=$1 limit=$2
  shift 2
  local tags=()
  while [ "$1" != "--" ]; do tags+=("$1"); shift; done
  shift
  local t0 t1 rc left
  left=$((BUDGET - ($(date +%s) - T_START)))
  if [ "$left" -lt 10 ]; then
    python3 -c 'import json,sys; print(json.dumps({**dict(a.split("=", 1) for a in sys.argv[1:]), "error": "skipped: the time budget is spent"}))' "${tags[@]}" | tee -a "$RES"
    return
  fi
  [ "$limit" -gt "$left" ] && limit=$left
  t0=$(date +%s.%N)
  timeout "$limit" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  rc=$?
  t1=$(date +%s.%N)
  grep -v '^Warning: max' "$WORK/$name.err" | tail -n 5
  python3 bench/gpu/report.py tag --stdout "$WORK/$name.out" --stderr "$WORK/$name.err" --rc "$rc" \
    "${tags[@]}" "wall_s=$(python3 -c "print(round($t1 - $t0, 3))")" | tee -a "$RES"
}

# --- the machine ---------------------------------------------------------------------------------
ON_GPU=0
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then ON_GPU=1; fi
section "machine (GPU: $ON_GPU, small: $SMALL)"
uname -a
if [ "$ON_GPU" = 1 ]; then
  nvidia-smi | tee "$OUT/nvidia-smi.txt"
  note gpu "$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader)"
  if ls .gl/*.deb >/dev/null 2>&1; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  else
    echo "no .gl/*.deb: relying on the image's loaders"
  fi
  icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  [ -f "$icd" ] && export VK_DRIVER_FILES=$icd
  [ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
  if ! ldconfig -p | grep -q libGLX_nvidia && [ -d /usr/local/nvidia/lib64 ]; then
    export LD_LIBRARY_PATH=/usr/local/nvidia/lib64:/usr/local/nvidia/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  fi
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-} __EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-} LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
  ldconfig -p | grep -E 'libvulkan|libEGL\.so|libGLX_nvidia|libEGL_nvidia' || echo "no Vulkan/EGL loader in the cache"
  ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d 2>/dev/null
fi

# --- Node and node_modules -----------------------------------------------------------------------
unxz_to() { # FILE.xz DEST: xz, else Python's lzma
  xz -dc "$1" >"$2" 2>/dev/null || python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
}
NODE_DIR=${SDEKIT_GPU_NODE_DIR:-/tmp/sdekit-gpu-node}
if [ -f .gpu/node.xz ] && { [ "$ON_GPU" = 1 ] || [ -n "${SDEKIT_GPU_NODE_DIR:-}" ] || ! command -v node >/dev/null 2>&1; }; then
  if [ ! -x "$NODE_DIR/node" ]; then
    mkdir -p "$NODE_DIR"
    unxz_to .gpu/node.xz "$NODE_DIR/node.tmp" && chmod +x "$NODE_DIR/node.tmp" && mv "$NODE_DIR/node.tmp" "$NODE_DIR/node"
  fi
  export PATH=$NODE_DIR:$PATH
fi
command -v node >/dev/null || { echo "no node: run bench/gpu/prepare.sh and carry .gpu"; exit 1; }
echo "node $(node --version) at $(command -v node)"
if [ ! -e node_modules ]; then
  [ -f .gpu/node_modules.tar.xz ] || { echo "no node_modules and no .gpu/node_modules.tar.xz"; exit 1; }
  unxz_to .gpu/node_modules.tar.xz "$WORK/nm.tar" && tar -xf "$WORK/nm.tar" && rm -f "$WORK/nm.tar"
  echo "node_modules from .gpu/node_modules.tar.xz ($(du -sh node_modules | cut -f1))"
fi
[ -f dist/sdekit.mjs ] || { echo "no dist/: carry dist (npm run build)"; exit 1; }
MLP=(node_modules/.bin/tsx bench/gpu/mlpStep.ts)
if [ -f .gpu/mlp_step.mjs ]; then MLP=(node .gpu/mlp_step.mjs); fi
SDEKIT=(node bin/sdekit.js)

PY=
for p in python3 /usr/bin/python3; do
  if "$p" -c 'import torch, numpy' >/dev/null 2>&1; then PY=$p; break; fi
done
DEV=cpu
if [ -n "$PY" ] && "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' >/dev/null 2>&1; then DEV=cuda; fi
echo "PyTorch: ${PY:-none} on $DEV"
note node "$(node --version)"
[ -n "$PY" ] && note torch "$("$PY" -c 'import torch; print(torch.__version__, torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu")')"

if [ "$SMALL" = 1 ]; then
  SAMPLE_NS="20000 2000"; REPEAT=2; TRAIN_SHORT=2; TRAIN_LONG=5; TRAIN_BATCH=64; MLP_STEPS=3; MLP_BATCH=64; PEER_STEPS=10
else
  SAMPLE_NS="1000000 100000"; REPEAT=3; TRAIN_SHORT=30; TRAIN_LONG=330; TRAIN_BATCH=512; MLP_STEPS=300; MLP_BATCH=512; PEER_STEPS=300
fi

# --- backends ------------------------------------------------------------------------------------
section "sdekit backends --json"
timeout 120 "${SDEKIT[@]}" backends --json >"$OUT/backends.json" 2>"$WORK/backends.err"
cat "$OUT/backends.json"
grep -v '^Warning: max' "$WORK/backends.err" | tail -n 5
ADAPTER=$(node -e 'try { const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const w = r.backends.find((b) => b.name === "webgpu"); console.log(w.available ? w.adapter : "unavailable: " + w.reason); } catch (e) { console.log("?") }' "$OUT/backends.json")
note webgpu_adapter "$ADAPTER"
if [ "$ON_GPU" = 1 ] && ! grep -q NVIDIA <<<"$ADAPTER"; then
  section "no NVIDIA WebGPU adapter: the Vulkan loader's own messages"
  VK_LOADER_DEBUG=error,warn,driver timeout 60 "${SDEKIT[@]}" backends --json 2>&1 | grep -v '^Warning: max' | tail -n 40
fi

# --- sampling ------------------------------------------------------------------------------------
"${SDEKIT[@]}" derive vp-linear --target python >"$WORK/vp_linear.py"
NP=python3 # numpy for the noise files: the image's python3, else the PyTorch one
python3 -c 'import numpy' 2>/dev/null || NP=${PY:-python3}
"$NP" bench/gpu/torch_peer.py gmm --out "$WORK/ring8.json"
for N in $SAMPLE_NS; do
  section "sampling, $N points: sdekit webgpu x $REPEAT (CLI), PyTorch $DEV"
  "$NP" bench/gpu/torch_peer.py noise --n "$N" --seed 0 --out "$WORK/noise_$N.json"
  for r in $(seq 1 "$REPEAT"); do
    run "sample_webgpu_${N}_$r" 180 workload=sample "impl=sdekit webgpu f32" "n=$N" "run=$r" -- \
      "${SDEKIT[@]}" sample --scheme vp-linear --score "gmm:$WORK/ring8.json" --sampler dpm-solver++2m --steps 20 \
      --spacing uniform-t --noise "$WORK/noise_$N.json" --out "$WORK/sdekit_$N.json" --backend webgpu --json
  done
  if [ "$N" -le 100000 ]; then
    run "sample_host_$N" 180 workload=sample "impl=sdekit host f64 (1 thread)" "n=$N" -- \
      "${SDEKIT[@]}" sample --scheme vp-linear --score "gmm:$WORK/ring8.json" --sampler dpm-solver++2m --steps 20 \
      --spacing uniform-t --noise "$WORK/noise_$N.json" --out "$WORK/host_$N.json" --json
  fi
  if [ -n "$PY" ]; then
    cmp_arg=()
    [ -s "$WORK/sdekit_$N.json" ] && cmp_arg=(--compare "$WORK/sdekit_$N.json")
    run "sample_torch_$N" 240 workload=sample "impl=pytorch $DEV" "n=$N" -- "$PY" bench/gpu/torch_peer.py sample --device "$DEV" --schedule "$WORK/vp_linear.py" \
      --noise "$WORK/noise_$N.json" --steps 20 --repeat 5 --warmup 2 "${cmp_arg[@]}"
  fi
done

# --- training ------------------------------------------------------------------------------------
for B in webgpu wasm; do
  for S in $TRAIN_SHORT $TRAIN_LONG; do
    section "sdekit train --backend $B, ring8 MLP, $S steps, batch $TRAIN_BATCH"
    run "train_${B}_$S" 240 workload=train "impl=sdekit $B (CLI)" "batch=$TRAIN_BATCH" -- \
      "${SDEKIT[@]}" train --scheme vp-linear --data ring8 --steps "$S" --batch "$TRAIN_BATCH" --pred eps --weighting simple \
      --time uniform --samples 0 --checkpoint-every 100000 --backend "$B" --out "$WORK/train_${B}_$S" --json
  done
done
for V in plain fused; do
  section "reference MLP step on webgpu ($V), $MLP_STEPS steps, batch $MLP_BATCH"
  run "mlp_webgpu_$V" 240 workload=mlpstep "impl=sdekit webgpu" "variant=$V" "batch=$MLP_BATCH" -- "${MLP[@]}" --backend webgpu --variant "$V" --steps "$MLP_STEPS" --batch "$MLP_BATCH"
done
if [ -n "$PY" ]; then
  section "PyTorch $DEV: DSM training step and reference MLP step, $PEER_STEPS steps"
  run train_torch 180 workload=train "impl=pytorch $DEV" "batch=$TRAIN_BATCH" -- "$PY" bench/gpu/torch_peer.py train --device "$DEV" --steps "$PEER_STEPS" --batch "$TRAIN_BATCH" \
    --warmup 20 --schedule "$WORK/vp_linear.py"
  run mlp_torch 180 workload=mlpstep "impl=pytorch $DEV" "batch=$MLP_BATCH" -- "$PY" bench/gpu/torch_peer.py mlpstep --device "$DEV" --steps "$PEER_STEPS" --batch "$MLP_BATCH" --warmup 20
fi

# --- the table -----------------------------------------------------------------------------------
section "results"
{
  echo "# sdekit on $( [ "$ON_GPU" = 1 ] && nvidia-smi --query-gpu=name --format=csv,noheader || echo "a machine without a GPU (--small: software WebGPU)") ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "bench/gpu/run.sh$( [ "$SMALL" = 1 ] && echo ' --small'); WebGPU adapter: $ADAPTER; ratios are sdekit throughput / PyTorch throughput (> 1: sdekit faster)."
  echo
  python3 bench/gpu/report.py table "$RES"
  echo
  echo '```'
  cat "$RES"
  echo '```'
} >"$OUT/gpu_results.md"
cat "$OUT/gpu_results.md"
rm -rf "$WORK"
echo "done in $(($(date +%s) - T_START)) s"
