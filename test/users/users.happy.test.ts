import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { emptyCart, loadCart, saveCart } from '../../src/db/carts';
import { getDb } from '../../src/db/client';
import { orders } from '../../src/db/schema';
import { api, claimsOf, emailsTo, login, PASSWORD, seedSuperuser, seedUser, storedUser, tokenFromEmail, uniqueEmail } from '../support';

const userOut = (u: { id: string; email: string }, extra: Record<string, unknown> = {}) => ({
  id: u.id,
  email: u.email,
  is_active: true,
  is_superuser: false,
  is_verified: false,
  first_name: null,
  last_name: null,
  ...extra,
});

describe('GET /users/me', () => {
  it('answers the caller in field order, without the password hash', async () => {
    const user = await seedUser({ firstName: 'Ann', lastName: 'Lee' });
    const res = await api('GET', '/users/me', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.text).toBe(JSON.stringify(userOut(user, { first_name: 'Ann', last_name: 'Lee' })));
  });

  it('accepts a trailing slash', async () => {
    const user = await seedUser();
    expect((await api('GET', '/users/me/', { token: user.token })).status).toBe(200);
  });
});

describe('PATCH /users/me', () => {
  it('updates the names (trimmed; null clears) and leaves everything else', async () => {
    const user = await seedUser({ lastName: 'Old' });
    const res = await api('PATCH', '/users/me', { token: user.token, json: { first_name: '  Ann ', last_name: null } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(userOut(user, { first_name: 'Ann' }));
    expect(await storedUser(user.id)).toMatchObject({ firstName: 'Ann', lastName: null, authVersion: 0 });
    expect((await api('GET', '/users/me', { token: user.token })).status).toBe(200);
  });

  it('answers {} with the user unchanged', async () => {
    const user = await seedUser({ isVerified: true });
    const res = await api('PATCH', '/users/me', { token: user.token, json: {} });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(userOut(user, { is_verified: true }));
  });

  it('type-checks and ignores is_active, is_superuser and is_verified, in both directions', async () => {
    const plain = await seedUser();
    const res = await api('PATCH', '/users/me', { token: plain.token, json: { is_active: false, is_superuser: true, is_verified: true } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(userOut(plain));
    const admin = await seedSuperuser();
    const down = await api('PATCH', '/users/me', { token: admin.token, json: { is_active: null, is_superuser: false, is_verified: false } });
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ is_active: true, is_superuser: true, is_verified: true });
  });

  it('treats "password": null as unchanged', async () => {
    const user = await seedUser();
    const res = await api('PATCH', '/users/me', { token: user.token, json: { password: null } });
    expect(res.status).toBe(200);
    expect((await storedUser(user.id))!.hashedPassword).toBe(user.hashedPassword);
    expect((await api('GET', '/users/me', { token: user.token })).status).toBe(200);
  });

  it('changes the password: new hash, earlier tokens end, "password changed" e-mailed', async () => {
    const user = await seedUser();
    const res = await api('PATCH', '/users/me', { token: user.token, json: { password: 'my new long secret' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(userOut(user));
    const row = await storedUser(user.id);
    expect(row!.authVersion).toBe(1);
    expect(row!.hashedPassword).not.toBe(user.hashedPassword);
    expect(await emailsTo(user.email, 'password_changed')).toHaveLength(1);
    expect((await api('GET', '/users/me', { token: user.token })).status).toBe(401);
    const token = await login(user.email, 'my new long secret');
    expect(claimsOf(token).ver).toBe(1);
    expect((await api('GET', '/users/me', { token })).status).toBe(200);
  });

  it('changes the e-mail: un-verifies, e-mails a verify link to the new address, keeps the session', async () => {
    const user = await seedUser({ isVerified: true });
    const newEmail = uniqueEmail('moved');
    const res = await api('PATCH', '/users/me', { token: user.token, json: { email: ` ${newEmail.replace('example.com', 'EXAMPLE.com')} ` } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(userOut(user, { email: newEmail, is_verified: false }));
    expect(await storedUser(user.id)).toMatchObject({ email: newEmail, isVerified: false, authVersion: 0 });
    expect(claimsOf(await tokenFromEmail(newEmail, 'verify'))).toMatchObject({ sub: user.id, email: newEmail });
    expect(await emailsTo(user.email, 'verify')).toHaveLength(0);
    expect((await api('GET', '/users/me', { token: user.token })).body.email).toBe(newEmail);
    expect(await login(newEmail)).toBeTruthy();
  });

  it('treats the same e-mail (or only its domain in another case) as no change', async () => {
    const user = await seedUser({ isVerified: true });
    const [local, domain] = user.email.split('@');
    for (const email of [user.email, `${local}@${domain!.toUpperCase()}`]) {
      const res = await api('PATCH', '/users/me', { token: user.token, json: { email } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ email: user.email, is_verified: true });
    }
    expect(await emailsTo(user.email, 'verify')).toHaveLength(0);
  });

  it('changes e-mail and password together, checking the policy against the new e-mail', async () => {
    const user = await seedUser();
    const newEmail = uniqueEmail();
    const res = await api('PATCH', '/users/me', { token: user.token, json: { email: newEmail, password: 'together new pw' } });
    expect(res.status).toBe(200);
    expect(await emailsTo(newEmail, 'verify')).toHaveLength(1);
    expect(await emailsTo(user.email, 'password_changed')).toHaveLength(1);
    expect(await login(newEmail, 'together new pw')).toBeTruthy();
  });
});

describe('GET /users/{id}', () => {
  it('answers any user to a superuser, parsing the id like uuid.UUID', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    const hex = user.id.replaceAll('-', '');
    // uuid.UUID strips braces from either end independently and removes `uuid:` wherever it is.
    const pythonOnly = [`{${user.id}`, `${hex}}}`, `uuid:${user.id}`, `urn:${hex}`];
    for (const id of [user.id, user.id.toUpperCase(), hex, `{${user.id}}`, `urn:uuid:${user.id}`, ...pythonOnly]) {
      const res = await api('GET', `/users/${encodeURIComponent(id)}`, { token: admin.token });
      expect(res.status, id).toBe(200);
      expect(res.body).toEqual(userOut(user));
    }
  });
});

describe('PATCH /users/{id}', () => {
  it('applies every field, the flags included', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    const res = await api('PATCH', `/users/${user.id}`, {
      token: admin.token,
      json: { is_active: false, is_superuser: true, is_verified: true, first_name: 'Gwen', last_name: 'P' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(userOut(user, { is_active: false, is_superuser: true, is_verified: true, first_name: 'Gwen', last_name: 'P' }));
    expect((await api('GET', '/users/me', { token: user.token })).status).toBe(401);
  });

  it('un-verifies on an e-mail change unless the same body sets is_verified', async () => {
    const admin = await seedSuperuser();
    const a = await seedUser({ isVerified: true });
    const b = await seedUser({ isVerified: true });
    const emailA = uniqueEmail();
    const emailB = uniqueEmail();
    const resA = await api('PATCH', `/users/${a.id}`, { token: admin.token, json: { email: emailA } });
    expect(resA.body).toMatchObject({ email: emailA, is_verified: false });
    expect(await emailsTo(emailA, 'verify')).toHaveLength(1);
    const resB = await api('PATCH', `/users/${b.id}`, { token: admin.token, json: { email: emailB, is_verified: true } });
    expect(resB.body).toMatchObject({ email: emailB, is_verified: true });
    expect(await emailsTo(emailB, 'verify')).toHaveLength(0);
  });

  it('sets a password ("password": null leaves it)', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    expect((await api('PATCH', `/users/${user.id}`, { token: admin.token, json: { password: null } })).status).toBe(200);
    expect((await storedUser(user.id))!.hashedPassword).toBe(user.hashedPassword);
    expect((await api('PATCH', `/users/${user.id}`, { token: admin.token, json: { password: 'set by the admin' } })).status).toBe(200);
    expect(await login(user.email, 'set by the admin')).toBeTruthy();
    expect((await api('GET', '/users/me', { token: admin.token })).status).toBe(200);
  });

  it('lets a superuser demote themself', async () => {
    const admin = await seedSuperuser();
    const res = await api('PATCH', `/users/${admin.id}`, { token: admin.token, json: { is_superuser: false } });
    expect(res.status).toBe(200);
    expect(res.body.is_superuser).toBe(false);
    expect((await api('GET', `/users/${admin.id}`, { token: admin.token })).status).toBe(403);
  });
});

describe('DELETE /users/{id}', () => {
  it('answers 204 empty, deletes the user and their cart, and keeps their orders', async () => {
    const admin = await seedSuperuser();
    const user = await seedUser();
    await saveCart(env, user.id, { ...emptyCart(), cart_id: 7, next_item_id: 2, items: [{ item_id: 1, product_id: 1, quantity: 1 }] });
    const [order] = await getDb(env)
      .insert(orders)
      .values({ userId: user.id, checkoutId: Math.floor(Math.random() * 1e12), amount: 100, currency: 'INR', email: user.email, name: 'N', phoneNo: '123456', address: 'A', postalCode: '1' })
      .returning();
    const res = await api('DELETE', `/users/${user.id}`, { token: admin.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await storedUser(user.id)).toBeUndefined();
    expect(await loadCart(env, user.id)).toEqual(emptyCart());
    expect(await getDb(env).select().from(orders).where(eq(orders.id, order!.id)).get()).toMatchObject({ userId: user.id });
    expect((await api('GET', '/users/me', { token: user.token })).status).toBe(401);
    expect((await api('GET', `/users/${user.id}`, { token: admin.token })).status).toBe(404);
  });

  it('lets a superuser delete themself', async () => {
    const admin = await seedSuperuser();
    expect((await api('DELETE', `/users/${admin.id}`, { token: admin.token })).status).toBe(204);
    expect((await api('GET', '/users/me', { token: admin.token })).status).toBe(401);
  });
});

describe('registered users end to end', () => {
  it('register → login → me → verify → me', async () => {
    const email = uniqueEmail();
    const created = await api('POST', '/auth/register', { json: { email, password: PASSWORD } });
    const token = await login(email);
    expect((await api('GET', '/users/me', { token })).body).toEqual(created.body);
    await api('POST', '/auth/verify', { json: { token: await tokenFromEmail(email, 'verify') } });
    expect((await api('GET', '/users/me', { token })).body).toEqual({ ...created.body, is_verified: true });
  });
});
