// `npm run bench`: latency of the hot read paths on a catalog of 100,000 products, against
// `wrangler dev` on real local D1/KV (a separate state folder, so your data is untouched).
// Numbers from a laptop-class machine are for comparing changes, not production promises.
// Ids, offsets and search words come from the catalog the server answers with, and a scenario
// whose answers are not all 200 (or that finds nothing) is refused, never reported: a fast 404
// or an empty page measures nothing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations, root, wrangler } from './wrangler.mjs';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const PORT = Number(process.env.BENCH_PORT ?? 8799);
const state = join(root, '.wrangler', 'bench-state');
const persist = ['--persist-to', state];

function seedCatalog() {
  const marker = join(state, `seeded-${PRODUCTS}`);
  if (existsSync(marker)) return;
  mkdirSync(state, { recursive: true });
  applyMigrations(['--local', ...persist]);
  const words = ['Blue', 'Red', 'Oak', 'Linen', 'Brass', 'Stone', 'Wool', 'Clay', 'Glass', 'Cotton'];
  const things = ['Mug', 'Lamp', 'Chair', 'Scarf', 'Bowl', 'Vase', 'Rug', 'Shelf', 'Tray', 'Jug'];
  const lines = [];
  for (let start = 1; start <= PRODUCTS; start += 500) {
    const rows = [];
    for (let id = start; id < Math.min(start + 500, PRODUCTS + 1); id++) {
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
  wrangler(['d1', 'execute', 'DB', '--local', ...persist, '--file', file], { quiet: true });
  wrangler(['d1', 'execute', 'DB', '--local', ...persist, '--command', 'ANALYZE;'], { quiet: true });
  console.log(`Seeded ${PRODUCTS} products into .wrangler/bench-state`);
  writeFileSync(marker, '');
}

async function waitForServer(base) {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('wrangler dev did not start');
}

/** One scenario: every answer must be 200 and not an empty list, else it is refused. */
async function measure(base, name, path) {
  const times = [];
  const refusals = new Set();
  for (let i = 0; i <= REQUESTS; i++) {
    const started = performance.now();
    const res = await fetch(base + path);
    const body = await res.text();
    const elapsed = performance.now() - started;
    if (res.status !== 200) refusals.add(`answered ${res.status}`);
    else if (body === '[]') refusals.add('answered an empty list');
    if (i > 0) times.push(elapsed); // the first request warms up
  }
  if (refusals.size) return { scenario: name, path, refused: [...refusals].join(', ') };
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))].toFixed(1);
  return { scenario: name, path, 'p50 ms': pct(50), 'p95 ms': pct(95), 'p99 ms': pct(99) };
}

/** The public catalog's size, and the id of a product in its middle, from the server itself. */
async function catalogFacts(base) {
  const res = await fetch(`${base}/products?limit=1`);
  const total = Number(res.headers.get('x-total-count'));
  const middle = Math.floor(total / 2);
  const [product] = await (await fetch(`${base}/products?offset=${middle}&limit=1`)).json();
  return { total, middle, productId: product?.id };
}

seedCatalog();
const wranglerBin = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));
const server = spawn(
  process.execPath,
  [wranglerBin, 'dev', '--local', '--test-scheduled', '--port', String(PORT), ...persist, '--var', 'JWT_SECRET:bench-secret-bench-secret-bench-secret', '--var', 'ENVIRONMENT:development', '--var', 'EMAIL_PROVIDER:mailbox'],
  { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' } },
);
const base = `http://127.0.0.1:${PORT}`;
let refused = 0;
try {
  await waitForServer(base);
  const { total, middle, productId } = await catalogFacts(base);
  // The names are the README's table's (Benchmarks).
  const scenarios = [
    ['health (one D1 round trip)', '/health'],
    ['list: default page', '/products'],
    [`list: offset ${middle.toLocaleString('en')} (the middle)`, `/products?offset=${middle}`],
    ['list: sort by -price, 100 per page', '/products?sort=-price&limit=100'],
    ['list: sort by title', '/products?sort=title'],
    ['list: price range + in stock', '/products?min_price=1000&max_price=2000&in_stock=true'],
    ['list: text search `q=linen mug`', '/products?q=linen%20mug'],
    ['product by id', `/products/${productId}`],
    ['OpenAPI document', '/openapi.json'],
  ];
  const rows = [];
  for (const [name, path] of scenarios) rows.push(await measure(base, name, path));
  refused = rows.filter((row) => row.refused).length;
  console.log(`\n${total.toLocaleString('en')} public products, ${REQUESTS} sequential requests per scenario\n`);
  console.table(rows);
  if (refused) console.error(`${refused} scenario(s) refused: their answers were not all 200 with content, so they measure nothing.`);
} finally {
  server.kill('SIGINT');
}
process.exitCode = refused ? 1 : 0;
