import type { Bindings } from '../env';
import type { User } from '../db/schema';
import { getDb } from '../db/client';
import { deleteCart } from '../db/carts';
import {
  deleteUser,
  findUserByEmail,
  findUserById,
  hashIfUnchanged,
  insertUser,
  isDuplicateEmailError,
  isStalePasswordError,
  nextAuthVersion,
  updateUserStatement,
  type UserChangeSet,
} from '../db/users';
import { type OutgoingEmail, writeWithEmails } from '../email/outbox';
import { invalidError, type RuleError } from '../lib/domain-errors';
import { hashPassword } from '../lib/password';
import { parseUuid } from '../lib/uuid';
import { issueVerifyToken } from './action-tokens';
import { assertPasswordPolicy, type InvalidPasswordCode } from './password-policy';

/** fastapi-users' UserUpdate, after validation; which keys are present decides what changes. */
export interface UserUpdate {
  /** null means "leave the password alone", as fastapi-users ≥ 12.1.2 does. */
  password?: string | null;
  email?: string;
  first_name?: string | null;
  last_name?: string | null;
  is_active?: boolean;
  is_superuser?: boolean;
  is_verified?: boolean;
}

export interface UpdateOptions {
  invalidPasswordCode: InvalidPasswordCode;
  /** Change the password only if the stored hash is still this one, else throw `error`. */
  passwordGuard?: { expectedHash: string; error: RuleError };
}

export interface NewAccount {
  email: string;
  password: string;
  first_name?: string | null;
  last_name?: string | null;
}

/** The user with this id, read as leniently as Python's `uuid.UUID`; undefined for none or a malformed id. */
export async function findUser(env: Bindings, rawId: string): Promise<User | undefined> {
  const id = parseUuid(rawId);
  return id ? findUserById(getDb(env), id) : undefined;
}

/** Deletes the account and its cart; orders stay, with their contact snapshot. */
export async function deleteAccount(env: Bindings, user: User): Promise<void> {
  await deleteUser(getDb(env), user.id);
  await deleteCart(env, user.id);
}

/**
 * Registration: password policy first, then the case-insensitive duplicate check; a
 * concurrent twin that slips past the check is stopped by the unique index, same answer.
 * The verification e-mail is recorded with the new row.
 */
export async function createAccount(env: Bindings, account: NewAccount): Promise<User> {
  assertPasswordPolicy(env, account.password, account.email, 'REGISTER_INVALID_PASSWORD');
  const db = getDb(env);
  if (await findUserByEmail(db, account.email)) throw invalidError('REGISTER_USER_ALREADY_EXISTS');
  const id = crypto.randomUUID();
  const firstName = account.first_name ?? null;
  const verifyToken = await issueVerifyToken(env, { id, email: account.email });
  const hashedPassword = await hashPassword(account.password);
  try {
    const [[user]] = await writeWithEmails(
      env,
      db,
      [insertUser(db, { id, email: account.email, hashedPassword, firstName, lastName: account.last_name ?? null })],
      [{ kind: 'verify', to: account.email, userId: id, data: { name: firstName, token: verifyToken } }],
    );
    return user!;
  } catch (error) {
    if (isDuplicateEmailError(error)) throw invalidError('REGISTER_USER_ALREADY_EXISTS');
    throw error;
  }
}

/**
 * fastapi-users' `_update`, shared by PATCH /users/me (the caller passes only the safe
 * fields), PATCH /users/{id} and reset-password. Fields are handled in UserUpdate's order:
 * password (policy, against the e-mail the user will have afterwards), then e-mail (changed
 * only if it differs case-sensitively; taken case-insensitively → 400; a change un-verifies
 * and mails a verify link to the new address), then names and flags (so an explicit
 * `is_verified` wins over the e-mail change). A new password bumps auth_version, which ends
 * every earlier access token, and tells the address on file before the change.
 * Returns null when the user vanished meanwhile.
 */
export async function updateUser(env: Bindings, user: User, update: UserUpdate, options: UpdateOptions): Promise<User | null> {
  const db = getDb(env);
  const changes: UserChangeSet = {};
  const newEmail = update.email !== undefined && update.email !== user.email ? update.email : undefined;
  const newPassword = update.password ?? undefined;

  if (newPassword !== undefined) {
    assertPasswordPolicy(env, newPassword, newEmail ?? user.email, options.invalidPasswordCode);
  }
  if (newEmail !== undefined) {
    if (await findUserByEmail(db, newEmail)) throw invalidError('UPDATE_USER_EMAIL_ALREADY_EXISTS');
    changes.email = newEmail;
    changes.isVerified = false;
  }
  if (newPassword !== undefined) {
    const hashed = await hashPassword(newPassword);
    const guard = options.passwordGuard;
    changes.hashedPassword = guard ? hashIfUnchanged(guard.expectedHash, hashed) : hashed;
    changes.authVersion = nextAuthVersion();
  }
  if (update.first_name !== undefined) changes.firstName = update.first_name;
  if (update.last_name !== undefined) changes.lastName = update.last_name;
  if (update.is_active !== undefined) changes.isActive = update.is_active;
  if (update.is_superuser !== undefined) changes.isSuperuser = update.is_superuser;
  if (update.is_verified !== undefined) changes.isVerified = update.is_verified;
  if (Object.keys(changes).length === 0) return user;

  const name = update.first_name !== undefined ? update.first_name : user.firstName;
  const outgoing: OutgoingEmail[] = [];
  if (newEmail !== undefined && changes.isVerified === false) {
    const token = await issueVerifyToken(env, { id: user.id, email: newEmail });
    outgoing.push({ kind: 'verify', to: newEmail, userId: user.id, data: { name, token } });
  }
  if (newPassword !== undefined) {
    outgoing.push({ kind: 'password_changed', to: user.email, userId: user.id, data: { name } });
  }
  try {
    const [[updated]] = await writeWithEmails(env, db, [updateUserStatement(db, user.id, changes)], outgoing);
    return updated ?? null;
  } catch (error) {
    if (isDuplicateEmailError(error)) throw invalidError('UPDATE_USER_EMAIL_ALREADY_EXISTS');
    if (options.passwordGuard && isStalePasswordError(error)) throw options.passwordGuard.error;
    throw error;
  }
}
