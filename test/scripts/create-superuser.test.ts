/**
 * `npm run create-superuser` from Node, as a person or a script runs it: the app's own e-mail
 * and password checks with the configuration, the same messages as registration, the password
 * never printed, and a superuser created (then promoted) in a throw-away local D1.
 */
import { afterAll, describe, expect, it } from 'vitest';

// Node's modules through `process` (typed `any` here): the project's types are the Workers'.
const { spawn } = process.getBuiltinModule('node:child_process');
const { mkdtempSync, rmSync } = process.getBuiltinModule('node:fs');
const { tmpdir } = process.getBuiltinModule('node:os');
const { join } = process.getBuiltinModule('node:path');

const state = mkdtempSync(join(tmpdir(), 'ashte-superuser-'));
afterAll(() => rmSync(state, { recursive: true, force: true }));

/** The configuration pinned to the defaults, so a developer's .dev.env changes nothing here. */
const POLICY = { PASSWORD_MIN_LENGTH: '8', PASSWORD_MAX_LENGTH: '128' };

/** Runs the script as `npm run -s create-superuser -- …` does, against the throw-away state. */
function createSuperuser(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['scripts/create-superuser.mjs', ...args, '--persist-to', state], {
      env: { ...process.env, ...POLICY, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: unknown) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk: unknown) => (stderr += String(chunk)));
    child.on('close', (status: number) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

describe('create-superuser', () => {
  it.concurrent.each([
    ['12345', {}, 'Password should be at least 8 characters (REGISTER_INVALID_PASSWORD)'],
    ['boss@example.com rules', {}, 'Password should not contain e-mail (REGISTER_INVALID_PASSWORD)'],
    ['a long passphrase', { PASSWORD_MIN_LENGTH: '20' }, 'Password should be at least 20 characters (REGISTER_INVALID_PASSWORD)'],
    ['a long passphrase', { PASSWORD_MAX_LENGTH: '10' }, 'Password should be at most 10 characters (REGISTER_INVALID_PASSWORD)'],
  ])('refuses %j with registration\'s message under the configuration %j', async (password, config, message) => {
    const result = await createSuperuser(['boss@example.com'], { env: { ASHTE_SUPERUSER_PASSWORD: password, ...config } });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe(message);
    expect(result.stdout).toBe('');
  });

  it.concurrent('refuses an address registration refuses, with its message', async () => {
    const result = await createSuperuser(['boss.example.com'], { env: { ASHTE_SUPERUSER_PASSWORD: 'a long passphrase' } });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('value is not a valid email address: An email address must have an @-sign.');
  });

  it.concurrent('refuses a malformed setting, naming it', async () => {
    const result = await createSuperuser(['boss@example.com'], { env: { ASHTE_SUPERUSER_PASSWORD: 'a long passphrase', PASSWORD_MIN_LENGTH: 'eight' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('PASSWORD_MIN_LENGTH');
  });

  it('creates the superuser from ASHTE_SUPERUSER_PASSWORD, then promotes it from standard input, never printing the password', async () => {
    const created = await createSuperuser(['Boss@Example.COM'], { env: { ASHTE_SUPERUSER_PASSWORD: 'a long passphrase' } });
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^Created superuser Boss@example\.com \([0-9a-f-]{36}\)\.$/m);

    const again = await createSuperuser(['Boss@example.com'], { input: 'a long passphrase\n' });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^Promoted Boss@example\.com \([0-9a-f-]{36}\) to superuser\.$/m);
    for (const output of [created.stdout, created.stderr, again.stdout, again.stderr]) expect(output).not.toContain('passphrase');
  });
});
