import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { ApiError, notFound, type ValidationIssue } from './errors';

type Target = 'json' | 'form' | 'query' | 'param' | 'header' | 'cookie';
type ZodIssue = ZodError['issues'][number];

const LOC_ROOT: Record<Target, string> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
};

function valueAt(root: unknown, path: readonly PropertyKey[]): { found: boolean; value: unknown } {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key as string)) {
      return { found: false, value: undefined };
    }
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return { found: current !== undefined, value: current };
}

const TYPE_ERRORS: Record<string, [string, string]> = {
  string: ['string_type', 'Input should be a valid string'],
  boolean: ['bool_type', 'Input should be a valid boolean'],
  number: ['int_type', 'Input should be a valid integer'],
  int: ['int_type', 'Input should be a valid integer'],
  object: ['model_attributes_type', 'Input should be a valid dictionary or object to extract fields from'],
  array: ['list_type', 'Input should be a valid list'],
};

function typeIssue(expected: string, input: unknown): [string, string] {
  if (expected === 'int' && typeof input === 'number') {
    return ['int_from_float', 'Input should be a valid integer, got a number with a fractional part'];
  }
  if ((expected === 'int' || expected === 'number') && typeof input === 'string') {
    return ['int_parsing', 'Input should be a valid integer, unable to parse string as an integer'];
  }
  if (expected === 'boolean' && typeof input === 'string') {
    return ['bool_parsing', 'Input should be a valid boolean, unable to interpret input'];
  }
  return TYPE_ERRORS[expected] ?? ['value_error', `Input should be a valid ${expected}`];
}

/** Translates one zod issue into a Pydantic v2 style error item. */
function toPydantic(issue: ZodIssue, target: Target, root: unknown): ValidationIssue {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const loc = [LOC_ROOT[target], ...path];
  const { found, value } = valueAt(root, issue.path);
  const input = found ? value : target === 'json' && path.length > 0 ? valueAt(root, issue.path.slice(0, -1)).value ?? null : null;
  const params = (issue as { params?: Record<string, unknown> }).params;
  if (params?.pydantic_type) {
    const { pydantic_type, pydantic_msg, ...ctx } = params;
    return {
      type: String(pydantic_type),
      loc,
      msg: String(pydantic_msg ?? issue.message),
      input: value ?? null,
      ...(Object.keys(ctx).length ? { ctx } : {}),
    };
  }
  switch (issue.code) {
    case 'invalid_type': {
      // No body at all (readBody turns it into JSON null): FastAPI reports the body missing.
      if (target === 'json' && root === null && path.length === 0) {
        return { type: 'missing', loc, msg: 'Field required', input: null };
      }
      if (!found && (value === undefined)) {
        if (path.length === 0 && target === 'json' && root !== null && root !== undefined) {
          const [type, msg] = typeIssue(issue.expected, root);
          return { type, loc, msg, input: root };
        }
        if (root === null && path.length === 0) return { type: 'missing', loc, msg: 'Field required', input: null };
        return { type: 'missing', loc, msg: 'Field required', input };
      }
      const [type, msg] = typeIssue(issue.expected, value);
      return { type, loc, msg, input: value };
    }
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
      const n = Number(bound);
      if (issue.origin === 'string') {
        const unit = n === 1 ? 'character' : 'characters';
        return small
          ? { type: 'string_too_short', loc, msg: `String should have at least ${n} ${unit}`, input: value, ctx: { min_length: n } }
          : { type: 'string_too_long', loc, msg: `String should have at most ${n} ${unit}`, input: value, ctx: { max_length: n } };
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        const count = Array.isArray(value) ? value.length : 0;
        const unit = n === 1 ? 'item' : 'items';
        return small
          ? { type: 'too_short', loc, msg: `List should have at least ${n} ${unit} after validation, not ${count}`, input: value, ctx: { field_type: 'List', min_length: n, actual_length: count } }
          : { type: 'too_long', loc, msg: `List should have at most ${n} ${unit} after validation, not ${count}`, input: value, ctx: { field_type: 'List', max_length: n, actual_length: count } };
      }
      const inclusive = (issue as { inclusive?: boolean }).inclusive !== false;
      if (small) {
        return inclusive
          ? { type: 'greater_than_equal', loc, msg: `Input should be greater than or equal to ${n}`, input: value, ctx: { ge: n } }
          : { type: 'greater_than', loc, msg: `Input should be greater than ${n}`, input: value, ctx: { gt: n } };
      }
      return inclusive
        ? { type: 'less_than_equal', loc, msg: `Input should be less than or equal to ${n}`, input: value, ctx: { le: n } }
        : { type: 'less_than', loc, msg: `Input should be less than ${n}`, input: value, ctx: { lt: n } };
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => `'${String(v)}'`);
      const expected = options.length > 1 ? `${options.slice(0, -1).join(', ')} or ${options.at(-1)}` : options[0];
      return { type: 'literal_error', loc, msg: `Input should be ${expected}`, input: value, ctx: { expected } };
    }
    case 'invalid_format': {
      if (issue.format === 'regex') {
        // zod reports the regex as `/source/flags`; Pydantic shows the pattern itself.
        const pattern = ((issue as { pattern?: string }).pattern ?? '').replace(/^\/([\s\S]*)\/[a-z]*$/, '$1');
        return { type: 'string_pattern_mismatch', loc, msg: `String should match pattern '${pattern}'`, input: value, ctx: { pattern } };
      }
      return { type: 'value_error', loc, msg: `Value error, ${issue.message}`, input: value };
    }
    default:
      return { type: 'value_error', loc, msg: `Value error, ${issue.message}`, input: value ?? null };
  }
}

/** The raw input a validator saw, to put into `input` and to tell "missing" from "wrong type". */
async function rawInput(c: Context, target: Target): Promise<unknown> {
  switch (target) {
    case 'json':
      return c.req.json().catch(() => null);
    case 'form': {
      const form = await c.req.bodyCache.formData;
      return form ? Object.fromEntries(form.entries()) : {};
    }
    case 'query':
      return c.req.query();
    case 'param':
      return c.req.param();
    default:
      return {};
  }
}

/** Turns zod issues into a 422 `ApiError` in FastAPI's shape. */
async function toValidationError(c: Context, target: Target, error: ZodError): Promise<ApiError> {
  // A malformed id in a path is a 404, like an unknown one.
  if (target === 'param') return notFound();
  const root = await rawInput(c, target);
  return new ApiError(422, error.issues.map((issue) => toPydantic(issue, target, root)));
}

/** `defaultHook` of every OpenAPIHono: validation failures become FastAPI 422 bodies. */
export async function validationHook(
  result: { success: boolean; error?: ZodError; target: Target },
  c: Context,
): Promise<void> {
  if (!result.success && result.error) throw await toValidationError(c, result.target, result.error);
}
