/**
 * fast-check arbitraries for requests to one operation of an OpenAPI document: valid requests
 * built from its schemas (with ids that exist in the test's world, so they reach real code) and
 * hostile variants of every part — method, path, query, headers, authentication and body.
 */
import fc from 'fast-check';

type Schema = Record<string, any>;
export type OpenApiDocument = { paths: Record<string, Record<string, Schema>>; components: { schemas: Record<string, Schema> } };

export interface Operation {
  method: string;
  path: string;
  spec: Schema;
}

/** What the requests may refer to: ids and addresses that exist, so valid requests get past 404. */
export interface World {
  /** Values by field or parameter name (`product_id`, `order_id`, `email`, …). */
  known: Record<string, (string | number)[]>;
  /** Values of path parameters by `path:name`, where a name alone is ambiguous (`id`). */
  pathIds: Record<string, (string | number)[]>;
}

/** Whose credentials a request carries, and how they are spoiled. */
export interface Auth {
  as: 'anonymous' | 'user' | 'superuser' | 'other-user';
  scheme?: string;
  spoil?: 'tamper' | 'truncate' | 'alg-none' | 'garbage' | 'long';
}

export interface FuzzBody {
  contentType?: string;
  text?: string;
  /** Raw bytes, for bodies that are not UTF-8. */
  bytes?: number[];
  /** Repeat `text` this many times (an oversized body without a huge counterexample). */
  repeat?: number;
}

/** Failure reports show long bodies cut short (a 10,000-level body is 50 KB of text). */
function readable<T extends object>(value: T): T {
  return Object.assign(value, {
    [fc.toStringMethod]: () =>
      JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' && v.length > 300 ? `${v.slice(0, 300)}… (${v.length} characters)` : v)),
  });
}

export interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  auth: Auth;
  body?: FuzzBody;
}

/** A JSON fragment written as-is (numbers JSON.stringify cannot write, duplicate keys, deep nesting). */
export class RawJson {
  constructor(readonly text: string) {}
  toJSON() {
    return `RawJson(${this.text.length > 80 ? `${this.text.slice(0, 80)}…` : this.text})`;
  }
}

/** An object written with these entries in this order, duplicates included. */
class Entries {
  constructor(readonly entries: [string, unknown][]) {}
}

export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof Entries) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A value as a query or form field carries it. */
const fieldText = (value: unknown) => (typeof value === 'string' ? value : jsonText(value));

/** Percent-encodes the UTF-8 bytes of anything but unreserved characters (never throws on lone surrogates). */
const percentEncode = (text: string) =>
  [...new TextEncoder().encode(text)]
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');

const resolve = (doc: OpenApiDocument, schema: Schema | undefined): Schema | undefined => {
  let current = schema;
  while (current?.$ref) current = doc.components.schemas[String(current.$ref).split('/').pop()!];
  return current;
};

// ---- hostile values -------------------------------------------------------------------------

const BOUNDARY_NUMBERS = [
  0, -0, 1, -1, 1.5, -1.5, 0.1, 99, 100, 101, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 53 - 1, 2 ** 53, -(2 ** 53),
  1e12, 1e12 + 1, 1e15, 1e21, 1e308, -1e308, 5e-324, 1e-7,
];
const RAW_NUMBERS = ['1e309', '-1e309', '9007199254740993', '123456789012345678901234567890', '1.0', '1E2', '-0.0', '0e0', '1e-400'];
const ODD_STRINGS = [
  '', ' ', '\t\n', '\u0000', 'a\u0000b', '\ud800', '\udfff', '\ud83d', 'x\udc00y', '\u202e\u202d', '\u200b', '\ufeff', '\u00a0',
  'é', 'e\u0301', '👩‍👩‍👧‍👦', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '١٢٣', '１２３', 'İı', 'ß', 'ﬃ', '\u{10ffff}',
  'true', 'false', 'null', 'undefined', '0', '1', ' 1 ', '+1', '-1', '1.5', '1e3', '0x10', '0b1', 'NaN', 'Infinity', '9'.repeat(30),
  "' OR 1=1 --", '"; DROP TABLE users; --', '%', '_', '%_%', '*', '"', '\\', '\\u0000', '<script>alert(1)</script>', '../../etc/passwd',
  `\${7*7}`, '{{7*7}}', '__proto__', 'a'.repeat(101), 'a'.repeat(201), 'a'.repeat(255), 'x'.repeat(5001), '😀'.repeat(100), '😀'.repeat(101),
  'admin@example.com', ' ADMIN@Example.COM ', 'a@localhost', 'a@b', '@', 'a@b.test', 'Name <a@example.com>', 'a@[127.0.0.1]',
  'urn:uuid:12345678-1234-1234-1234-123456789abc', '{12345678123412341234123456789abc}', '00000000-0000-0000-0000-000000000000',
  '2026-02-30', '0000-00-00', '2026-11-25T10:00:00Z', '99999-01-01', '-0001-01-01',
];
const WRONG_TYPES = [null, true, false, [], {}, [1], [null], { a: 1 }, [[[]]], [{}]];

const nested = (levels: number, open: string, close: string, inner = '1') => `${open.repeat(levels)}${inner}${close.repeat(levels)}`;

const DEEP_OBJECTS = new RawJson(nested(10_000, '{"a":', '}'));
const DEEP_LISTS = new RawJson(nested(20_000, '[', ']', ''));

/** Around the nesting limit (32) and far past it. */
const deepJson = fc.oneof(
  fc.integer({ min: 1, max: 40 }).map((n) => new RawJson(nested(n, '[', ']', ''))),
  fc.integer({ min: 1, max: 40 }).map((n) => new RawJson(nested(n, '{"a":', '}'))),
  fc.constantFrom(DEEP_OBJECTS, DEEP_LISTS),
);

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
  // Long strings, cheaply: an odd string repeated (generating 20,000 random characters one by one is slow).
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...ODD_STRINGS.filter(Boolean)), fc.integer({ min: 50, max: 5000 })).map(([text, times]) => text.repeat(times)) },
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...BOUNDARY_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_NUMBERS).map((n) => new RawJson(n)) },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...WRONG_TYPES) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deepJson },
);

const ODD_KEYS = ['__proto__', 'constructor', 'prototype', '', ' ', 'id', 'user_id', 'is_superuser', 'hashed_password', 'price', '\u0000', '😀', 'a'.repeat(1000)];

// ---- valid values from the schema ---------------------------------------------------------

function validValue(doc: OpenApiDocument, world: World, raw: Schema | undefined, name?: string, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(doc, raw);
  if (!schema || depth > 6) return fc.jsonValue({ maxDepth: 2 });
  const alternatives: Schema[] | undefined = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => validValue(doc, world, s, name, depth + 1)));
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type ?? (schema.properties ? 'object' : 'string')];
  const generic = fc.oneof(...types.map((type) => ofType(doc, world, schema, type, name, depth)));
  const known = name ? world.known[name] : undefined;
  return known?.length ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: generic }) : generic;
}

function ofType(doc: OpenApiDocument, world: World, schema: Schema, type: string, name: string | undefined, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = Math.max(schema.minimum ?? -1e6, Number.MIN_SAFE_INTEGER);
      const max = Math.min(schema.maximum ?? 1e6, Number.MAX_SAFE_INTEGER);
      return fc.oneof(fc.integer({ min, max: Math.min(max, min + 1000) }), fc.constantFrom(min, max));
    }
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc.array(validValue(doc, world, schema.items, name, depth + 1), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 4, 4)) });
    }
    case 'object': {
      const properties: Record<string, Schema> = schema.properties ?? {};
      const record = Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, validValue(doc, world, s, key, depth + 1)]));
      return fc.record(record, { requiredKeys: schema.required ?? [] });
    }
    default: {
      if (schema.format === 'email') return fc.oneof(fc.emailAddress(), fc.uuid().map((id) => `fuzz.${id.slice(0, 8)}@example.com`));
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern));
      const minLength = schema.minLength ?? 0;
      const text = fc.string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 30, 30)) });
      return schema.example !== undefined ? fc.oneof(fc.constant(String(schema.example)), text) : text;
    }
  }
}

// ---- mutations of a valid object ----------------------------------------------------------

type Mutation =
  | { kind: 'set'; key: number; value: unknown }
  | { kind: 'drop'; key: number }
  | { kind: 'extra'; key: string; value: unknown }
  | { kind: 'duplicate'; key: number; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.nat(), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), key: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extra' as const), key: fc.oneof(fc.constantFrom(...ODD_KEYS), fc.string()), value: hostileValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate' as const), key: fc.nat(), value: hostileValue }) },
);

/** Applies mutations to a valid body (to its first line if it is a list); `keys` are field names from the schema, so mutations hit real fields. */
function mutate(value: unknown, keys: string[], mutations: Mutation[]): unknown {
  if (Array.isArray(value)) return value.length ? [mutate(value[0], keys, mutations), ...value.slice(1)] : value;
  if (value === null || typeof value !== 'object') return value;
  let entries: [string, unknown][] = Object.entries(value);
  const pick = (i: number) => keys[i % Math.max(keys.length, 1)] ?? 'x';
  for (const m of mutations) {
    if (m.kind === 'set') entries = [...entries.filter(([k]) => k !== pick(m.key)), [pick(m.key), m.value]];
    else if (m.kind === 'drop') entries = entries.filter(([k]) => k !== pick(m.key));
    else if (m.kind === 'extra') entries = [...entries, [m.key, m.value]];
    else entries = [...entries, [pick(m.key), m.value]];
  }
  return new Entries(entries);
}

/** The field names a schema's objects have, through references, alternatives and list items. */
function fieldNames(doc: OpenApiDocument, raw: Schema | undefined, depth = 0): string[] {
  const schema = resolve(doc, raw);
  if (!schema || depth > 4) return [];
  const nestedSchemas: Schema[] = [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.items ? [schema.items] : []), ...Object.values(schema.properties ?? {})];
  return [...new Set([...Object.keys(schema.properties ?? {}), ...nestedSchemas.flatMap((s) => fieldNames(doc, s, depth + 1))])];
}

// ---- bodies ---------------------------------------------------------------------------------

const ODD_CONTENT_TYPES = [
  'text/plain', 'application/xml', 'application/octet-stream', 'application/x-www-form-urlencoded', 'multipart/form-data',
  'multipart/form-data; boundary=', 'multipart/form-data; boundary=zz', 'application/json; charset=utf-16', 'application/json; charset=latin1',
  'application/vnd.api+json', 'application/merge-patch+json', 'APPLICATION/JSON', 'application/json, text/plain', 'application/jsonx',
  'image/png', '*/*', ';', 'application/json;;;', 'a'.repeat(500),
];

const NOT_JSON = ['{', '}', '[', '{"a":1,}', "{'a':1}", '{a:1}', 'nul', 'undefined', 'NaN', '01', '.5', '"\\x00"', '"\\ud800"', '\ufeff{}', '{"a":1}{"b":2}', '// hi\n{}', '\u0000', '{"a":"\u0001"}'];

const asJson = (value: unknown, contentType = 'application/json'): FuzzBody => ({ contentType, text: jsonText(value) });

function multipart(fields: [string, string][], boundary = 'fuzz-boundary'): FuzzBody {
  const parts = fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('');
  return { contentType: `multipart/form-data; boundary=${boundary}`, text: `${parts}--${boundary}--\r\n` };
}

const urlencoded = (fields: [string, string][]): FuzzBody => ({
  contentType: 'application/x-www-form-urlencoded',
  text: fields.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&'),
});

/** Bodies any operation may get: broken, wrongly typed, oversized, binary. */
const strayBody: fc.Arbitrary<FuzzBody | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant({ contentType: 'application/json', text: '' }) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...NOT_JSON), fc.constantFrom('application/json', undefined)).map(([text, contentType]) => ({ text, contentType })) },
  { weight: 2, arbitrary: fc.tuple(hostileValue, fc.constantFrom(...ODD_CONTENT_TYPES, 'application/json')).map(([v, contentType]) => asJson(v, contentType)) },
  { weight: 1, arbitrary: deepJson.map((v) => asJson(v)) },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }).map((bytes) => ({ contentType: 'application/json', bytes })) },
  { weight: 1, arbitrary: fc.constantFrom(65, 70).map((kib) => ({ contentType: 'application/json', text: 'x'.repeat(1024), repeat: kib })) },
);

function jsonBody(doc: OpenApiDocument, world: World, schema: Schema): fc.Arbitrary<FuzzBody | undefined> {
  const keys = fieldNames(doc, schema);
  const valid = validValue(doc, world, schema);
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((v) => asJson(v)) },
    { weight: 5, arbitrary: fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([v, ms]) => asJson(mutate(v, keys, ms))) },
    { weight: 1, arbitrary: fc.tuple(valid, fc.constantFrom(...ODD_CONTENT_TYPES)).map(([v, contentType]) => asJson(v, contentType)) },
    { weight: 1, arbitrary: valid.map((v) => urlencoded(Object.entries(v ?? {}).map(([k, x]) => [k, fieldText(x)]))) },
    { weight: 3, arbitrary: strayBody },
  );
}

function formBody(doc: OpenApiDocument, world: World, schema: Schema): fc.Arbitrary<FuzzBody | undefined> {
  const keys = fieldNames(doc, schema);
  const fields = fc
    .tuple(validValue(doc, world, schema), fc.array(mutation, { maxLength: 3 }))
    .map(([v, ms]) => {
      const mutated = mutate(v, keys, ms);
      const entries = mutated instanceof Entries ? mutated.entries : Object.entries(mutated ?? {});
      return entries.map(([k, x]) => [k, fieldText(x)] as [string, string]);
    });
  return fc.oneof(
    { weight: 5, arbitrary: fields.map(urlencoded) },
    { weight: 2, arbitrary: fc.tuple(fields, fc.constantFrom('fuzz-boundary', 'a', '--', 'x'.repeat(70))).map(([f, b]) => multipart(f, b)) },
    { weight: 1, arbitrary: fields.map((f) => ({ ...multipart(f), contentType: 'multipart/form-data; boundary=other' })) },
    { weight: 1, arbitrary: fields.map((f) => asJson(Object.fromEntries(f))) },
    { weight: 2, arbitrary: strayBody },
  );
}

// ---- path, query, headers, auth -------------------------------------------------------------

const ODD_SEGMENTS = [
  '0', '-1', '1.5', '1e3', '+1', '00001', ' 1', '1 ', '9007199254740991', '9007199254740993', '99999999999999999999', '1000000000000000',
  'NaN', 'Infinity', 'null', 'undefined', 'true', '[]', '{}', '%00', '%', '%zz', '%E2%82', '%ED%A0%80', '..', '.', '%2F', '%2e%2e',
  '%20', '١٢', '１', 'a'.repeat(5000), "'", '%27%20OR%201%3D1', '%3Cscript%3E', '%F0%9F%98%80',
  '12345678-1234-1234-1234-123456789abc', 'URN:UUID:12345678-1234-1234-1234-123456789ABC', '{12345678123412341234123456789abc}',
];

function pathArb(operation: Operation, world: World): fc.Arbitrary<string> {
  const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  const segment = (name: string) => {
    const known = world.pathIds[`${operation.path}:${name}`] ?? world.known[name] ?? [];
    return fc.oneof(
      { weight: known.length ? 6 : 0, arbitrary: known.length ? fc.constantFrom(...known.map(String)) : fc.constant('1') },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 ** 31 }).map(String) },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 2, arbitrary: fc.constantFrom(...ODD_SEGMENTS) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(percentEncode) },
    );
  };
  const suffix = fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '//', '/extra', '/..', '/%2e%2e', '/.', '?') });
  return fc.tuple(fc.tuple(...names.map(segment)), suffix).map(([values, tail]) => {
    let i = 0;
    return operation.path.replace(/\{[^}]+\}/g, () => values[i++]!) + tail;
  });
}

function queryArb(doc: OpenApiDocument, world: World, operation: Operation): fc.Arbitrary<string> {
  const parameters: Schema[] = (operation.spec.parameters ?? []).filter((p: Schema) => p.in === 'query');
  const names = parameters.map((p) => String(p.name));
  const value = (p?: Schema) =>
    fc.oneof({ weight: p ? 3 : 0, arbitrary: p ? validValue(doc, world, p.schema, p.name).map(fieldText) : fc.constant('') }, { weight: 2, arbitrary: hostileValue.map(fieldText) });
  const declared = fc.tuple(...parameters.map((p) => fc.option(value(p).map((v) => [p.name, v] as [string, string]), { freq: 2 })));
  const extra = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names, 'x', '', 'limit[]', 'a[b]', '__proto__'), fc.string()), value()), { maxLength: 3 });
  const raw = fc.option(fc.constantFrom('%', '%%', '&&', '=', '==', 'a=%zz', 'limit', 'limit=', '?', '%00=%00', 'q=%ED%A0%80', `q=${'a'.repeat(10_000)}`), { freq: 8 });
  return fc.tuple(declared, extra, raw).map(([d, e, r]) =>
    [...d.filter((x): x is [string, string] => x !== null), ...e].map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).concat(r ? [r] : []).join('&'),
  );
}

/** Header values a fetch client sends: visible ASCII (workerd warns at every other byte, and browsers refuse them). */
const headerValue = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 }),
  fc.constantFrom('', '*', 'null', 'x'.repeat(8000), 'W/"x"', '"', 'Bearer', 'a, b, c', '%00', '\\'),
);

const saneRequestId = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._'), minLength: 1, maxLength: 128 });

const headersArb = fc.record(
  {
    'x-request-id': fc.oneof(saneRequestId, headerValue),
    'if-none-match': fc.oneof(headerValue, fc.constantFrom('*', '"abc"', 'W/"abc"')),
    accept: fc.oneof(headerValue, fc.constantFrom('text/html', 'application/xml', '*/*')),
    origin: fc.constantFrom('https://evil.example', 'null', 'http://localhost:8787', ''),
    'x-d1-bookmark': headerValue,
    'cf-connecting-ip': fc.constantFrom('', 'not-an-ip', '::1', '1.1.1.1, 2.2.2.2', '999.999.999.999'),
    'access-control-request-method': fc.constantFrom('GET', 'POST', 'DELETE', 'FOO'),
  },
  { requiredKeys: [] },
);

/** Mostly the caller an operation is for (a superuser where it can answer 403), so requests get past authentication. */
const authArb = (privileged: boolean): fc.Arbitrary<Auth> => fc.oneof(
  { weight: privileged ? 2 : 4, arbitrary: fc.constant({ as: 'user' as const }) },
  { weight: privileged ? 4 : 2, arbitrary: fc.constant({ as: 'superuser' as const }) },
  { weight: 1, arbitrary: fc.constantFrom({ as: 'other-user' as const }, { as: 'anonymous' as const }) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        as: fc.constantFrom('user' as const, 'superuser' as const),
        scheme: fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', '', 'Bearer  '),
        spoil: fc.constantFrom('tamper' as const, 'truncate' as const, 'alg-none' as const, 'garbage' as const, 'long' as const),
      },
      { requiredKeys: ['as'] },
    ),
  },
);

const isPrivileged = (operation: Operation) => '403' in (operation.spec.responses ?? {});

const OTHER_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PURGE'];

/** Requests for one operation: mostly its own method and shape, and everything else around it. */
export function requestsFor(doc: OpenApiDocument, world: World, operation: Operation): fc.Arbitrary<FuzzRequest> {
  const content: Record<string, Schema> = operation.spec.requestBody?.content ?? {};
  const jsonSchema = content['application/json']?.schema;
  const formSchema = content['application/x-www-form-urlencoded']?.schema;
  const body = jsonSchema ? jsonBody(doc, world, jsonSchema) : formSchema ? formBody(doc, world, formSchema) : strayBody;
  const method = fc.oneof({ weight: 6, arbitrary: fc.constant(operation.method.toUpperCase()) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) });
  return fc.record(
    { method, path: pathArb(operation, world), query: queryArb(doc, world, operation), headers: headersArb, auth: authArb(isPrivileged(operation)), body },
    { requiredKeys: ['method', 'path', 'query', 'headers', 'auth'] },
  ).map(readable);
}

/**
 * Requests every run starts with (fast-check `examples`), so the worst known shapes never
 * depend on luck: a body of 10,000 nested objects and one of 20,000 nested lists from the
 * operation's intended caller on real ids, and a body whose every field is a lone surrogate.
 */
export function examplesFor(doc: OpenApiDocument, world: World, operation: Operation): FuzzRequest[] {
  const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => String((world.pathIds[`${operation.path}:${name}`] ?? world.known[name] ?? [1])[0]));
  const as = isPrivileged(operation) ? 'superuser' : 'user';
  const request = (body: FuzzBody): FuzzRequest => readable({ method: operation.method.toUpperCase(), path, query: '', headers: {}, auth: { as }, body });
  const fields = fieldNames(doc, operation.spec.requestBody?.content?.['application/json']?.schema);
  return [
    request(asJson(DEEP_OBJECTS)),
    request(asJson(DEEP_LISTS)),
    request(asJson(Object.fromEntries((fields.length ? fields : ['x']).map((field) => [field, '\ud800'])))),
  ];
}
