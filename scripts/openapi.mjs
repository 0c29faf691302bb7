// `npm run openapi:write`: writes openapi.json at the repository root from what the Worker
// serves at GET /openapi.json (run in workerd by wrangler, with no local state kept), so the
// committed document and the typed client generated from it never drift from the routes.
// test/openapi checks that the committed file is what the app serves.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './wrangler.mjs';

// The app reads nothing from `request.cf`; without this wrangler looks it up online and prints a stack trace offline.
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
const { unstable_startWorker } = await import('wrangler');

const worker = await unstable_startWorker({
  config: join(root, 'wrangler.toml'),
  dev: { persist: false, inspector: false, logLevel: 'error', server: { hostname: '127.0.0.1', port: 0 } },
});
try {
  const res = await worker.fetch('http://localhost/openapi.json');
  if (!res.ok) throw new Error(`GET /openapi.json answered ${res.status}`);
  writeFileSync(join(root, 'openapi.json'), `${JSON.stringify(await res.json(), null, 2)}\n`);
  console.log('wrote openapi.json');
} finally {
  await worker.dispose();
}
