// `npm run -s create-superuser -- <email> [--remote] [--persist-to DIR]`
// Creates a superuser in the local D1 (or the deployed one with --remote), or promotes an
// existing user with that e-mail. The password is asked for without echo; scripts give it in
// ASHTE_SUPERUSER_PASSWORD, on standard input, or (seen in shell history and npm's banner) as a
// second argument. The e-mail and the password pass the same checks as registration, with the
// same configuration (PASSWORD_MIN_LENGTH, …) and the same messages. An existing user keeps
// their password (and their tokens) when the one given matches; otherwise the given password
// replaces it, which ends their earlier tokens like any password change.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { build } from 'esbuild';
import { unstable_readConfig } from 'wrangler';
import { applyMigrations, root, target, wrangler } from './wrangler.mjs';

const USAGE = 'usage: npm run -s create-superuser -- <email> [--remote] [--persist-to DIR]   (asks for the password)';
const args = process.argv.slice(2);
const positional = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--persist-to');
const [rawEmail, passwordArgument] = positional;
if (!rawEmail || positional.length > 2) fail(USAGE);
const where = target(args);

function fail(message) {
  console.error(message);
  process.exit(2);
}

/**
 * The app's own e-mail and password checks, bundled from src/ (they are TypeScript with
 * extensionless imports, which Node cannot load as they are).
 */
async function loadAccountChecks() {
  const entry = `
    export { emailField } from './src/lib/schemas';
    export { assertPasswordPolicy } from './src/services/password-policy';
    export { RuleError } from './src/lib/domain-errors';
    export { CONFIG_DEFAULTS, ConfigError } from './src/config';
    export { hashPassword, verifyPassword } from './src/lib/password';
  `;
  const { outputFiles } = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);
}

/** The configuration the app runs with there: wrangler.toml, then locally .dev.env and the environment (as npm start). */
function configuration() {
  const vars = { ...unstable_readConfig({ config: join(root, 'wrangler.toml') }).vars };
  if (where[0] === '--remote') return vars;
  const devEnv = join(root, '.dev.env');
  if (existsSync(devEnv)) Object.assign(vars, parseEnv(readFileSync(devEnv, 'utf8')));
  for (const name of Object.keys(checks.CONFIG_DEFAULTS)) if (process.env[name] !== undefined) vars[name] = process.env[name];
  return vars;
}

/** Reads one line from the terminal without echoing it. */
function askHidden(prompt) {
  return new Promise((resolve) => {
    const input = process.stdin;
    input.setRawMode(true);
    process.stderr.write(prompt);
    input.setEncoding('utf8');
    input.resume();
    let typed = '';
    const onData = (chunk) => {
      for (const char of chunk) {
        if (char === '\u0003') {
          process.stderr.write('\n');
          process.exit(130);
        } else if (char === '\r' || char === '\n' || char === '\u0004') {
          input.setRawMode(false);
          input.pause();
          input.off('data', onData);
          process.stderr.write('\n');
          resolve(typed);
          return;
        } else if (char === '\u007f' || char === '\b') {
          typed = [...typed].slice(0, -1).join('');
        } else {
          typed += char;
        }
      }
    };
    input.on('data', onData);
  });
}

async function readPassword() {
  if (passwordArgument !== undefined) return passwordArgument;
  if (process.env.ASHTE_SUPERUSER_PASSWORD) return process.env.ASHTE_SUPERUSER_PASSWORD;
  if (!process.stdin.isTTY) {
    // Piped in: the first line (`printf '%s\n' "$PASSWORD" | npm run -s create-superuser -- …`).
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
  }
  const password = await askHidden('Password: ');
  if ((await askHidden('Password (again): ')) !== password) fail('The passwords do not match.');
  return password;
}

const checks = await loadAccountChecks();
const parsedEmail = checks.emailField().safeParse(rawEmail);
if (!parsedEmail.success) fail(parsedEmail.error.issues[0].params?.pydantic_msg ?? parsedEmail.error.issues[0].message);
const email = parsedEmail.data;
const password = await readPassword();
try {
  checks.assertPasswordPolicy(configuration(), password, email, 'REGISTER_INVALID_PASSWORD');
} catch (error) {
  if (error instanceof checks.ConfigError) fail(error.message);
  if (!(error instanceof checks.RuleError)) throw error;
  fail(`${error.reason} (${error.code})`);
}

const sqlString = (value) => `'${value.replaceAll("'", "''")}'`;

function execute(sql) {
  const dir = mkdtempSync(join(tmpdir(), 'ashte-'));
  const file = join(dir, 'command.sql');
  writeFileSync(file, sql);
  try {
    const out = wrangler(['d1', 'execute', 'DB', ...where, '--json', '--file', file], { quiet: true });
    return JSON.parse(out).flatMap((statement) => statement.results ?? []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

applyMigrations(where);

const [existing] = execute(`SELECT id, hashed_password FROM users WHERE lower(email) = lower(${sqlString(email)});`);

if (existing) {
  const keepsPassword = await checks.verifyPassword(password, existing.hashed_password);
  const passwordChange = keepsPassword
    ? ''
    : `, hashed_password = ${sqlString(await checks.hashPassword(password))}, auth_version = auth_version + 1`;
  execute(
    `UPDATE users SET is_superuser = 1, is_active = 1, is_verified = 1${passwordChange}, ` +
      `updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ${sqlString(existing.id)};`,
  );
  console.log(`Promoted ${email} (${existing.id}) to superuser${keepsPassword ? '' : ' and set the new password'}.`);
} else {
  const id = randomUUID();
  execute(
    'INSERT INTO users (id, email, hashed_password, is_active, is_superuser, is_verified) VALUES ' +
      `(${sqlString(id)}, ${sqlString(email)}, ${sqlString(await checks.hashPassword(password))}, 1, 1, 1);`,
  );
  console.log(`Created superuser ${email} (${id}).`);
}
