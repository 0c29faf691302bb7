import { createRoute, z } from '@hono/zod-openapi';
import { errors, json, jsonBody, SECURITY } from '../../lib/openapi';
import { requireAccountSuperuser, requireAccountUser } from '../../middleware/auth';
import { mustExist } from '../../middleware/must-exist';
import { findUser } from '../../services/users';
import { UserRead, UserUpdate, UserUpdateSuperuser } from './schemas';

const UserIdParams = z.object({
  id: z.string().openapi({
    param: { name: 'id', in: 'path' },
    format: 'uuid',
    description: 'Parsed like Python `uuid.UUID` (any case, with or without hyphens, braces or `urn:uuid:`); anything else is a 404',
  }),
});

/**
 * Loads the user named by the `{id}` path segment (parsed as leniently as Python's
 * `uuid.UUID`), or 404. It runs as route middleware after the superuser check and before the
 * body validators, so the order is 401 → 403 → 404 → 422, as in fastapi-users.
 */
const loadTargetUser = mustExist({ params: UserIdParams, find: ({ id }, c) => findUser(c.env, id), as: 'targetUser' });

export const getMeRoute = createRoute({
  method: 'get',
  path: '/users/me',
  operationId: 'getCurrentUser',
  tags: ['users'],
  summary: 'The current user',
  description: 'With `REQUIRE_VERIFIED_LOGIN=true`, an unverified user gets 403 here and on every `/users` route, as with fastapi-users\' `requires_verification`.',
  security: SECURITY,
  middleware: [requireAccountUser] as const,
  responses: { 200: json(UserRead, 'The current user'), ...errors(401, 403) },
});

export const patchMeRoute = createRoute({
  method: 'patch',
  path: '/users/me',
  operationId: 'updateCurrentUser',
  tags: ['users'],
  summary: 'Update the current user',
  description:
    '`is_active`, `is_superuser` and `is_verified` are type-checked and ignored. The password is checked before the e-mail. ' +
    'A new e-mail (one that differs, case-sensitively, from the current one) must be free case-insensitively; it sets ' +
    '`is_verified` to false and mails a verification link to the new address. A new password ends every earlier access ' +
    'token (this one too) and sends a "password changed" e-mail to the address on file before the change. ' +
    'With `REQUIRE_VERIFIED_LOGIN=true`, an unverified user gets 403.',
  security: SECURITY,
  middleware: [requireAccountUser] as const,
  request: { body: jsonBody(UserUpdate) },
  responses: { 200: json(UserRead, 'The updated user'), ...errors(400, 401, 403, 422) },
});

export const getUserRoute = createRoute({
  method: 'get',
  path: '/users/{id}',
  operationId: 'getUser',
  tags: ['users'],
  summary: 'A user (superuser only)',
  security: SECURITY,
  middleware: [requireAccountSuperuser, loadTargetUser] as const,
  request: { params: UserIdParams },
  responses: { 200: json(UserRead, 'The user'), ...errors(401, 403, 404) },
});

export const patchUserRoute = createRoute({
  method: 'patch',
  path: '/users/{id}',
  operationId: 'updateUser',
  tags: ['users'],
  summary: 'Update a user (superuser only)',
  description:
    'Every field applies, the flags included. An e-mail change sets `is_verified` to false (and mails a verification link) ' +
    'unless the same body sets `is_verified`. A superuser may edit, demote or deactivate themself.',
  security: SECURITY,
  middleware: [requireAccountSuperuser, loadTargetUser] as const,
  request: { params: UserIdParams, body: jsonBody(UserUpdateSuperuser) },
  responses: { 200: json(UserRead, 'The updated user'), ...errors(400, 401, 403, 404, 422) },
});

export const deleteUserRoute = createRoute({
  method: 'delete',
  path: '/users/{id}',
  operationId: 'deleteUser',
  tags: ['users'],
  summary: 'Delete a user (superuser only)',
  description: "Deletes the account and its cart; orders stay, with their contact snapshot. A superuser may delete themself.",
  security: SECURITY,
  middleware: [requireAccountSuperuser, loadTargetUser] as const,
  request: { params: UserIdParams },
  responses: { 204: { description: 'Deleted (empty body)' }, ...errors(401, 403, 404) },
});
