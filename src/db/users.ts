import { eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { users, type User } from './schema';

/** Users, looked up by id or by e-mail compared case-insensitively. */
export const findUserById = (db: Db, id: string): Promise<User | undefined> =>
  db.select().from(users).where(eq(users.id, id)).get();

export const findUserByEmail = (db: Db, email: string): Promise<User | undefined> =>
  db.select().from(users).where(sql`lower(${users.email}) = lower(${email})`).get();

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
