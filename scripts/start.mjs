// `npm start`: serve the API locally on real local D1/KV/Queues, ready to use:
// creates .dev.vars with a random JWT_SECRET on first run, applies migrations, seeds the demo
// catalog once, then runs `wrangler dev`. `npm start -- --port 9000` picks the port; any
// configuration variable set in the environment (EMAIL_PROVIDER, RESEND_API_URL, …) overrides
// wrangler.toml and .dev.vars for this run.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root, wrangler, wranglerLongRunning } from './wrangler.mjs';

const CONFIG_VARS = [
  'ENVIRONMENT', 'APP_URL', 'SHOP_NAME', 'CURRENCY', 'EMAIL_PROVIDER', 'EMAIL_FROM', 'EMAIL_REPLY_TO',
  'RESEND_API_URL', 'RESEND_API_KEY', 'ACCESS_TOKEN_LIFETIME_SECONDS', 'RESET_TOKEN_LIFETIME_SECONDS',
  'VERIFY_TOKEN_LIFETIME_SECONDS', 'CHECKOUT_TTL_MINUTES', 'REQUIRE_VERIFIED_LOGIN',
  'PASSWORD_MIN_LENGTH', 'PASSWORD_MAX_LENGTH', 'CORS_ORIGINS', 'JWT_SECRET',
];

const args = process.argv.slice(2);
const portIndex = args.findIndex((arg) => arg === '--port' || arg.startsWith('--port='));
const port = portIndex < 0 ? '8787' : args[portIndex].includes('=') ? args[portIndex].split('=')[1] : args[portIndex + 1];
if (portIndex < 0) args.push('--port', port);

// Local secrets and development defaults; never committed (.gitignore).
const devVarsPath = join(root, '.dev.vars');
const devVars = existsSync(devVarsPath) ? readFileSync(devVarsPath, 'utf8') : '';
const missing = [];
if (!/^JWT_SECRET=/m.test(devVars)) missing.push(`JWT_SECRET=${randomBytes(48).toString('base64url')}`);
if (!/^ENVIRONMENT=/m.test(devVars)) missing.push('ENVIRONMENT=development');
if (!/^EMAIL_PROVIDER=/m.test(devVars)) missing.push('EMAIL_PROVIDER=mailbox');
if (missing.length) {
  writeFileSync(devVarsPath, `${devVars}${devVars && !devVars.endsWith('\n') ? '\n' : ''}${missing.join('\n')}\n`, { mode: 0o600 });
  console.log(`Wrote ${missing.map((line) => line.split('=')[0]).join(', ')} to .dev.vars`);
}

wrangler(['d1', 'migrations', 'apply', 'DB', '--local']);

const seededMarker = join(root, '.wrangler', 'state', 'demo-catalog-seeded');
if (!existsSync(seededMarker)) {
  wrangler(['d1', 'execute', 'DB', '--local', '--file', join(root, 'scripts', 'demo-catalog.sql')]);
  mkdirSync(join(root, '.wrangler', 'state'), { recursive: true });
  writeFileSync(seededMarker, `${new Date().toISOString()}\n`);
  console.log('Seeded the demo catalog');
}

const overrides = { APP_URL: `http://localhost:${port}` };
for (const name of CONFIG_VARS) if (process.env[name] !== undefined) overrides[name] = process.env[name];
// A local stand-in for Resend needs no real key; the real API still does.
const provider = overrides.EMAIL_PROVIDER ?? '';
if (provider === 'resend' && !overrides.RESEND_API_KEY && /^https?:\/\/(localhost|127\.|\[::1\])/.test(overrides.RESEND_API_URL ?? '')) {
  overrides.RESEND_API_KEY = 're_local_development';
}
const varArgs = Object.entries(overrides).flatMap(([name, value]) => ['--var', `${name}:${value}`]);

wranglerLongRunning(['dev', '--local', '--test-scheduled', ...varArgs, ...args]);
