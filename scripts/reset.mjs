// `npm run reset`: start again from empty local data. Deletes the local D1 database, KV
// namespaces and queues of `npm start` (.wrangler/state); the next `npm start` applies the
// migrations and seeds the demo catalog again. Keeps .dev.env (your JWT_SECRET and settings)
// and the benchmark's separate catalog (.wrangler/bench-state). Stop `npm start` first.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './wrangler.mjs';

const state = join(root, '.wrangler', 'state');
if (existsSync(state)) {
  rmSync(state, { recursive: true, force: true });
  console.log('Deleted the local data (.wrangler/state); the next npm start begins from the demo catalog.');
} else {
  console.log('No local data to delete (.wrangler/state does not exist).');
}
