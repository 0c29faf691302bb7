import { z } from '@hono/zod-openapi';
import { parseEmailAddress } from './email-address';
import { codePoints } from './text';

/** A custom issue that `validation.ts` renders as the given Pydantic error. */
export function pydanticIssue(type: string, msg: string, input: unknown, ctx: Record<string, unknown> = {}) {
  return { code: 'custom' as const, message: msg, input, params: { pydantic_type: type, pydantic_msg: msg, ...ctx } };
}

/**
 * A string field with a length limit counted in code points, trimmed by default
 * (names, titles, e-mails: surrounding white space is never what a person means).
 */
export function text(opts: { min?: number; max: number; trim?: boolean }) {
  const { min = 0, max, trim = true } = opts;
  const base = trim ? z.string().trim() : z.string();
  return base
    .superRefine((value, ctx) => {
      const length = codePoints(value);
      if (length < min) {
        const unit = min === 1 ? 'character' : 'characters';
        ctx.addIssue(pydanticIssue('string_too_short', `String should have at least ${min} ${unit}`, value, { min_length: min }));
      } else if (length > max) {
        const unit = max === 1 ? 'character' : 'characters';
        ctx.addIssue(pydanticIssue('string_too_long', `String should have at most ${max} ${unit}`, value, { max_length: max }));
      }
    })
    .openapi({ ...(min ? { minLength: min } : {}), maxLength: max });
}

/**
 * An e-mail address validated like Pydantic's EmailStr (see `parseEmailAddress`); the value
 * is the normalised address.
 */
export const emailField = () =>
  z
    .string()
    .transform((raw, ctx) => {
      const result = parseEmailAddress(raw);
      if ('problem' in result) {
        ctx.addIssue(
          pydanticIssue('value_error', `value is not a valid email address: ${result.problem}`, raw, { reason: result.problem }),
        );
        return z.NEVER;
      }
      return result.email;
    })
    .openapi({ type: 'string', format: 'email', maxLength: 254, example: 'king.arthur@camelot.bt' });

/** Pydantic's lax integer: JSON numbers with no fraction, or strings of digits. */
export function integer(opts: { min?: number; max?: number } = {}) {
  const { min, max = Number.MAX_SAFE_INTEGER } = opts;
  // The bounds first, each ending the checks when it fails: `.int()` also bounds to safe integers,
  // and a huge number would otherwise get two items for one problem.
  let schema = z.number().max(max, { abort: true });
  if (min !== undefined) schema = schema.min(min, { abort: true });
  schema = schema.int();
  return z
    .preprocess((v) => (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v) ? Number(v) : v), schema)
    .openapi({ type: 'integer', ...(min !== undefined ? { minimum: min } : {}), maximum: max });
}

const TRUE_WORDS = ['true', '1', 'yes', 'on', 't', 'y'];
const FALSE_WORDS = ['false', '0', 'no', 'off', 'f', 'n'];

/** Pydantic's lax boolean: true/false, 0/1 and the usual words. */
export const boolean = () =>
  z
    .preprocess((v) => {
      if (typeof v === 'string') {
        const word = v.trim().toLowerCase();
        if (TRUE_WORDS.includes(word)) return true;
        if (FALSE_WORDS.includes(word)) return false;
      }
      if (v === 0 || v === 1) return v === 1;
      return v;
    }, z.boolean())
    .openapi({ type: 'boolean' });

/** A query-string integer (always a string on the wire). */
export const queryInt = (opts: { min?: number; max?: number }) => integer(opts).optional();

/** A positive integer id in a path; anything else is a 404 (see validationHook). */
export const idParam = <const K extends string>(name: K) =>
  z.object({
    [name]: z
      .string()
      .regex(/^\+?\d{1,15}$/)
      .transform(Number)
      .refine((n) => n > 0)
      .openapi({ param: { name, in: 'path' }, type: 'integer', minimum: 1, example: 1 }),
  } as unknown as Record<K, z.ZodType<number, string>>);
