/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';

/** Every source file's text, by path relative to src/ (Vite inlines them at build time). */
const sources: Record<string, string> = Object.fromEntries(
  Object.entries(import.meta.glob<string>('../../src/**/*.ts', { query: '?raw', import: 'default', eager: true })).map(
    ([path, text]): [string, string] => [path.replace('../../src/', ''), text],
  ),
);

const importsOf = (text: string) => [...text.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

/** The files under `folder` that import something matching `forbidden`, with what they import. */
function offenders(folder: RegExp, forbidden: RegExp): string[] {
  return Object.entries(sources)
    .filter(([path]) => folder.test(path))
    .flatMap(([path, text]) => importsOf(text).filter((target) => forbidden.test(target)).map((target) => `${path} → ${target}`));
}

describe('layers keep to themselves (README: How it is built)', () => {
  it('has read the sources', () => {
    expect(Object.keys(sources)).toContain('db/schema.ts');
  });

  it('db/ knows no HTTP, no zod and nothing above it: it throws domain errors', () => {
    expect(offenders(/^db\//, /lib\/(errors|schemas|openapi|validation)|zod|hono|\/(services|routes|middleware|email|payments)\//)).toEqual([]);
  });

  it('services/ never reach up into routes/ or middleware/', () => {
    expect(offenders(/^services\//, /\/(routes|middleware)\/|hono/)).toEqual([]);
  });

  it('services/ throw domain errors, never HTTP ones: the error handler picks the status', () => {
    expect(offenders(/^services\//, /lib\/errors/)).toEqual([]);
  });

  it('lib/ depends on nothing of the app', () => {
    expect(offenders(/^lib\//, /\.\.\/(db|services|routes|middleware|email|payments)\//)).toEqual([]);
  });

  it('payments/ (the providers) only talk to the outside world: no HTTP framework, no queries, no rules, domain errors only', () => {
    expect(offenders(/^payments\//, /hono|zod|lib\/errors|\/(routes|middleware|services|email)\/|\/db\/(?!schema$)/)).toEqual([]);
  });

  it('routes.ts files are declarations: they open no D1 client and build no middleware', () => {
    const declarations = Object.entries(sources).filter(([path]) => /^routes\/[^/]+\/routes\.ts$/.test(path));
    expect(declarations.length).toBeGreaterThan(5);
    const impure = declarations.filter(([, text]) => /getDb\(|createMiddleware\(|\.env\.[A-Z]/.test(text)).map(([path]) => path);
    expect(impure).toEqual([]);
  });

  it('logs only through lib/log.ts', () => {
    const logging = Object.entries(sources)
      .filter(([path, text]) => path !== 'lib/log.ts' && /console\.(log|warn|error|info)/.test(text))
      .map(([path]) => path);
    expect(logging).toEqual([]);
  });
});
