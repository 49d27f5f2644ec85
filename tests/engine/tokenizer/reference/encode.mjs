// Test-only reference: encodes strings with @huggingface/tokenizers (an independent pure-JS
// implementation of tokenizer.json) so the C++ tests can compare ids.
//
// Usage: node encode.mjs <tokenizer_dir> <strings.json>
//   <tokenizer_dir> holds tokenizer.json (and optionally tokenizer_config.json);
//   <strings.json> is a JSON array of strings.
// Prints a JSON array with, per string: text, ids (add_special_tokens true), ids_plain
// (add_special_tokens false), decoded (skip_special_tokens false) and decoded_skip (true).
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const [dir, stringsPath] = process.argv.slice(2);
if (!dir || !stringsPath) {
  console.error("usage: node encode.mjs <tokenizer_dir> <strings.json>");
  process.exit(2);
}

let Tokenizer;
try {
  // Resolve from tests/npm, where `npm ci --prefix tests/npm` installs the package.
  const require = createRequire(new URL("../../../npm/package.json", import.meta.url));
  const module = await import(require.resolve("@huggingface/tokenizers"));
  Tokenizer = module.Tokenizer ?? module.default?.Tokenizer;
} catch (error) {
  console.error(
    "cannot load @huggingface/tokenizers; run `npm ci --prefix tests/npm` from the repository " +
      "root (" + error.message + ")");
  process.exit(3);
}

const tokenizerJson = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8"));
const configPath = join(dir, "tokenizer_config.json");
const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, "utf8")) : {};
const tokenizer = new Tokenizer(tokenizerJson, config);
const strings = JSON.parse(readFileSync(stringsPath, "utf8"));

const results = strings.map((text) => {
  const ids = tokenizer.encode(text, { add_special_tokens: true }).ids;
  const idsPlain = tokenizer.encode(text, { add_special_tokens: false }).ids;
  // The library rejects an empty id list; its decoding is the empty string.
  const decode = (skip) =>
    ids.length === 0
      ? ""
      : tokenizer.decode(ids, { clean_up_tokenization_spaces: false, skip_special_tokens: skip });
  return { text, ids, ids_plain: idsPlain, decoded: decode(false), decoded_skip: decode(true) };
});
// One result per line keeps the committed fixtures readable in diffs.
process.stdout.write("[\n" + results.map((r) => JSON.stringify(r)).join(",\n") + "\n]\n");
