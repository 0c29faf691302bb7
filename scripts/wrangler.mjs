// Runs the project's own wrangler with the Node that runs this script (Node 22 from the
// node@22 devDependency when started through npm scripts).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
const wranglerBin = fileURLToPath(new URL('../node_modules/wrangler/bin/wrangler.js', import.meta.url));
const quietEnv = { ...process.env, WRANGLER_SEND_METRICS: 'false' };

/** Runs a wrangler command to completion; exits the process when it fails. */
export function wrangler(args, { capture = false } = {}) {
  const result = spawnSync(process.execPath, [wranglerBin, ...args], {
    cwd: root,
    env: quietEnv,
    stdio: ['ignore', capture ? 'pipe' : 'inherit', 'inherit'],
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    console.error(`wrangler ${args.slice(0, 3).join(' ')} failed`);
    process.exit(result.status ?? 1);
  }
  return result.stdout;
}

/** Starts a long-running wrangler command, forwarding Ctrl-C and friends. */
export function wranglerLongRunning(args) {
  const child = spawn(process.execPath, [wranglerBin, ...args], { cwd: root, env: quietEnv, stdio: 'inherit' });
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
