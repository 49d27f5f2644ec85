#!/usr/bin/env bash
# The README's main command: installs what is missing, builds radixlm, and runs a multi-turn
# session that prints, per turn, the prompt tokens and the tokens the server's prefix cache served.
#
#   scripts/demo.sh --endpoint http://localhost:30000     against any SGLang server (or radixlm serve)
#   scripts/demo.sh --endpoint URL --interactive          type the turns yourself
set -euo pipefail
cd "$(dirname "$0")/.."

endpoint=""
interactive=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --endpoint) endpoint="$2"; shift 2 ;;
    --interactive) interactive=1; shift ;;
    *) echo "usage: scripts/demo.sh --endpoint URL [--interactive]" >&2; exit 2 ;;
  esac
done

if [[ -z "$endpoint" ]]; then
  cat >&2 <<'MSG'
scripts/demo.sh: the built-in demo model and `radixlm serve` are not part of radixlm yet
(docs/STATUS.md), so the demo needs a running SGLang server:

  python -m sglang.launch_server --model-path <model> --port 30000 --enable-cache-report
  scripts/demo.sh --endpoint http://localhost:30000
MSG
  exit 2
fi

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target radixlm -j "$(nproc)"
radixlm=build/release/src/cli/radixlm

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
