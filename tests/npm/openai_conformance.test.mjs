// Conformance of `radixlm serve` with the official OpenAI SDK (npm `openai`) as the client:
// models, chat and completions (streaming and not, usage with cached_tokens, logprobs) and the
// errors the SDK maps to its exception classes. Run by ctest (tests/e2e/CMakeLists.txt) with
// RADIXLM_BINARY and RADIXLM_E2E_MODEL_DIR set; starts its own server on a free port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';

// Loaded dynamically so that a missing package fails with the command that installs it.
let OpenAI;
try {
  ({ default: OpenAI } = await import('openai'));
} catch (error) {
  throw new Error(`the npm package 'openai' is missing (${error.message}); ` +
                  'run: npm ci --prefix tests/npm');
}

const binary = process.env.RADIXLM_BINARY;
const modelDir = process.env.RADIXLM_E2E_MODEL_DIR;
const apiKey = 'sk-conformance';
const modelName = 'tiny-sdk';
let server;
let client;

function ensureModel() {
  if (existsSync(`${modelDir}/config.json`)) return;
  const scratch = `${modelDir}.tmp.node.${process.pid}`;
  execFileSync(binary, ['model', 'make', '--shape', 'tiny', '--dtype', 'bf16', '--seed', '1',
                        '--force', '--out', scratch], { stdio: 'ignore' });
  try { renameSync(scratch, modelDir); } catch { rmSync(scratch, { recursive: true, force: true }); }
}

before(async () => {
  assert.ok(binary, 'RADIXLM_BINARY must name the radixlm binary');
  ensureModel();
  server = spawn(binary, ['serve', '--model', modelDir, '--port', '0', '--threads', '1',
                          '--api-key', apiKey, '--served-model-name', modelName],
                 { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('serve did not start: ' + text)), 120000);
    server.stdout.on('data', (data) => {
      text += data.toString();
      const match = text.match(/listening on http:\/\/[^:]+:(\d+)/);
      if (match) { clearTimeout(timer); resolve(Number(match[1])); }
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${text}`)));
  });
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey, maxRetries: 0 });
});

after(async () => {
  if (!server) return;
  const exited = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  server.kill('SIGTERM');
  assert.equal(await exited, 0, 'radixlm serve exits 0 on SIGTERM');
});

const messages = [
  { role: 'system', content: 'You are a conformance test.' },
  { role: 'user', content: 'Say something short.' },
];

test('models.list returns exactly the served model, and retrieve works', async () => {
  const page = await client.models.list();
  assert.equal(page.data.length, 1);
  assert.equal(page.data[0].id, modelName);
  assert.equal(typeof page.data[0].max_model_len, 'number');
  const card = await client.models.retrieve(modelName);
  assert.equal(card.id, modelName);
  await assert.rejects(client.models.retrieve('no-such-model'), OpenAI.NotFoundError);
});

test('chat completion has the OpenAI shape and reports cached_tokens', async () => {
  const completion = await client.chat.completions.create({
    model: modelName, messages, max_tokens: 6, temperature: 0, seed: 1,
  });
  assert.equal(completion.object, 'chat.completion');
  assert.ok(completion.id);
  assert.equal(typeof completion.created, 'number');
  assert.equal(completion.choices.length, 1);
  const choice = completion.choices[0];
  assert.equal(choice.message.role, 'assistant');
  assert.equal(typeof choice.message.content, 'string');
  assert.ok(['stop', 'length'].includes(choice.finish_reason));
  assert.ok(completion.usage.prompt_tokens > 0);
  assert.ok(completion.usage.completion_tokens > 0);
  assert.equal(completion.usage.total_tokens,
               completion.usage.prompt_tokens + completion.usage.completion_tokens);
  assert.equal(typeof completion.usage.prompt_tokens_details.cached_tokens, 'number');
});

test('chat logprobs carry exactly top_logprobs alternatives', async () => {
  const completion = await client.chat.completions.create({
    model: modelName, messages, max_tokens: 3, logprobs: true, top_logprobs: 2,
  });
  const content = completion.choices[0].logprobs.content;
  assert.ok(content.length > 0);
  assert.equal(typeof content[0].token, 'string');
  assert.equal(typeof content[0].logprob, 'number');
  assert.equal(content[0].top_logprobs.length, 2);
});

test('completions: text, usage and legacy logprobs', async () => {
  const completion = await client.completions.create({
    model: modelName, prompt: 'Once upon a time', max_tokens: 4, logprobs: 2,
  });
  assert.equal(completion.object, 'text_completion');
  assert.equal(typeof completion.choices[0].text, 'string');
  assert.ok(completion.usage.completion_tokens > 0);
  const logprobs = completion.choices[0].logprobs;
  assert.equal(typeof logprobs.tokens[0], 'string');
  assert.equal(typeof logprobs.top_logprobs[0], 'object');
});

test('completions: echo with logprobs and max_tokens 0 scores the prompt (lm-eval loglikelihood)', async () => {
  const prompt = 'The quick brown fox';
  const completion = await client.completions.create({
    model: modelName, prompt, max_tokens: 0, echo: true, logprobs: 1,
  });
  const choice = completion.choices[0];
  assert.equal(choice.text, prompt);
  assert.equal(completion.usage.completion_tokens, 0);
  const logprobs = choice.logprobs;
  assert.equal(logprobs.tokens.length, completion.usage.prompt_tokens);
  assert.equal(logprobs.token_logprobs[0], null);
  assert.equal(logprobs.top_logprobs[0], null);
  for (const value of logprobs.token_logprobs.slice(1)) {
    assert.equal(typeof value, 'number');
    assert.ok(value <= 0);
  }
  assert.equal(Object.keys(logprobs.top_logprobs[1]).length, 1);
});

async function collectChat(request) {
  const stream = await client.chat.completions.create({ ...request, stream: true,
    stream_options: { include_usage: true } });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

test('chat stream: role first, one finish chunk, a usage chunk, cached_tokens on repeat', async () => {
  const request = { model: modelName, messages, max_tokens: 5, temperature: 0 };
  const chunks = await collectChat(request);
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  const finishes = chunks.filter((c) => c.choices.length > 0 && c.choices[0].finish_reason);
  assert.equal(finishes.length, 1);
  const usage = chunks[chunks.length - 1];
  assert.deepEqual(usage.choices, []);
  assert.ok(usage.usage.prompt_tokens > 0);
  assert.ok(usage.usage.completion_tokens > 0);
  const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  const again = await collectChat(request);
  const againText = again.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  assert.equal(againText, text, 'temperature 0 is deterministic');
  const cached = again[again.length - 1].usage.prompt_tokens_details.cached_tokens;
  assert.ok(cached > 0, `the repeated prompt is served from the radix cache (cached ${cached})`);
});

test('completions stream ends with finish_reason and usage', async () => {
  const stream = await client.completions.create({
    model: modelName, prompt: 'Streaming completion', max_tokens: 4, stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const withChoices = chunks.filter((c) => c.choices.length > 0);
  assert.ok(withChoices[withChoices.length - 1].choices[0].finish_reason);
  const usage = chunks[chunks.length - 1];
  assert.deepEqual(usage.choices, []);
  assert.ok(usage.usage.completion_tokens > 0);
});

test('errors map to the SDK exception classes', async () => {
  // SGLang's OpenAI-route errors are top-level {"object":"error","message",...} (not nested
  // under "error"), so the SDK sees the status but not the message; the C++ e2e tests check the
  // messages.
  const badRequest = (error) => error instanceof OpenAI.BadRequestError && error.status === 400;
  await assert.rejects(client.chat.completions.create({ model: modelName, messages: [] }),
                       badRequest);
  await assert.rejects(
    client.chat.completions.create({ model: modelName, messages, max_tokens: -1 }), badRequest);
  await assert.rejects(client.chat.completions.create({ model: modelName, messages, n: 2 }),
                       badRequest);
  await assert.rejects(
    client.completions.create({ model: modelName, prompt: 'x'.repeat(20000), max_tokens: 1 }),
    badRequest);
  await assert.rejects(
    client.chat.completions.create({ model: modelName, messages, stream: true,
                                     max_tokens: 100000 }),
    badRequest);
  const stranger = new OpenAI({ baseURL: client.baseURL, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(stranger.models.list(),
                       (error) => error instanceof OpenAI.AuthenticationError && error.status === 401);
  // The server keeps serving after errors.
  const after = await client.completions.create({ model: modelName, prompt: 'ok', max_tokens: 1 });
  assert.equal(after.choices.length, 1);
});
