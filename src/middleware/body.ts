import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { ApiError } from '../lib/errors';

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The deepest JSON body accepted. The deepest body any route takes is three levels
 * (`{"items":[{…}]}`); without a limit a 64 KiB body nests 30,000 levels, and everything that
 * walks a value recursively (JSON.stringify echoing it in a 422, zod, logs) can run out of stack.
 */
export const MAX_JSON_DEPTH = 32;

/** Bodies that are signed (payment webhooks): read within the limit, never parsed or rebuilt. */
const RAW_BODY_PATHS = /^\/payments\/webhooks\//;

const tooLarge = () => new ApiError(413, 'Request body too large');

/** Reads at most MAX_BODY_BYTES (+1 to notice more) without trusting Content-Length. */
async function readLimited(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The media type of a Content-Type header, without parameters, lower-case. */
export const mediaTypeOf = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

export function isForm(mediaType: string) {
  return mediaType === 'application/x-www-form-urlencoded' || mediaType === 'multipart/form-data';
}

/** FastAPI parses JSON only for `application/json` and `application/*+json` (or no Content-Type). */
function isJson(mediaType: string) {
  return mediaType === '' || mediaType === 'application/json' || /^application\/[^/]*\+json$/.test(mediaType);
}

/** V8's JSON.parse messages, and what Python's json module (FastAPI's parser) says instead. */
const PYTHON_JSON_ERRORS: [RegExp, string][] = [
  [/^Unexpected end of JSON input/, 'Expecting value'],
  [/^Expected property name or '}'|^Expected double-quoted property name/, 'Expecting property name enclosed in double quotes'],
  [/^Expected ',' or '[}\]]'/, "Expecting ',' delimiter"],
  [/^Expected ':'/, "Expecting ':' delimiter"],
  [/^Unexpected non-whitespace character after JSON/, 'Extra data'],
  [/^Unterminated string/, 'Unterminated string starting at'],
  [/^Bad control character/, 'Invalid control character at'],
  [/^Bad escaped character|^Bad Unicode escape/, 'Invalid \\escape'],
];

/** FastAPI's 422 for a body it cannot decode: one `json_invalid` item at a character offset. */
const jsonInvalid = (position: number, error: string) =>
  new ApiError(422, [{ type: 'json_invalid', loc: ['body', position], msg: 'JSON decode error', input: {}, ctx: { error } }]);

/** The `json_invalid` error for a JSON.parse failure: Python's message and offset. */
function parseFailure(text: string, error: unknown) {
  const message = error instanceof Error ? error.message : '';
  const reported = /position (\d+)/.exec(message);
  const position = reported ? Number(reported[1]) : /^Unexpected end/.test(message) ? text.length : 0;
  return jsonInvalid(position, PYTHON_JSON_ERRORS.find(([pattern]) => pattern.test(message))?.[1] ?? 'Expecting value');
}

/**
 * The offset of the first `{` or `[` nested deeper than MAX_JSON_DEPTH, or -1. A loop over the
 * text, so that measuring the depth cannot itself exhaust the stack; run before JSON.parse, so
 * nothing ever builds the deep value.
 */
function tooDeepAt(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > MAX_JSON_DEPTH) return i;
    } else if (c === '}' || c === ']') depth--;
  }
  return -1;
}

/**
 * Reads the body once, before routing reaches authentication, so that an oversized body is a
 * 413 and malformed JSON a 422 `json_invalid` ahead of any 401 (FastAPI's order). JSON is
 * assumed when no Content-Type is sent, as older FastAPI did; another non-form type is raw text,
 * which a JSON route refuses as FastAPI does (422). JSON nested deeper than MAX_JSON_DEPTH is a
 * 422 `json_invalid` too (where Python's parser would raise RecursionError). The request is then rebuilt
 * from the bytes read, so validators downstream see a well-formed JSON (or form) request.
 */
export const readBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const raw = c.req.raw;
  if (raw.method === 'GET' || raw.method === 'HEAD' || raw.method === 'OPTIONS') return next();
  const declared = Number(raw.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const bytes = raw.body ? await readLimited(raw.body) : new Uint8Array();
  if (RAW_BODY_PATHS.test(new URL(raw.url).pathname)) {
    // Webhook signatures are computed over the bytes as sent: they are kept as they are, unparsed.
    c.set('rawBody', bytes);
    return next();
  }
  const contentType = raw.headers.get('content-type') ?? '';
  const mediaType = mediaTypeOf(contentType);
  const headers = new Headers(raw.headers);
  let body: BodyInit | null = bytes.byteLength ? bytes : null;
  if (!isForm(mediaType)) {
    const text = new TextDecoder().decode(bytes);
    if (text.trim() === '') {
      // No body: validators see JSON null, which a route with a body reports as "missing".
      body = 'null';
    } else if (!isJson(mediaType)) {
      // Another type (text/plain, say): FastAPI hands the raw text to the validators, which
      // refuse it as a body (422), so validators see it as a JSON string.
      body = JSON.stringify(text);
    } else {
      const deepAt = tooDeepAt(text);
      if (deepAt >= 0) throw jsonInvalid(deepAt, `Nesting deeper than ${MAX_JSON_DEPTH} levels`);
      try {
        JSON.parse(text);
      } catch (error) {
        throw parseFailure(text, error);
      }
      body = text;
    }
    headers.set('content-type', 'application/json');
  }
  headers.delete('content-length');
  c.req.raw = new Request(raw.url, { method: raw.method, headers, body });
  return next();
};
