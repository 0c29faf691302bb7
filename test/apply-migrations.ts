import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// Setup files run before every test file; applying migrations is idempotent. Each test file
// runs in a Miniflare of its own (@cloudflare/vitest-plugin starts one per pool worker, and
// vitest isolates files), with in-memory D1, KV, Queues and rate limiters: a file starts from
// empty storage and never sees another file's data, so files cannot depend on their order.
// The tests of one file share that storage; each makes its own data (unique e-mails, tags,
// client addresses), and the suite passes shuffled (`npx vitest run --sequence.shuffle`).
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
