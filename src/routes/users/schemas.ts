import { z } from '@hono/zod-openapi';
import type { User } from '../../db/schema';
import { boolean, emailField, text } from '../../lib/schemas';

/** The user object of every auth and user route, in fastapi-users' field order. */
export const UserRead = z
  .object({
    id: z.string().openapi({ format: 'uuid', example: 'd35d213e-f3d8-4f08-954a-7e0d1bea286f' }),
    email: z.string().openapi({ format: 'email', example: 'king.arthur@camelot.bt' }),
    is_active: z.boolean(),
    is_superuser: z.boolean(),
    is_verified: z.boolean(),
    first_name: z.string().nullable().openapi({ maxLength: 100 }),
    last_name: z.string().nullable().openapi({ maxLength: 100 }),
  })
  .openapi('UserRead');

/** The public user object, in fastapi-users' field order. Never the hash. */
export function toUserOut(user: User) {
  return {
    id: user.id,
    email: user.email,
    is_active: user.isActive,
    is_superuser: user.isSuperuser,
    is_verified: user.isVerified,
    first_name: user.firstName,
    last_name: user.lastName,
  };
}

const name = (what: string) =>
  text({ max: 100 }).nullable().optional().openapi({ description: `${what}, trimmed; null clears it` });

/**
 * Not capped here: the password policy answers over-long passwords with its 400
 * (`Password should be at most 128 characters`); the 64 KiB body limit bounds the input.
 */
const password = () => z.string().openapi({ description: 'Checked by the password policy (8–128 characters by default, not containing the e-mail)' });

const ignoredFlag = (what: string) =>
  boolean()
    .nullable()
    .optional()
    .openapi({ description: `${what}: type-checked, then ignored (only a superuser sets it, through PATCH /users/{id})` });

export const UserCreate = z
  .object({
    email: emailField(),
    password: password(),
    is_active: ignoredFlag('is_active'),
    is_superuser: ignoredFlag('is_superuser'),
    is_verified: ignoredFlag('is_verified'),
    first_name: name('First name'),
    last_name: name('Last name'),
  })
  .openapi('UserCreate');

/** PATCH /users/me: the flags are type-checked and ignored, as fastapi-users' safe update does. */
export const UserUpdate = z
  .object({
    password: password().nullable().optional().openapi({ description: 'A new password; null or absent leaves it unchanged' }),
    email: emailField().optional(),
    is_active: ignoredFlag('is_active'),
    is_superuser: ignoredFlag('is_superuser'),
    is_verified: ignoredFlag('is_verified'),
    first_name: name('First name'),
    last_name: name('Last name'),
  })
  .openapi('UserUpdate');

const flag = (what: string) => boolean().optional().openapi({ description: `${what}; null is refused (422)` });

/** PATCH /users/{id}: every field applies; an explicit null for a flag or the e-mail is a 422. */
export const UserUpdateSuperuser = z
  .object({
    password: password().nullable().optional().openapi({ description: 'A new password; null or absent leaves it unchanged' }),
    email: emailField().optional(),
    is_active: flag('Active (an inactive user cannot log in)'),
    is_superuser: flag('Superuser'),
    is_verified: flag('Verified e-mail (wins over the reset an e-mail change causes)'),
    first_name: name('First name'),
    last_name: name('Last name'),
  })
  .openapi('UserUpdateSuperuser');
