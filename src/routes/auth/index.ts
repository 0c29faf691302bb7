import { revokeAccessToken } from '../../services/access-tokens';
import { logIn, requestPasswordReset, requestVerification, resetPassword, verifyEmail } from '../../services/auth';
import { createAccount } from '../../services/users';
import { createRouter } from '../../lib/openapi';
import { clientIp, enforceRateLimit, limitFailures } from '../../middleware/rate-limit';
import {
  authenticatedRoute,
  forgotPasswordRoute,
  loginRoute,
  logoutRoute,
  registerRoute,
  requestVerifyTokenRoute,
  resetPasswordRoute,
  verifyRoute,
} from './routes';
import { toUserOut } from '../users/schemas';

/**
 * Rate-limit keys: per route, per client address and per e-mail (or token), so a client that
 * repeats one request is throttled while a test suite registering many users from one address
 * is not.
 */
const perAddressAndEmail = (route: string, ip: string, email: string) => `${route}:${ip}:${email.toLowerCase()}`;

export const authRoutes = createRouter()
  .openapi(registerRoute, async (c) => {
    const body = c.req.valid('json');
    await enforceRateLimit(c.env.SIGNUP_LIMITER, `register:${clientIp(c)}`);
    await enforceRateLimit(c.env.REGISTER_LIMITER, perAddressAndEmail('register', clientIp(c), body.email));
    const user = await createAccount(c.env, body);
    return c.json(toUserOut(user), 201);
  })
  .openapi(loginRoute, async (c) => {
    const { username, password } = c.req.valid('form');
    const key = perAddressAndEmail('login', clientIp(c), username);
    const accessToken = await limitFailures(c.env.AUTH, c.env.LOGIN_LIMITER, key, () => logIn(c.env, username, password));
    return c.json({ access_token: accessToken, token_type: 'bearer' as const }, 200);
  })
  .openapi(logoutRoute, async (c) => {
    const { raw, claims } = c.get('token');
    await revokeAccessToken(c.env, raw, claims);
    return c.body(null, 204);
  })
  .openapi(forgotPasswordRoute, async (c) => {
    const { email } = c.req.valid('json');
    await enforceRateLimit(c.env.EMAIL_LIMITER, perAddressAndEmail('forgot-password', clientIp(c), email));
    await requestPasswordReset(c.env, email);
    return c.json(null, 202);
  })
  .openapi(resetPasswordRoute, async (c) => {
    const { token, password } = c.req.valid('json');
    // Per address: guessing tokens means many different tokens from one place.
    await enforceRateLimit(c.env.RESET_LIMITER, `reset-password:${clientIp(c)}`);
    const user = await resetPassword(c.env, token, password);
    // The user's old tokens end now: their next requests here must read the new auth_version.
    c.get('d1').changesAccountOf(user.id);
    return c.json(null, 200);
  })
  .openapi(requestVerifyTokenRoute, async (c) => {
    const { email } = c.req.valid('json');
    await enforceRateLimit(c.env.EMAIL_LIMITER, perAddressAndEmail('request-verify-token', clientIp(c), email));
    await requestVerification(c.env, email);
    return c.json(null, 202);
  })
  .openapi(verifyRoute, async (c) => {
    const { token } = c.req.valid('json');
    const user = await verifyEmail(c.env, token);
    c.get('d1').changesAccountOf(user.id);
    return c.json(toUserOut(user), 200);
  })
  .openapi(authenticatedRoute, async (c) => c.json({ message: `Hello ${c.get('user').email}!` }, 200));
