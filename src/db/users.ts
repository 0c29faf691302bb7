import { and, eq, sql, type SQL } from 'drizzle-orm';
import { causeMessages } from '../lib/error-cause';
import type { Db } from './client';
import { users, type User } from './schema';
import { isoNow } from '../lib/time';

export type NewUser = typeof users.$inferInsert;
/** The columns an update may change (never the id or the times), as values or SQL. */
export type UserChangeSet = { [K in Exclude<keyof NewUser, 'id' | 'createdAt' | 'updatedAt'>]?: NewUser[K] | SQL };

/** Users, looked up by id or by e-mail compared case-insensitively. */
export const findUserById = (db: Db, id: string): Promise<User | undefined> =>
  db.select().from(users).where(eq(users.id, id)).get();

export const findUserByEmail = (db: Db, email: string): Promise<User | undefined> =>
  db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`).get();

/** The INSERT of a new user, to run in a batch with the e-mails it causes. */
export const insertUser = (db: Db, user: NewUser) => db.insert(users).values(user).returning();

/** The UPDATE of one user (returning the new row), to run in a batch with its e-mails. */
export const updateUserStatement = (db: Db, id: string, changes: UserChangeSet) =>
  db
    .update(users)
    .set({ ...changes, updatedAt: isoNow() })
    .where(eq(users.id, id))
    .returning();

/** `auth_version + 1`, computed by the database so concurrent password changes both count. */
export const nextAuthVersion = () => sql<number>`${users.authVersion} + 1`;

/**
 * The new hash, but only if the stored hash is still `expected`; otherwise NULL, which the
 * NOT NULL constraint refuses, so the whole batch (and the e-mail recorded with it) rolls
 * back. This is what makes a reset token single-use even when two requests race.
 */
export const hashIfUnchanged = (expected: string, next: string) =>
  sql<string>`case when ${users.hashedPassword} = ${expected} then ${next} end`;

export const isStalePasswordError = (error: unknown) =>
  /NOT NULL constraint failed: users\.hashed_password/i.test(causeMessages(error));

/** A write that lost the race for an e-mail address to the case-insensitive unique index. */
export const isDuplicateEmailError = (error: unknown) => {
  const message = causeMessages(error);
  return /UNIQUE constraint failed/i.test(message) && /users_email_lower_unique|users\.email/i.test(message);
};

/**
 * Replaces a hash with a stronger one of the same password, unless the password changed
 * meanwhile (a rehash must never undo a reset). Tokens stay valid: auth_version is untouched.
 */
export async function upgradePasswordHash(db: Db, user: User, hashedPassword: string): Promise<void> {
  await db
    .update(users)
    .set({ hashedPassword, updatedAt: isoNow() })
    .where(and(eq(users.id, user.id), eq(users.hashedPassword, user.hashedPassword)));
}

/** Marks a user verified; undefined when they were verified already (or are gone). */
export const markUserVerified = (db: Db, id: string): Promise<User | undefined> =>
  db
    .update(users)
    .set({ isVerified: true, updatedAt: isoNow() })
    .where(and(eq(users.id, id), eq(users.isVerified, false)))
    .returning()
    .get();

export async function deleteUser(db: Db, id: string): Promise<void> {
  await db.delete(users).where(eq(users.id, id));
}
