// `npm run bench`: the hot read paths on catalogs of 1,000 and 100,000 products, against
// `wrangler dev` on real local D1/KV (separate state folders, so your data is untouched), in one
// run: per scenario its sequential p50/p95, what the server's own request log line says it cost
// in D1 (calls, primary calls, rows read) and from the edge cache, a far-caller latency model,
// each catalog shape at both sizes side by side, and throughput under 16 connections.
// Numbers from a shared development machine are for comparing changes, not production promises.
// Ids, offsets and search words come from the catalog the server answers with, and a scenario
// whose answers are not all 200 (or that finds nothing) is refused, never reported: a fast 404
// or an empty page measures nothing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { applyMigrations, root, wrangler } from './wrangler.mjs';

const SIZES = (process.env.BENCH_SIZES ?? '1000,100000').split(',').map(Number);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 60);
const LOAD_REQUESTS = Number(process.env.BENCH_LOAD_REQUESTS ?? 320);
const CONNECTIONS = 16;
const PORT = Number(process.env.BENCH_PORT ?? 8799);
// The far-caller model: a caller far from the primary, near an edge and a replica.
const PRIMARY_MS = 150;
const NEAR_MS = 10;
// Past the edge cache, to measure D1: the cache's own answers are one row of their own.
const BYPASS = { 'cache-control': 'no-cache' };

const stateOf = (size) => join(root, '.wrangler', `bench-state-${size}`);

/** Seeds `size` products once per state folder (bulk INSERTs through `wrangler d1 execute --file`). */
function seedCatalog(size) {
  const state = stateOf(size);
  const marker = join(state, `seeded-${size}`);
  const persist = ['--persist-to', state];
  mkdirSync(state, { recursive: true });
  // Every run, so a seeded catalog gets the migrations added since.
  applyMigrations(['--local', ...persist]);
  if (existsSync(marker)) return;
  const words = ['Blue', 'Red', 'Oak', 'Linen', 'Brass', 'Stone', 'Wool', 'Clay', 'Glass', 'Cotton'];
  const things = ['Mug', 'Lamp', 'Chair', 'Scarf', 'Bowl', 'Vase', 'Rug', 'Shelf', 'Tray', 'Jug'];
  const lines = [];
  for (let start = 1; start <= size; start += 500) {
    const rows = [];
    for (let id = start; id < Math.min(start + 500, size + 1); id++) {
      const title = `${words[id % 10]} ${things[Math.floor(id / 10) % 10]} ${id}`;
      const day = String(1 + (id % 28)).padStart(2, '0');
      const month = String(1 + (id % 12)).padStart(2, '0');
      const year = id % 20 === 0 ? 2099 : 2025;
      rows.push(`(${id}, '${title}', 'Handmade ${title.toLowerCase()}', ${(id * 7919) % 500000}, '${year}-${month}-${day}', ${id % 7}, ${id % 10 === 0 ? 0 : 1})`);
    }
    lines.push(`INSERT OR IGNORE INTO products (id, title, description, price, release_date, quantity, is_visible) VALUES ${rows.join(',\n')};`);
  }
  const file = join(state, 'catalog.sql');
  writeFileSync(file, lines.join('\n'));
  const started = performance.now();
  wrangler(['d1', 'execute', 'DB', '--local', ...persist, '--file', file], { quiet: true });
  wrangler(['d1', 'execute', 'DB', '--local', ...persist, '--command', 'ANALYZE;'], { quiet: true });
  console.log(`Seeded ${size.toLocaleString('en')} products into .wrangler/bench-state-${size} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  writeFileSync(marker, '');
}

/** `wrangler dev` on a size's state, with its request log lines (by request id) as they come. */
async function startServer(size) {
  const wranglerBin = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));
  const server = spawn(
    process.execPath,
    [
      wranglerBin,
      'dev',
      '--local',
      '--port',
      String(PORT),
      '--persist-to',
      stateOf(size),
      '--var',
      'JWT_SECRET:bench-secret-bench-secret-bench-secret',
      '--var',
      'ENVIRONMENT:development',
      '--var',
      'EMAIL_PROVIDER:mailbox',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' } },
  );
  // wrangler's own chatter (and esbuild's when it is stopped) is shown only if it does not start.
  const errors = [];
  createInterface({ input: server.stderr }).on('line', (line) => errors.push(line));
  const logLines = new Map();
  createInterface({ input: server.stdout }).on('line', (line) => {
    const start = line.indexOf('{"');
    if (start < 0) return;
    try {
      const entry = JSON.parse(line.slice(start));
      if (entry.msg === 'request' && entry.request_id) logLines.set(entry.request_id, entry);
    } catch {}
  });
  const base = `http://127.0.0.1:${PORT}`;
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return { base, logLines, stop: () => stopServer(server) };
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  server.kill('SIGINT');
  process.stderr.write(`${errors.slice(-40).join('\n')}\n`);
  throw new Error('wrangler dev did not start');
}

function stopServer(server) {
  return new Promise((resolve) => {
    server.once('exit', resolve);
    server.kill('SIGINT');
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : undefined;
};
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const mostCommon = (values) => {
  const counts = new Map();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
};

/** One request; refused unless 200 with content. */
async function call(base, path, headers, init = {}) {
  const started = performance.now();
  const res = await fetch(base + path, { ...init, headers: { ...headers, ...init.headers } });
  const body = await res.text();
  const elapsed = performance.now() - started;
  const refusal = res.status !== 200 ? `answered ${res.status}` : body === '[]' ? 'answered an empty list' : undefined;
  return { elapsed, refusal, requestId: res.headers.get('x-request-id') };
}

/**
 * A scenario, sequentially: latency, and what its log lines say it cost (medians; the cache
 * state most requests had). The first request warms up and is not counted.
 */
async function measure(server, scenario) {
  const times = [];
  const ids = [];
  const refusals = new Set();
  for (let i = 0; i <= (scenario.requests ?? REQUESTS); i++) {
    const { elapsed, refusal, requestId } = await call(server.base, scenario.path, scenario.headers, scenario.init?.());
    if (refusal) refusals.add(refusal);
    if (i > 0) {
      times.push(elapsed);
      ids.push(requestId);
    }
  }
  if (refusals.size) return { ...scenario, refused: [...refusals].join(', ') };
  await new Promise((resolve) => setTimeout(resolve, 300)); // the last log lines
  const lines = ids.map((id) => server.logLines.get(id)).filter(Boolean);
  const d1 = (field) => median(lines.map((line) => line.d1?.[field] ?? 0));
  times.sort((a, b) => a - b);
  const result = {
    ...scenario,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    logged: lines.length,
    calls: d1('calls'),
    primaryCalls: d1('primary_calls'),
    rowsRead: d1('rows_read'),
    maxRowsRead: Math.max(...lines.map((line) => line.d1?.rows_read ?? 0)),
    cache: mostCommon(lines.map((line) => line.cache ?? '')) || '–',
  };
  // An edge hit is one near round trip; otherwise every D1 round trip: far to the primary, near to a replica.
  result.farCaller = result.cache === 'hit' ? NEAR_MS + result.p50 : PRIMARY_MS * result.primaryCalls + NEAR_MS * (result.calls - result.primaryCalls) + result.p50;
  return result;
}

/** Requests per second for a path under CONNECTIONS concurrent connections, LOAD_REQUESTS in all. */
async function throughput(server, path, headers) {
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next++ < LOAD_REQUESTS) if ((await call(server.base, path, headers)).refusal) failed++;
    }),
  );
  return failed ? Number.NaN : LOAD_REQUESTS / ((performance.now() - started) / 1000);
}

/** The public catalog's size, and the id of a product in its middle, from the server itself. */
async function catalogFacts(base) {
  const res = await fetch(`${base}/products?limit=1`, { headers: BYPASS });
  const total = Number(res.headers.get('x-total-count'));
  const middle = Math.floor(total / 2);
  const [product] = await (await fetch(`${base}/products?offset=${middle}&limit=1`, { headers: BYPASS })).json();
  return { total, middle, productId: product?.id };
}

/**
 * A customer for the write routes: registered (login does not need verification by default),
 * logged in, with one line in the cart, whose quantity the cart scenario sets again and again.
 */
async function customer(base) {
  const email = `bench.${Date.now()}@example.com`;
  const password = 'a long bench passphrase';
  const json = { 'content-type': 'application/json' };
  await fetch(`${base}/auth/register`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
  const login = () => ({ method: 'POST', body: new URLSearchParams({ username: email, password }) });
  const { access_token: token } = await (await fetch(`${base}/auth/jwt/login`, login())).json();
  const auth = { authorization: `Bearer ${token}` };
  const [product] = await (await fetch(`${base}/products?in_stock=true&limit=1`, { headers: BYPASS })).json();
  const cart = await (await fetch(`${base}/cart/add`, { method: 'POST', headers: { ...json, ...auth }, body: JSON.stringify([{ product_id: product.id, quantity: 1 }]) })).json();
  const line = cart.items?.[0] ?? {};
  return { login, auth, json, itemId: line.id ?? line.item_id ?? product.id };
}

/** The catalog shapes, by name (the README's); offsets relative to the catalog's size. */
const catalogShapes = ({ total, middle }) => [
  ['default page', '/products'],
  ['offset: the middle', `/products?offset=${middle}`],
  ['offset: near the end, sort by -release_date', `/products?sort=-release_date&offset=${total - 50}`],
  ['sort by -price, 100 per page', '/products?sort=-price&limit=100'],
  ['sort by title', '/products?sort=title'],
  ['sort by -price, in stock', '/products?sort=-price&in_stock=true'],
  ['sold out, sort by title, a third in', `/products?sort=title&in_stock=false&offset=${Math.floor(total / 21)}`],
  ['price range + in stock', '/products?min_price=1000&max_price=2000&in_stock=true'],
  ['price range, sort by -price, deep', `/products?min_price=100000&max_price=400000&sort=-price&offset=${Math.floor(total / 3)}`],
  // The shape whose cost is not bounded (README: a price range with another sort): about 6% of the
  // catalog matches, and the page starts a third of the way into them.
  ['price range, sort by title, a third in', `/products?min_price=100000&max_price=130000&sort=title&offset=${Math.floor(total / 50)}`],
  ['text search `q=linen mug`', '/products?q=linen%20mug'],
];

const fmt = (value, digits = 0) => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));

const runs = [];
let refused = 0;
for (const size of SIZES) {
  seedCatalog(size);
  const server = await startServer(size);
  try {
    const facts = await catalogFacts(server.base);
    const shapes = catalogShapes(facts).map(([name, path]) => ({ name: `list: ${name}`, path, headers: BYPASS, shape: true }));
    const scenarios = [
      { name: 'health (one D1 round trip)', path: '/health' },
      ...shapes,
      { name: 'list: default page, edge cache', path: '/products' },
      { name: 'product by id', path: `/products/${facts.productId}`, headers: BYPASS },
      { name: 'product by id, edge cache', path: `/products/${facts.productId}` },
      { name: 'OpenAPI document', path: '/openapi.json' },
    ];
    const shopper = await customer(server.base);
    // Login is rate-limited (20 a minute): a few requests, enough for a median.
    scenarios.push(
      { name: 'POST /auth/jwt/login', path: '/auth/jwt/login', init: shopper.login, requests: 10 },
      { name: 'PUT /cart/update/{id}', path: `/cart/update/${shopper.itemId}`, headers: { ...shopper.auth, ...shopper.json }, init: () => ({ method: 'PUT', body: '{"quantity":1}' }) },
      { name: 'GET /cart/show', path: '/cart/show', headers: shopper.auth },
    );
    const results = [];
    for (const scenario of scenarios) results.push(await measure(server, scenario));
    // The machine is shared and its speed drifts within a run: each shape is paired with a
    // measurement of GET /products/{id} taken just before it, and its ratio is to that one.
    const references = [];
    for (const result of results.filter((r) => r.shape && !r.refused)) {
      result.reference = await throughput(server, `/products/${facts.productId}`, BYPASS);
      references.push(result.reference);
      result.rps = await throughput(server, result.path, result.headers);
    }
    const reference = references.sort((a, b) => a - b)[Math.floor(references.length / 2)];
    runs.push({ size, facts, results, reference });
    refused += results.filter((r) => r.refused).length;
  } finally {
    await server.stop();
  }
}

const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
console.log(`\n## npm run bench, ${date} UTC: ${REQUESTS} sequential requests per scenario, ${LOAD_REQUESTS} under ${CONNECTIONS} connections\n`);
for (const { size, facts, results, reference } of runs) {
  console.log(`\n### ${size.toLocaleString('en')} products (${facts.total.toLocaleString('en')} public); GET /products/{id} under ${CONNECTIONS} connections: ${fmt(reference)} req/s (median of its measurements, one before each shape's)\n`);
  console.log('| scenario | p50 ms | p95 ms | D1 calls | primary | rows read (max) | cache | far caller ms | req/s (16 conn.) |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    if (r.refused) console.log(`| ${r.name} | refused: ${r.refused} |`);
    else console.log(`| ${r.name} | ${fmt(r.p50, 1)} | ${fmt(r.p95, 1)} | ${r.calls} | ${r.primaryCalls} | ${r.rowsRead} (${r.maxRowsRead}) | ${r.cache} | ${fmt(r.farCaller)} | ${r.rps === undefined ? '' : `${fmt(r.rps)} (${fmt(r.rps / r.reference, 2)}×)`} |`);
  }
}
if (runs.length >= 2) {
  const [small, large] = [runs[0], runs.at(-1)];
  console.log(`\n### Catalog shapes: ${small.size.toLocaleString('en')} vs ${large.size.toLocaleString('en')} products (sequential p50; large ÷ small)\n`);
  console.log(`| shape | p50 ms at ${small.size.toLocaleString('en')} | p50 ms at ${large.size.toLocaleString('en')} | ratio | rows read at ${small.size.toLocaleString('en')} | rows read at ${large.size.toLocaleString('en')} |`);
  console.log('|---|---|---|---|---|---|');
  for (const r of large.results.filter((x) => x.shape)) {
    const s = small.results.find((x) => x.name === r.name);
    if (!s || s.refused || r.refused) continue;
    console.log(`| ${r.name.replace(/^list: /, '')} | ${fmt(s.p50, 1)} | ${fmt(r.p50, 1)} | ${fmt(r.p50 / s.p50, 2)}× | ${s.rowsRead} | ${r.rowsRead} |`);
  }
}
if (refused) console.error(`${refused} scenario(s) refused: their answers were not all 200 with content, so they measure nothing.`);
process.exitCode = refused ? 1 : 0;
