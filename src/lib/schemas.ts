import { z } from '@hono/zod-openapi';

/** A custom issue that `validation.ts` renders as the given Pydantic error. */
export function pydanticIssue(type: string, msg: string, input: unknown, ctx: Record<string, unknown> = {}) {
  return { code: 'custom' as const, message: msg, input, params: { pydantic_type: type, pydantic_msg: msg, ...ctx } };
}

/** Length in Unicode code points, as Python counts it (an emoji is one). */
export const codePoints = (s: string) => [...s].length;

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

const SPECIAL_USE_DOMAINS = ['arpa', 'invalid', 'local', 'localhost', 'onion', 'test'];
const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}]([\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** Why an address is not valid, in email-validator's words, or null when it is. */
function emailProblem(address: string): string | null {
  const at = address.lastIndexOf('@');
  if (at < 0) return 'An email address must have an @-sign.';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!local) return 'There must be something before the @-sign.';
  if (!domain) return 'There must be something after the @-sign.';
  if (codePoints(local) > 64) return 'The email address is too long before the @-sign.';
  if (codePoints(address) > 254) return 'The email address is too long.';
  if (!LOCAL_PART.test(local)) return 'The email address contains invalid characters before the @-sign.';
  const labels = domain.toLowerCase().split('.');
  if (labels.length < 2) return 'The part after the @-sign is not valid. It should have a period.';
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) return 'The part after the @-sign is not valid.';
  if (/^\d+$/.test(labels.at(-1) ?? '')) return 'The part after the @-sign is not valid.';
  const tld = labels.at(-1) ?? '';
  if (SPECIAL_USE_DOMAINS.includes(tld)) {
    return 'The part after the @-sign is a special-use or reserved name that cannot be used with email.';
  }
  return null;
}

/**
 * An e-mail address validated like Pydantic's EmailStr: trimmed, `Name <addr>` accepted,
 * special-use domains rejected; normalised to the local part as typed + the lower-cased domain.
 */
export const emailField = () =>
  z
    .string()
    .transform((raw, ctx) => {
      let address = raw.trim();
      const named = /^[^<>]*<([^<>]+)>$/.exec(address);
      if (named?.[1]) address = named[1].trim();
      const problem = raw.length > 2048 ? 'The email address is too long.' : emailProblem(address);
      if (problem) {
        ctx.addIssue(
          pydanticIssue('value_error', `value is not a valid email address: ${problem}`, raw, { reason: problem }),
        );
        return z.NEVER;
      }
      const at = address.lastIndexOf('@');
      return `${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`;
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
