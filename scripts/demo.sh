#!/usr/bin/env bash
# The README's main command: installs what is missing, builds radixlm, and runs `radixlm demo`:
# `radixlm serve` with the built-in demo model on a free loopback port, a multi-turn session through
# radixlm's client printing prompt tokens, cached tokens and time to first token per turn, and the
# same session with the radix cache disabled for comparison.
#
#   scripts/demo.sh                                       the built-in demo model (random weights)
#   scripts/demo.sh --model /path/to/hf-model-folder      a real Llama/Mistral/Qwen2/Qwen3 checkpoint
#   scripts/demo.sh --endpoint http://localhost:30000     a session against any running SGLang server
#   scripts/demo.sh --endpoint URL --interactive          type the turns yourself
set -euo pipefail
cd "$(dirname "$0")/.."

endpoint=""
model=""
interactive=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --endpoint) endpoint="$2"; shift 2 ;;
    --model) model="$2"; shift 2 ;;
    --interactive) interactive=1; shift ;;
    *) echo "usage: scripts/demo.sh [--model DIR | --endpoint URL [--interactive]]" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target radixlm -j "$(nproc)"
radixlm=build/release/src/cli/radixlm

if [[ -z "$endpoint" ]]; then
  if [[ -n "$model" ]]; then
    exec "$radixlm" demo --model "$model"
  fi
  exec "$radixlm" demo
fi

"$radixlm" health "$endpoint"
if [[ $interactive -eq 1 ]]; then
  exec "$radixlm" chat --endpoint "$endpoint" --temperature 0 --max-tokens 128
fi
# A scripted five-turn conversation: watch "cached" grow as the history is reused.
printf '%s\n' \
  "What is a radix tree?" \
  "How does SGLang use one for the KV cache?" \
  "Why does that make the second turn of a chat cheaper?" \
  "What gets evicted when memory runs out?" \
  "Summarize our conversation in one sentence." |
  "$radixlm" chat --endpoint "$endpoint" --temperature 0 --max-tokens 96 \
    --system "You are a concise expert on LLM inference systems."
