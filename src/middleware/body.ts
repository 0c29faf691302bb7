import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { ApiError } from '../lib/errors';

export const MAX_BODY_BYTES = 64 * 1024;

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

function isForm(mediaType: string) {
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

/** FastAPI's `json_invalid` item: Python's message and the character offset of the error. */
function jsonInvalid(text: string, error: unknown) {
  const message = error instanceof Error ? error.message : '';
  const reported = /position (\d+)/.exec(message);
  const position = reported ? Number(reported[1]) : /^Unexpected end/.test(message) ? text.length : 0;
  const pythonMessage = PYTHON_JSON_ERRORS.find(([pattern]) => pattern.test(message))?.[1] ?? 'Expecting value';
  return { type: 'json_invalid', loc: ['body', position], msg: 'JSON decode error', input: {}, ctx: { error: pythonMessage } };
}

/**
 * Reads the body once, before routing reaches authentication, so that an oversized body is a
 * 413 and malformed JSON a 422 `json_invalid` ahead of any 401 (FastAPI's order). JSON is
 * assumed when no Content-Type is sent, as older FastAPI did; another non-form type is raw text,
 * which a JSON route refuses as FastAPI does (422). The request is then rebuilt
 * from the bytes read, so validators downstream see a well-formed JSON (or form) request.
 */
export const readBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const raw = c.req.raw;
  if (raw.method === 'GET' || raw.method === 'HEAD' || raw.method === 'OPTIONS') return next();
  const declared = Number(raw.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const bytes = raw.body ? await readLimited(raw.body) : new Uint8Array();
  const contentType = raw.headers.get('content-type') ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
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
      try {
        JSON.parse(text);
      } catch (error) {
        throw new ApiError(422, [jsonInvalid(text, error)]);
      }
      body = text;
    }
    headers.set('content-type', 'application/json');
  }
  headers.delete('content-length');
  c.req.raw = new Request(raw.url, { method: raw.method, headers, body });
  return next();
};
