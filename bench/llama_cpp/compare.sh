#!/usr/bin/env bash
# compare.sh LLAMA_CPP_BUILD_DIR — radixlm vs llama.cpp on the same machine, in the same run, on
# the same weights (issue 3's comparison; figures go to docs/PERFORMANCE.md).
#
# Given an already built llama.cpp (llama-bench and llama-quantize under LLAMA_CPP_BUILD_DIR/bin,
# its source tree one level up for gguf-py), for each shape: makes our bf16 benchmark model if
# missing, converts it to an F16 GGUF with safetensors_to_gguf.py, quantizes Q8_0 and Q4_0, then
# runs back to back `llama-bench -t 2 -p 512 -n 128` on each GGUF and `radixlm_bench model` on
# each of our weight types, and prints a ratio table (bf16 / F16, int8 / Q8_0). The machines are
# noisy: only the ratios within one run mean anything.
#
# Environment: RADIXLM_BENCH (our binary; default build/release/bench/engine/radixlm_bench),
# SHAPES ("smollm2-135m llama-1b"), OURS ("bf16 int8"), THEIRS ("F16 Q8_0 Q4_0"), THREADS (2),
# REPEATS (3; llama-bench -r), MODELS_DIR (build/bench-models), OUT (build/bench-compare).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 LLAMA_CPP_BUILD_DIR" >&2
  exit 2
fi
LLAMA_BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
RADIXLM_BENCH=${RADIXLM_BENCH:-build/release/bench/engine/radixlm_bench}
GGUF_PY=${GGUF_PY:-$LLAMA_BUILD/../gguf-py}
SHAPES=${SHAPES:-"smollm2-135m llama-1b"}
OURS=${OURS:-"bf16 int8"}
THEIRS=${THEIRS:-"F16 Q8_0 Q4_0"}
THREADS=${THREADS:-2}
REPEATS=${REPEATS:-3}
MODELS_DIR=${MODELS_DIR:-build/bench-models}
OUT=${OUT:-build/bench-compare}
PYTHON=/usr/bin/python3  # Debian's, which has numpy

for tool in llama-bench llama-quantize; do
  [[ -x $LLAMA_BUILD/bin/$tool ]] || { echo "missing $LLAMA_BUILD/bin/$tool; build it" >&2; exit 1; }
done
[[ -x $RADIXLM_BENCH ]] || { echo "missing $RADIXLM_BENCH; build radixlm_bench" >&2; exit 1; }
mkdir -p "$OUT"

echo "## radixlm vs llama.cpp"
echo
echo "_Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%FT%TZ);" \
     "llama.cpp $(git -C "$LLAMA_BUILD/.." rev-parse --short HEAD 2>/dev/null || echo '(no git)');" \
     "threads $THREADS._"
echo

for shape in $SHAPES; do
  model_dir=$("$RADIXLM_BENCH" make-model --shape "$shape" --models-dir "$MODELS_DIR")
  f16="$OUT/$shape-F16.gguf"
  if [[ ! -s $f16 ]]; then
    "$PYTHON" "$HERE/safetensors_to_gguf.py" --gguf-py "$GGUF_PY" "$model_dir" "$f16.partial" >&2
    mv "$f16.partial" "$f16"
  fi
  for type in $THEIRS; do
    [[ $type == F16 || -s $OUT/$shape-$type.gguf ]] && continue
    "$LLAMA_BUILD/bin/llama-quantize" "$f16" "$OUT/$shape-$type.gguf" "$type" >"$OUT/quantize.log" 2>&1
  done

  # Back to back: llama.cpp, then ours, per precision.
  for type in $THEIRS; do
    echo "load before llama-bench $shape $type: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    "$LLAMA_BUILD/bin/llama-bench" -m "$OUT/$shape-$type.gguf" -t "$THREADS" -p 512 -n 128 \
        -r "$REPEATS" -o json >"$OUT/$shape-$type.llama.json" 2>"$OUT/$shape-$type.llama.log"
  done
  for weights in $OURS; do
    echo "load before radixlm_bench $shape $weights: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    "$RADIXLM_BENCH" model --shape "$shape" --weights "$weights" --threads "$THREADS" \
        --repeats "$REPEATS" --models-dir "$MODELS_DIR" --json "$OUT/$shape-$weights.radixlm.json" \
        >"$OUT/$shape-$weights.radixlm.md"
  done
done

"$PYTHON" - "$OUT" "$SHAPES" "$OURS" "$THEIRS" <<'PY'
import json, sys
out, shapes, ours, theirs = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4].split()
pair = {"bf16": "F16", "int8": "Q8_0", "int8-block": "Q8_0"}

def llama(shape, qtype):
    runs = json.load(open(f"{out}/{shape}-{qtype}.llama.json"))
    pp = next(r["avg_ts"] for r in runs if r["n_prompt"] > 0 and r["n_gen"] == 0)
    tg = next(r["avg_ts"] for r in runs if r["n_gen"] > 0 and r["n_prompt"] == 0)
    return pp, tg

print("| shape | llama.cpp type | pp512 t/s | tg128 t/s | radixlm weights | prefill t/s (512) "
      "| decode t/s b1 | decode t/s b8 | TTFT ms | peak RSS MiB | prefill ratio | decode ratio |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for shape in shapes:
    for qtype in theirs:
        pp, tg = llama(shape, qtype)
        matched = [w for w in ours if pair.get(w) == qtype]
        if not matched:
            print(f"| {shape} | {qtype} | {pp:.1f} | {tg:.1f} | | | | | | | | |")
        for weights in matched:
            r = json.load(open(f"{out}/{shape}-{weights}.radixlm.json"))["model"]
            m = r["median"]
            print(f"| {shape} | {qtype} | {pp:.1f} | {tg:.1f} | {weights} | "
                  f"{m['prefill_tokens_per_second']:.1f} | {m['decode_b1_tokens_per_second']:.1f} | "
                  f"{m['decode_b8_tokens_per_second']:.1f} | {m['ttft_ms']:.1f} | "
                  f"{r['peak_rss_bytes'] / 2**20:.0f} | "
                  f"{m['prefill_tokens_per_second'] / pp:.2f}x | "
                  f"{m['decode_b1_tokens_per_second'] / tg:.2f}x |")
print()
print("Targets (issue 3): decode >= 1.10x, prefill >= 1.00x at equal precision.")
PY
echo
echo "_Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)._"
