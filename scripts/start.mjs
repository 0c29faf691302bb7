// `npm start`: serve the API locally on real local D1/KV/Queues, ready to use:
// creates .dev.env with a random JWT_SECRET on first run, applies migrations, seeds the demo
// catalog once, then runs `wrangler dev` and prints a short banner. `npm start -- --port 9000`
// picks the port; any configuration variable set in the environment (EMAIL_PROVIDER,
// RESEND_API_URL, …) overrides wrangler.toml and .dev.env for this run.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { applyMigrations, root, wrangler, wranglerLongRunning } from './wrangler.mjs';

const CONFIG_VARS = [
  'ENVIRONMENT', 'APP_URL', 'SHOP_NAME', 'CURRENCY', 'EMAIL_PROVIDER', 'EMAIL_FROM', 'EMAIL_REPLY_TO',
  'RESEND_API_URL', 'RESEND_API_KEY', 'ACCESS_TOKEN_LIFETIME_SECONDS', 'RESET_TOKEN_LIFETIME_SECONDS',
  'VERIFY_TOKEN_LIFETIME_SECONDS', 'CHECKOUT_TTL_MINUTES', 'REQUIRE_VERIFIED_LOGIN',
  'PASSWORD_MIN_LENGTH', 'PASSWORD_MAX_LENGTH', 'CORS_ORIGINS', 'JWT_SECRET',
  'PAYMENT_PROVIDER', 'UNPAID_ORDER_TTL_MINUTES', 'PAYMENT_PROVIDER_TIMEOUT_SECONDS',
  'STRIPE_API_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET',
  'RAZORPAY_API_URL', 'RAZORPAY_KEY_ID', 'RAZORPAY_KEY_SECRET', 'RAZORPAY_WEBHOOK_SECRET',
];

const args = process.argv.slice(2);
const portIndex = args.findIndex((arg) => arg === '--port' || arg.startsWith('--port='));
const port = portIndex < 0 ? '8787' : args[portIndex].includes('=') ? args[portIndex].split('=')[1] : args[portIndex + 1];
if (portIndex < 0) args.push('--port', port);

// Local secrets and development defaults; never committed (.gitignore). Not `.dev.vars`: every
// wrangler-based tool reads that file by itself, the test runner included (once per test file).
const devEnvPath = join(root, '.dev.env');
const legacyDevVarsPath = join(root, '.dev.vars');
if (!existsSync(devEnvPath) && existsSync(legacyDevVarsPath)) {
  renameSync(legacyDevVarsPath, devEnvPath);
  console.log('Moved .dev.vars to .dev.env (the tests read .dev.vars by themselves; they must not see local settings)');
}
const devEnv = existsSync(devEnvPath) ? readFileSync(devEnvPath, 'utf8') : '';
const missing = [];
if (!/^JWT_SECRET=/m.test(devEnv)) missing.push(`JWT_SECRET=${randomBytes(48).toString('base64url')}`);
if (!/^ENVIRONMENT=/m.test(devEnv)) missing.push('ENVIRONMENT=development');
if (!/^EMAIL_PROVIDER=/m.test(devEnv)) missing.push('EMAIL_PROVIDER=mailbox');
// Webhook secrets of its own, so POST /dev/payments/{id}/succeed can sign events with PAYMENT_PROVIDER=stripe or razorpay.
if (!/^STRIPE_WEBHOOK_SECRET=/m.test(devEnv)) missing.push(`STRIPE_WEBHOOK_SECRET=whsec_local_${randomBytes(24).toString('hex')}`);
if (!/^RAZORPAY_WEBHOOK_SECRET=/m.test(devEnv)) missing.push(`RAZORPAY_WEBHOOK_SECRET=local_${randomBytes(24).toString('hex')}`);
if (missing.length) {
  writeFileSync(devEnvPath, `${devEnv}${devEnv && !devEnv.endsWith('\n') ? '\n' : ''}${missing.join('\n')}\n`, { mode: 0o600 });
  console.log(`Wrote ${missing.map((line) => line.split('=')[0]).join(', ')} to .dev.env`);
}

applyMigrations(['--local']);

const seededMarker = join(root, '.wrangler', 'state', 'demo-catalog-seeded');
if (!existsSync(seededMarker)) {
  wrangler(['d1', 'execute', 'DB', '--local', '--file', join(root, 'scripts', 'demo-catalog.sql')], { quiet: true });
  mkdirSync(join(root, '.wrangler', 'state'), { recursive: true });
  writeFileSync(seededMarker, `${new Date().toISOString()}\n`);
  console.log('Database: seeded the demo catalog (scripts/demo-catalog.sql)');
}

const overrides = { APP_URL: `http://localhost:${port}` };
for (const name of CONFIG_VARS) if (process.env[name] !== undefined) overrides[name] = process.env[name];
// A local stand-in for Resend, Stripe or Razorpay needs no real key; the real APIs still do.
const isLocalUrl = (url) => /^https?:\/\/(localhost|127\.|\[::1\])/.test(url ?? '');
const provider = overrides.EMAIL_PROVIDER ?? '';
if (provider === 'resend' && !overrides.RESEND_API_KEY && isLocalUrl(overrides.RESEND_API_URL)) {
  overrides.RESEND_API_KEY = 're_local_development';
}
if (isLocalUrl(overrides.STRIPE_API_URL) && !overrides.STRIPE_SECRET_KEY) overrides.STRIPE_SECRET_KEY = 'sk_test_local_development';
if (isLocalUrl(overrides.RAZORPAY_API_URL) && !overrides.RAZORPAY_KEY_ID) overrides.RAZORPAY_KEY_ID = 'rzp_test_local_development';
if (isLocalUrl(overrides.RAZORPAY_API_URL) && !overrides.RAZORPAY_KEY_SECRET) overrides.RAZORPAY_KEY_SECRET = 'rzp_local_development_secret';
const varArgs = Object.entries(overrides).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
const environment = overrides.ENVIRONMENT ?? readFileSync(devEnvPath, 'utf8').match(/^ENVIRONMENT=(.*)$/m)?.[1]?.trim();

function banner(url) {
  const lines = [
    `Ashte API on ${url}`,
    `  docs        ${url}/docs   (OpenAPI document: ${url}/openapi.json)`,
  ];
  if (environment === 'development') lines.push(`  e-mails     ${url}/dev/mailbox   (what the app would have sent, with its links)`);
  lines.push(
    '  superuser   npm run -s create-superuser -- admin@example.com   (asks for the password)',
    '  fresh data  stop this, then npm run reset',
    '  cron        the scheduled jobs run every minute (unpaid orders expire, e-mails are re-queued)',
    'One JSON line per request follows. Ctrl-C stops.',
  );
  return lines.join('\n');
}

// What wrangler dev prints that is not worth a newcomer's screen: the bindings table (twice),
// the static assets' binding, where the local settings come from, status lines, the telemetry notice (metrics are off), and
// its own log line of every request, which would double the app's (the app's line has the
// request id and the error code).
const NOISE = [
  /^Cloudflare collects anonymous telemetry/,
  /^Using secrets defined in /,
  /^⎔ Connection status updated/,
  /^\[wrangler:info\] [A-Z]+ \S+ \d{3} /,
  /^Binding\s+Resource\s+Mode/,
  /^env\.\S+ (\(.*\)\s+\S|\s+Assets\s)/,
];
let blankLast = true;

// Miniflare does not fire cron triggers by itself: without this, unpaid orders would never expire
// (nor e-mails be re-queued) under npm start. Every minute, the cron jobs run as in production.
const LOCAL_CRON_MS = 60_000;
let localCron;
function startLocalCron(url) {
  if (localCron) return;
  const cron = `${url}/__scheduled?cron=${encodeURIComponent('*/5 * * * *')}`;
  localCron = setInterval(() => fetch(cron).catch(() => {}), LOCAL_CRON_MS);
  localCron.unref();
}

wranglerLongRunning(['dev', '--local', '--test-scheduled', '--env-file', '.dev.env', ...varArgs, ...args], {
  // Wrangler looks up the `Request.cf` object at workers.cloudflare.com on every start and
  // prints a stack trace when offline. The app reads nothing from `request.cf`, so the built-in
  // placeholder serves as well.
  env: { CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  onLine(line, out) {
    const plain = stripVTControlCharacters(line).trimEnd();
    if (plain === 'Your Worker has access to the following bindings:' || NOISE.some((re) => re.test(plain))) return;
    const ready = plain.match(/^\[wrangler:info\] Ready on (\S+)/);
    if (ready) {
      startLocalCron(ready[1]);
      out.write(`${blankLast ? '' : '\n'}${banner(ready[1].replace('://127.0.0.1', '://localhost'))}\n\n`);
      blankLast = true;
      return;
    }
    if (plain === '' && blankLast) return;
    blankLast = plain === '';
    out.write(`${line}\n`);
  },
});
