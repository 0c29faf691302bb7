// `npm run create-superuser -- <email> <password> [--remote]`
// Creates a superuser in the local D1 (or the deployed one with --remote), or promotes an
// existing user with that e-mail. An existing user keeps their password (and their tokens)
// when the one given matches; otherwise the given password replaces it, which ends their
// earlier tokens like any password change.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword, verifyPassword } from '../src/lib/password.ts';
import { applyMigrations, target, wrangler } from './wrangler.mjs';

const args = process.argv.slice(2);
const positional = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--persist-to');
const [rawEmail, password] = positional;
if (!rawEmail || !password) {
  console.error('usage: npm run create-superuser -- <email> <password> [--remote]');
  process.exit(2);
}
const email = rawEmail.trim().replace(/@(.*)$/, (_, domain) => `@${domain.toLowerCase()}`);
if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
  console.error(`not an e-mail address: ${rawEmail}`);
  process.exit(2);
}
if ([...password].length < 8) {
  console.error('the password must have at least 8 characters');
  process.exit(2);
}

const where = target(process.argv);
const sqlString = (value) => `'${value.replaceAll("'", "''")}'`;

function execute(sql) {
  const dir = mkdtempSync(join(tmpdir(), 'ashte-'));
  const file = join(dir, 'command.sql');
  writeFileSync(file, sql);
  try {
    const out = wrangler(['d1', 'execute', 'DB', ...where, '--json', '--file', file], { quiet: true });
    const parsed = JSON.parse(out);
    return parsed.flatMap((statement) => statement.results ?? []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

applyMigrations(where);

const [existing] = execute(
  `SELECT id, hashed_password FROM users WHERE lower(email) = lower(${sqlString(email)});`,
);

if (existing) {
  const keepsPassword = await verifyPassword(password, existing.hashed_password);
  const passwordChange = keepsPassword
    ? ''
    : `, hashed_password = ${sqlString(await hashPassword(password))}, auth_version = auth_version + 1`;
  execute(
    `UPDATE users SET is_superuser = 1, is_active = 1, is_verified = 1${passwordChange}, ` +
      `updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ${sqlString(existing.id)};`,
  );
  console.log(`Promoted ${email} (${existing.id}) to superuser${keepsPassword ? '' : ' and set the new password'}.`);
} else {
  const id = randomUUID();
  execute(
    'INSERT INTO users (id, email, hashed_password, is_active, is_superuser, is_verified) VALUES ' +
      `(${sqlString(id)}, ${sqlString(email)}, ${sqlString(await hashPassword(password))}, 1, 1, 1);`,
  );
  console.log(`Created superuser ${email} (${id}).`);
}
