// Runs the project's own wrangler with the Node that runs this script (Node 22 from the
// node@22 devDependency when started through npm scripts).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
const wranglerBin = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));
// No metrics and no version banner on every command; the banner repeats on each of the several
// wrangler runs that one `npm start` makes.
const quietEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true' };

/**
 * Runs a wrangler command to completion and returns its standard output; exits the process when
 * it fails. `quiet` keeps wrangler's tables and progress to itself unless the command fails,
 * when everything it printed is shown (the script prints its own one-line summary instead).
 */
export function wrangler(args, { quiet = false } = {}) {
  const result = spawnSync(process.execPath, [wranglerBin, ...args], {
    cwd: root,
    env: quietEnv,
    stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    if (quiet) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    console.error(`wrangler ${args.slice(0, 3).join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
  return result.stdout ?? '';
}

/**
 * Applies the D1 migrations quietly and says in one line what changed, instead of the table
 * wrangler prints once per migration.
 */
export function applyMigrations(where) {
  const out = wrangler(['d1', 'migrations', 'apply', 'DB', ...where], { quiet: true });
  const applied = [...new Set(out.match(/\d{4}_[\w-]+\.sql/g) ?? [])];
  console.log(
    applied.length
      ? `Database: applied ${applied.length} migration${applied.length === 1 ? '' : 's'} (${applied[0]} … ${applied.at(-1)})`
      : 'Database: migrations up to date',
  );
}

/**
 * Starts a long-running wrangler command, forwarding Ctrl-C and friends. `onLine`, when given,
 * receives each line wrangler prints (standard output and error) and decides what is shown.
 */
export function wranglerLongRunning(args, { env = {}, onLine } = {}) {
  const child = spawn(process.execPath, [wranglerBin, ...args], {
    cwd: root,
    env: { ...quietEnv, ...env },
    stdio: onLine ? ['inherit', 'pipe', 'pipe'] : 'inherit',
  });
  if (onLine) {
    for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (pending + chunk).split('\n');
        pending = lines.pop();
        for (const line of lines) onLine(line, out);
      });
      stream.on('end', () => pending && onLine(pending, out));
    }
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return child;
}

/**
 * Where D1 commands go: `--remote` selects the deployed database, else the local one
 * (`--persist-to DIR` picks another local state folder, as for `wrangler dev --persist-to`).
 */
export function target(argv) {
  if (argv.includes('--remote')) return ['--remote'];
  const persist = argv.indexOf('--persist-to');
  return persist >= 0 && argv[persist + 1] ? ['--local', '--persist-to', argv[persist + 1]] : ['--local'];
}
