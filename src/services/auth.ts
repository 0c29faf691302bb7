import type { Bindings } from '../env';
import type { User } from '../db/schema';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { findUserByEmail, findUserById, markUserVerified, upgradePasswordHash } from '../db/users';
import { writeWithEmails } from '../email/outbox';
import { runInBackground } from '../lib/background';
import { invalidError } from '../lib/domain-errors';
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from '../lib/password';
import { parseUuid } from '../lib/uuid';
import { issueAccessToken } from './access-tokens';
import { fingerprintMatches, issueResetToken, issueVerifyToken, readResetToken, readVerifyToken } from './action-tokens';
import { updateUser } from './users';

/**
 * fastapi-users' login: an unknown e-mail still costs a hash; a correct password upgrades a
 * weaker stored hash (without ending tokens) after the answer, which does not depend on it;
 * inactive users are bad credentials; the verified check (when configured) comes last.
 */
export async function logIn(env: Bindings, username: string, password: string): Promise<string> {
  const db = getDb(env);
  const user = await findUserByEmail(db, username);
  if (!user) {
    await burnPasswordCheck(password);
    throw invalidError('LOGIN_BAD_CREDENTIALS');
  }
  if (!(await verifyPassword(password, user.hashedPassword))) throw invalidError('LOGIN_BAD_CREDENTIALS');
  if (needsRehash(user.hashedPassword)) {
    await runInBackground(env, 'password rehash', async () => upgradePasswordHash(db, user, await hashPassword(password)));
  }
  if (!user.isActive) throw invalidError('LOGIN_BAD_CREDENTIALS');
  if (getConfig(env).requireVerifiedLogin && !user.isVerified) throw invalidError('LOGIN_USER_NOT_VERIFIED');
  return issueAccessToken(env, user);
}

/** An active user gets a reset link; nobody else learns anything. */
export async function requestPasswordReset(env: Bindings, email: string): Promise<void> {
  const db = getDb(env);
  const user = await findUserByEmail(db, email);
  if (!user?.isActive) return;
  const token = await issueResetToken(env, user);
  await writeWithEmails(env, db, [], [{ kind: 'reset_password', to: user.email, userId: user.id, data: { name: user.firstName, token } }]);
}

/**
 * fastapi-users' order: token (signature, audience, expiry, claims) → id → user → fingerprint
 * (used tokens fail here) → active → password policy → update. The update only lands if the
 * hash is still the one the fingerprint matched, so of two racing uses one wins.
 */
export async function resetPassword(env: Bindings, token: string, password: string): Promise<User> {
  const badToken = () => invalidError('RESET_PASSWORD_BAD_TOKEN');
  const claims = await readResetToken(env, token);
  if (!claims) throw badToken();
  const id = parseUuid(claims.sub);
  if (!id) throw badToken();
  const user = await findUserById(getDb(env), id);
  if (!user || !(await fingerprintMatches(env, claims.fingerprint, user)) || !user.isActive) throw badToken();
  const updated = await updateUser(env, user, { password }, {
    invalidPasswordCode: 'RESET_PASSWORD_INVALID_PASSWORD',
    passwordGuard: { expectedHash: user.hashedPassword, error: badToken() },
  });
  if (!updated) throw badToken();
  return updated;
}

/** An active, unverified user gets a verification link; nobody else learns anything. */
export async function requestVerification(env: Bindings, email: string): Promise<void> {
  const db = getDb(env);
  const user = await findUserByEmail(db, email);
  if (!user?.isActive || user.isVerified) return;
  const token = await issueVerifyToken(env, user);
  await writeWithEmails(env, db, [], [{ kind: 'verify', to: user.email, userId: user.id, data: { name: user.firstName, token } }]);
}

/**
 * The user is found by the token's e-mail and must have the token's id, so a token issued
 * before an e-mail change is dead. Inactive users may verify.
 */
export async function verifyEmail(env: Bindings, token: string): Promise<User> {
  const badToken = () => invalidError('VERIFY_USER_BAD_TOKEN');
  const claims = await readVerifyToken(env, token);
  if (!claims) throw badToken();
  const db = getDb(env);
  const user = await findUserByEmail(db, claims.email);
  if (!user || parseUuid(claims.sub) !== user.id) throw badToken();
  if (user.isVerified) throw invalidError('VERIFY_USER_ALREADY_VERIFIED');
  // Guarded by is_verified: of two racing uses, the second is "already verified".
  const verified = await markUserVerified(db, user.id);
  if (!verified) throw invalidError('VERIFY_USER_ALREADY_VERIFIED');
  return verified;
}
