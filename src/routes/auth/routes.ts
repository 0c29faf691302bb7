import { createRoute, z } from '@hono/zod-openapi';
import { errors, json, jsonBody, SECURITY } from '../../lib/openapi';
import { emailField, pydanticIssue, text } from '../../lib/schemas';
import { requireAccountUser, requireUser } from '../../middleware/auth';
import { onlyFormFields } from '../../middleware/login-form';
import { onPrimary } from '../../middleware/request-context';
import { UserCreate, UserRead } from '../users/schemas';

/**
 * A field of an embedded body (FastAPI's `Body(embed=True)`): when absent or null it is
 * `missing` with `input: null`, as FastAPI reports it (it checks `value is None` before
 * validating), not the enclosing object.
 */
const embedded = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value, ctx) => {
    if (value === undefined || value === null) ctx.addIssue(pydanticIssue('missing', 'Field required', null));
    return value;
  }, schema);

const isObject = (body: unknown): body is Record<string, unknown> =>
  typeof body === 'object' && body !== null && !Array.isArray(body);

/**
 * An embedded body: FastAPI reads each field with `body.get(name)`, so with no body, or a
 * body that is not an object (a list, a bare string, a number), every field is missing.
 */
const embeddedBody = <T extends z.ZodRawShape>(shape: T) =>
  z.preprocess((body) => (isObject(body) ? body : {}), z.object(shape));

const token = () => text({ max: 4096, trim: false }).openapi({ description: 'The token from the e-mailed link' });

export const EmailRequest = embeddedBody({ email: embedded(emailField()) }).openapi('EmailRequest');
export const ResetPasswordRequest = embeddedBody({
  token: embedded(token()),
  password: embedded(
    z.string().openapi({ description: 'The new password (checked by the password policy after the token)' }),
  ),
}).openapi('ResetPasswordRequest');
export const VerifyRequest = embeddedBody({ token: embedded(token()) }).openapi('VerifyRequest');

const GRANT_TYPE_PATTERN = '^password$';

/** OAuth2PasswordRequestForm's fields, in its order (which is the order of 422 items). */
export const LoginForm = z.object({
  grant_type: z
    .string()
    .superRefine((value, ctx) => {
      if (value !== 'password') {
        ctx.addIssue(
          pydanticIssue('string_pattern_mismatch', `String should match pattern '${GRANT_TYPE_PATTERN}'`, value, {
            pattern: GRANT_TYPE_PATTERN,
          }),
        );
      }
    })
    .optional()
    .openapi({ pattern: GRANT_TYPE_PATTERN, description: 'If sent, must be `password`' }),
  username: text({ max: 320 }).openapi({ description: 'The e-mail address, compared case-insensitively' }),
  password: z.string().openapi({ description: 'Bounded by the 64 KiB body limit only, so a long one is a 400, never a 422' }),
  scope: text({ max: 1024, trim: false }).optional().openapi({ description: 'Accepted and ignored' }),
  client_id: text({ max: 1024, trim: false }).optional().openapi({ description: 'Accepted and ignored' }),
  client_secret: text({ max: 1024, trim: false }).optional().openapi({ description: 'Accepted and ignored' }),
});

export const BearerResponse = z
  .object({ access_token: z.string(), token_type: z.literal('bearer') })
  .openapi('BearerResponse');

const Null = z.null().openapi({ type: 'null' });

export const registerRoute = createRoute({
  method: 'post',
  path: '/auth/register',
  operationId: 'authRegister',
  security: [],
  tags: ['auth'],
  summary: 'Register',
  description:
    'Creates an active, unverified, non-superuser account (the flags in the body are type-checked and ignored) and queues a ' +
    'verification e-mail. The password policy is checked before the duplicate check. Rate limited per client address and ' +
    'e-mail (20 a minute) and per client address (300 a minute), so a test suite registering many users is fine but ' +
    'repeating one registration, or mass sign-ups from one address, are not.',
  request: { body: jsonBody(UserCreate) },
  responses: {
    201: json(UserRead, 'The new user'),
    ...errors(400, 422, 429),
  },
});

export const loginRoute = createRoute({
  method: 'post',
  path: '/auth/jwt/login',
  operationId: 'authJwtLogin',
  security: [],
  tags: ['auth'],
  summary: 'Log in (OAuth2 password flow)',
  description:
    'Form-encoded (`application/x-www-form-urlencoded` or `multipart/form-data`). An empty value counts as missing (422); ' +
    'a JSON body is an empty form (422). Unknown e-mail, wrong password and inactive user are all `LOGIN_BAD_CREDENTIALS`, ' +
    'at the same hashing cost. Failed attempts are limited per client address and e-mail: past 20 a minute, every ' +
    'attempt, right or wrong, is a 429 for a minute. Successful logins are not limited.',
  middleware: [onPrimary, onlyFormFields(Object.keys(LoginForm.shape))] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': { schema: LoginForm },
        'multipart/form-data': { schema: LoginForm },
      },
    },
  },
  responses: {
    200: json(BearerResponse, 'An access token'),
    ...errors(400, 422, 429),
  },
});

export const logoutRoute = createRoute({
  method: 'post',
  path: '/auth/jwt/logout',
  operationId: 'authJwtLogout',
  tags: ['auth'],
  summary: 'Log out',
  description:
    "Revokes this access token until it would have expired; the user's other tokens keep working. With " +
    '`REQUIRE_VERIFIED_LOGIN=true`, an unverified user gets 403, as with fastapi-users\' `requires_verification`.',
  security: SECURITY,
  middleware: [requireAccountUser] as const,
  responses: {
    204: { description: 'Logged out (empty body)' },
    ...errors(401, 403),
  },
});

export const forgotPasswordRoute = createRoute({
  method: 'post',
  path: '/auth/forgot-password',
  operationId: 'authForgotPassword',
  security: [],
  tags: ['auth'],
  summary: 'Ask for a password reset e-mail',
  description:
    'Always 202 with body `null` once the body is valid, so it does not tell whether an account exists; an active user gets ' +
    'a reset link (valid one hour by default, single use). Rate limited per client address and e-mail.',
  request: { body: jsonBody(EmailRequest) },
  responses: {
    202: json(Null, 'Accepted (body `null`)'),
    ...errors(422, 429),
  },
});

export const resetPasswordRoute = createRoute({
  method: 'post',
  path: '/auth/reset-password',
  operationId: 'authResetPassword',
  security: [],
  tags: ['auth'],
  summary: 'Reset the password with an e-mailed token',
  description:
    '`RESET_PASSWORD_BAD_TOKEN` for a bad, expired, wrong-audience or used token, or a user gone or inactive; the password ' +
    'policy is checked only after the token passed. Ends every earlier access token and queues a "password changed" e-mail. ' +
    'Rate limited per client address (60 a minute).',
  middleware: [onPrimary] as const,
  request: { body: jsonBody(ResetPasswordRequest) },
  responses: {
    200: json(Null, 'Password changed (body `null`)'),
    ...errors(400, 422, 429),
  },
});

export const requestVerifyTokenRoute = createRoute({
  method: 'post',
  path: '/auth/request-verify-token',
  operationId: 'authRequestVerifyToken',
  security: [],
  tags: ['auth'],
  summary: 'Ask for a verification e-mail',
  description:
    'Always 202 with body `null` once the body is valid; an active unverified user gets a verification link. ' +
    'Rate limited per client address and e-mail.',
  request: { body: jsonBody(EmailRequest) },
  responses: {
    202: json(Null, 'Accepted (body `null`)'),
    ...errors(422, 429),
  },
});

export const verifyRoute = createRoute({
  method: 'post',
  path: '/auth/verify',
  operationId: 'authVerify',
  security: [],
  tags: ['auth'],
  summary: 'Verify the e-mail address with an e-mailed token',
  description:
    '`VERIFY_USER_BAD_TOKEN` for a bad or expired token, or one issued for an e-mail address the user no longer has. ' +
    'Inactive users can verify.',
  middleware: [onPrimary] as const,
  request: { body: jsonBody(VerifyRequest) },
  responses: {
    200: json(UserRead, 'The verified user'),
    ...errors(400, 422),
  },
});

export const Greeting = z.object({ message: z.string().openapi({ example: 'Hello king.arthur@camelot.bt!' }) }).openapi('Greeting');

export const authenticatedRoute = createRoute({
  method: 'get',
  path: '/authenticated-route',
  operationId: 'getAuthenticatedRoute',
  tags: ['auth'],
  summary: 'Say hello to the authenticated user',
  security: SECURITY,
  middleware: [requireUser] as const,
  responses: {
    200: json(Greeting, 'A greeting'),
    ...errors(401),
  },
});

