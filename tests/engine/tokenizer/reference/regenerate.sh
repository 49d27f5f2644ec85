#!/usr/bin/env bash
# Rebuilds the test tokenizers under tests/engine/tokenizer/testdata/ and records the ids that
# the reference implementation (@huggingface/tokenizers) gives for testdata/hard_strings.json.
# Run after changing the trainer, the corpus or fixture_builder.cc:
#   cmake --build <build_dir> --target make_tokenizer_fixtures
#   npm ci --prefix tests/npm
#   tests/engine/tokenizer/reference/regenerate.sh <build_dir>
set -euo pipefail
build_dir=${1:?usage: regenerate.sh <build_dir>}
here=$(cd "$(dirname "$0")" && pwd)
testdata="$here/../testdata"
"$build_dir/tests/engine/tokenizer/make_tokenizer_fixtures" "$testdata"
for dir in "$testdata"/*/; do
  node "$here/encode.mjs" "$dir" "$testdata/hard_strings.json" > "$dir/expected.json"
  echo "recorded $dir/expected.json"
done
