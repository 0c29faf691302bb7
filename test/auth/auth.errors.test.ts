import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { findUserByEmail, insertUser, isDuplicateEmailError } from '../../src/db/users';
import { hmacSha256 } from '../../src/lib/crypto';
import { api, emailsTo, emailsToAnyCase, login, nowSeconds, PASSWORD, seedUser, signJwt, storedUser, tokenFromEmail, uniqueEmail, usersWithEmailInAnyCase } from '../support';

const missing = (field: string, input: unknown = null) => ({ type: 'missing', loc: ['body', field], msg: 'Field required', input });
const invalidPassword = (code: string, reason: string) => ({ detail: { code, reason } });

describe('POST /auth/register errors', () => {
  it('reports every missing field of an empty object, with the object as input', async () => {
    const res = await api('POST', '/auth/register', { json: {} });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [missing('email', {}), missing('password', {})] });
  });

  it('reports a missing body as a missing body', async () => {
    const res = await api('POST', '/auth/register', {});
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] });
  });

  it('refuses an invalid e-mail with email-validator\'s reason', async () => {
    const res = await api('POST', '/auth/register', { json: { email: 'king.arthur', password: PASSWORD } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [
        {
          type: 'value_error',
          loc: ['body', 'email'],
          msg: 'value is not a valid email address: An email address must have an @-sign.',
          input: 'king.arthur',
          ctx: { reason: 'An email address must have an @-sign.' },
        },
      ],
    });
  });

  it('type-checks the ignored flags and the fields', async () => {
    const res = await api('POST', '/auth/register', {
      json: { email: uniqueEmail(), password: 123, is_superuser: 'yes please', first_name: 7 },
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([
      { type: 'string_type', loc: ['body', 'password'], msg: 'Input should be a valid string', input: 123 },
      { type: 'bool_parsing', loc: ['body', 'is_superuser'], msg: 'Input should be a valid boolean, unable to interpret input', input: 'yes please' },
      { type: 'string_type', loc: ['body', 'first_name'], msg: 'Input should be a valid string', input: 7 },
    ]);
  });

  it('refuses names over 100 code points', async () => {
    const res = await api('POST', '/auth/register', { json: { email: uniqueEmail(), password: PASSWORD, last_name: 'x'.repeat(101) } });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual([
      {
        type: 'string_too_long',
        loc: ['body', 'last_name'],
        msg: 'String should have at most 100 characters',
        input: 'x'.repeat(101),
        ctx: { max_length: 100 },
      },
    ]);
  });

  it('refuses a body that is not an object', async () => {
    const res = await api('POST', '/auth/register', { json: ['a'] });
    expect(res.status).toBe(422);
    expect(res.body.detail[0]).toMatchObject({ type: 'model_attributes_type', loc: ['body'] });
  });

  it('applies the password policy: too short, too long (a 400, not a 422), containing the e-mail', async () => {
    const email = uniqueEmail();
    const cases: [string, string][] = [
      ['short', 'Password should be at least 8 characters'],
      ['x'.repeat(129), 'Password should be at most 128 characters'],
      [`my ${email.toUpperCase()} pass`, 'Password should not contain e-mail'],
    ];
    for (const [password, reason] of cases) {
      const res = await api('POST', '/auth/register', { json: { email, password } });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(invalidPassword('REGISTER_INVALID_PASSWORD', reason));
    }
    expect(await findUserByEmail(getDb(env), email)).toBeUndefined();
    expect((await api('POST', '/auth/register', { json: { email, password: 'x'.repeat(128) } })).status).toBe(201);
  });

  it('checks the password before the duplicate, and duplicates case-insensitively', async () => {
    const existing = await seedUser();
    const weak = await api('POST', '/auth/register', { json: { email: existing.email, password: 'short' } });
    expect(weak.body).toEqual(invalidPassword('REGISTER_INVALID_PASSWORD', 'Password should be at least 8 characters'));
    const duplicate = await api('POST', '/auth/register', { json: { email: existing.email.toUpperCase(), password: PASSWORD } });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body).toEqual({ detail: 'REGISTER_USER_ALREADY_EXISTS' });
    expect(await emailsTo(existing.email.toUpperCase(), 'verify')).toHaveLength(0);
  });

  it('lets exactly one of concurrent registrations of one address through, the others get 400', async () => {
    const email = uniqueEmail();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => api('POST', '/auth/register', { json: { email: i % 2 ? email.toUpperCase() : email, password: PASSWORD } })),
    );
    const winners = results.filter((r) => r.status === 201);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ detail: 'REGISTER_USER_ALREADY_EXISTS' });
    }
    // Whichever spelling won is the one stored, and only its verification e-mail is sent.
    const [winner] = winners;
    expect(await usersWithEmailInAnyCase(email)).toEqual([expect.objectContaining({ id: winner!.body.id, email: winner!.body.email })]);
    expect((await emailsToAnyCase(email, 'verify')).map((mail) => mail.toAddress)).toEqual([winner!.body.email]);
  });

  it('recognises the unique-index violation a racing twin runs into', async () => {
    const existing = await seedUser();
    const db = getDb(env);
    const error = await insertUser(db, { id: crypto.randomUUID(), email: existing.email.toUpperCase(), hashedPassword: 'x' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).not.toBeNull();
    expect(isDuplicateEmailError(error)).toBe(true);
    expect(isDuplicateEmailError(new Error('something else'))).toBe(false);
  });
});

describe('POST /auth/jwt/login errors', () => {
  it('reports missing username and password of an empty form with input null', async () => {
    const res = await api('POST', '/auth/jwt/login', { form: {} });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [missing('username'), missing('password')] });
  });

  it('treats an empty value as missing', async () => {
    const res = await api('POST', '/auth/jwt/login', { form: { username: 'a@example.com', password: '' } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [missing('password')] });
  });

  it('does not read a JSON body: both fields are missing', async () => {
    const user = await seedUser();
    const res = await api('POST', '/auth/jwt/login', { json: { username: user.email, password: PASSWORD } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [missing('username'), missing('password')] });
  });

  it('answers no body at all with 422 too', async () => {
    const res = await api('POST', '/auth/jwt/login', {});
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [missing('username'), missing('password')] });
  });

  it('refuses a grant_type other than "password"', async () => {
    const res = await api('POST', '/auth/jwt/login', { form: { username: 'a@example.com', password: PASSWORD, grant_type: 'client_credentials' } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [
        {
          type: 'string_pattern_mismatch',
          loc: ['body', 'grant_type'],
          msg: "String should match pattern '^password$'",
          input: 'client_credentials',
          ctx: { pattern: '^password$' },
        },
      ],
    });
  });

  it('answers LOGIN_BAD_CREDENTIALS for an unknown e-mail, a wrong password and an inactive user', async () => {
    const active = await seedUser();
    const inactive = await seedUser({ isActive: false });
    const attempts = [
      { username: uniqueEmail(), password: PASSWORD },
      { username: active.email, password: 'not the password' },
      { username: inactive.email, password: PASSWORD },
      { username: inactive.email, password: 'not the password' },
      { username: active.email, password: 'x'.repeat(10_000) },
    ];
    for (const form of attempts) {
      const res = await api('POST', '/auth/jwt/login', { form });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: 'LOGIN_BAD_CREDENTIALS' });
    }
  });

  it('answers an unparsable multipart body with 400', async () => {
    const res = await api('POST', '/auth/jwt/login', {
      raw: 'garbage',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ detail: 'There was an error parsing the body' });
  });
});

describe('POST /auth/forgot-password and /auth/request-verify-token errors', () => {
  for (const path of ['/auth/forgot-password', '/auth/request-verify-token']) {
    it(`${path}: 422 for a missing, invalid or non-string e-mail`, async () => {
      expect((await api('POST', path, { json: {} })).body).toEqual({ detail: [missing('email')] });
      expect((await api('POST', path, {})).body).toEqual({ detail: [missing('email')] });
      const invalid = await api('POST', path, { json: { email: 'nobody@localhost' } });
      expect(invalid.status).toBe(422);
      expect(invalid.body.detail[0]).toMatchObject({ type: 'value_error', loc: ['body', 'email'] });
      const wrongType = await api('POST', path, { json: { email: 42 } });
      expect(wrongType.body.detail[0]).toMatchObject({ type: 'string_type', loc: ['body', 'email'], input: 42 });
    });
  }
});

describe('bodies that are not JSON by their Content-Type', () => {
  it('register refuses a JSON text sent as text/plain as FastAPI does: the raw text is not an object', async () => {
    const text = JSON.stringify({ email: uniqueEmail(), password: PASSWORD });
    const res = await api('POST', '/auth/register', { raw: text, headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      detail: [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object to extract fields from', input: text }],
    });
  });

  it('an embedded body sent as text/plain has every field missing', async () => {
    const res = await api('POST', '/auth/forgot-password', { raw: JSON.stringify({ email: uniqueEmail() }), headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [missing('email')] });
  });

  it('application/*+json and a missing Content-Type are read as JSON', async () => {
    for (const contentType of ['application/vnd.api+json', 'application/json; charset=utf-8']) {
      const res = await api('POST', '/auth/register', { raw: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }), headers: { 'content-type': contentType } });
      expect(res.status, contentType).toBe(201);
    }
    const bare = new Request('http://localhost/auth/register', { method: 'POST', body: new TextEncoder().encode(JSON.stringify({ email: uniqueEmail(), password: PASSWORD })) });
    expect(bare.headers.get('content-type')).toBeNull();
    expect((await exports.default.fetch(bare)).status).toBe(201);
  });
});

describe('e-mail validation in email-validator\'s words', () => {
  const reasons: [string, string][] = [
    ['.arthur@camelot.bt', 'An email address cannot start with a period.'],
    ['arthur.@camelot.bt', 'An email address cannot have a period immediately before the @-sign.'],
    ['king..arthur@camelot.bt', 'An email address cannot have two periods in a row.'],
    ['king arthur@camelot.bt', 'The email address contains invalid characters before the @-sign: SPACE.'],
    ['king@arthur@camelot.bt', "The part after the @-sign contains invalid characters: '@'."],
    ['"king"@camelot.bt', 'Quoting the part before the @-sign is not allowed here.'],
    ['arthur@-camelot.bt', 'An email address cannot have a hyphen immediately after the @-sign.'],
    ['arthur@camelot.123', 'The part after the @-sign is not valid. It is not within a valid top-level domain.'],
    ['arthur@[10.0.0.1]', 'A bracketed IP address after the @-sign is not allowed here.'],
    ['arthur@round.table.test', 'The part after the @-sign is a special-use or reserved name that cannot be used with email.'],
    [`${'k'.repeat(65)}@camelot.bt`, 'The email address is too long before the @-sign (1 character too many).'],
    [`arthur@${'c'.repeat(2050)}.bt`, 'Length must not exceed 2048 characters'],
  ];
  for (const [email, reason] of reasons) {
    it(`refuses ${email.slice(0, 40)}: ${reason}`, async () => {
      const res = await api('POST', '/auth/register', { json: { email, password: PASSWORD } });
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual([
        { type: 'value_error', loc: ['body', 'email'], msg: `value is not a valid email address: ${reason}`, input: email, ctx: { reason } },
      ]);
    });
  }
});

describe('embedded bodies (forgot-password, request-verify-token, reset-password, verify)', () => {
  const EMBEDDED: [string, string[]][] = [
    ['/auth/forgot-password', ['email']],
    ['/auth/request-verify-token', ['email']],
    ['/auth/reset-password', ['token', 'password']],
    ['/auth/verify', ['token']],
  ];
  for (const [path, fields] of EMBEDDED) {
    it(`${path}: an explicit null is missing, as FastAPI checks \`value is None\` first`, async () => {
      const res = await api('POST', path, { json: Object.fromEntries(fields.map((field) => [field, null])) });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({ detail: fields.map((field) => missing(field)) });
    });

    it(`${path}: a body that is not an object leaves every field missing`, async () => {
      for (const body of [[], 'king.arthur@camelot.bt', 42, true]) {
        const res = await api('POST', path, { json: body });
        expect(res.status).toBe(422);
        expect(res.body).toEqual({ detail: fields.map((field) => missing(field)) });
      }
    });
  }
});

/** A reset token signed here, for claims the server would never issue. */
async function forgedResetToken(claims: Record<string, unknown>) {
  return signJwt({ aud: 'fastapi-users:reset', exp: nowSeconds() + 3600, ...claims });
}

const fingerprintOf = (hashedPassword: string) => hmacSha256(env.JWT_SECRET, hashedPassword);

describe('POST /auth/reset-password errors', () => {
  const reset = (token: string, password = 'a fine new password') => api('POST', '/auth/reset-password', { json: { token, password } });
  const BAD = { detail: 'RESET_PASSWORD_BAD_TOKEN' };
  const loginStatus = async (email: string, password: string) =>
    (await api('POST', '/auth/jwt/login', { form: { username: email, password } })).status;

  it('reports missing fields, each with input null', async () => {
    const res = await api('POST', '/auth/reset-password', { json: {} });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [missing('token'), missing('password')] });
    const wrongType = await api('POST', '/auth/reset-password', { json: { token: 1, password: 'x' } });
    expect(wrongType.body.detail).toEqual([{ type: 'string_type', loc: ['body', 'token'], msg: 'Input should be a valid string', input: 1 }]);
  });

  it('refuses garbage, expired, wrong-audience, exp-less and claim-less tokens', async () => {
    const user = await seedUser();
    const fgpt = await fingerprintOf(user.hashedPassword);
    const tokens = [
      'foo',
      await forgedResetToken({ sub: user.id, password_fgpt: fgpt, exp: nowSeconds() - 1 }),
      await signJwt({ sub: user.id, password_fgpt: fgpt, aud: 'fastapi-users:verify', exp: nowSeconds() + 3600 }),
      await signJwt({ sub: user.id, password_fgpt: fgpt, aud: ['fastapi-users:auth'], exp: nowSeconds() + 3600 }),
      await signJwt({ sub: user.id, password_fgpt: fgpt, aud: 'fastapi-users:reset' }),
      await forgedResetToken({ sub: user.id }),
      await forgedResetToken({ password_fgpt: fgpt }),
      await forgedResetToken({ sub: 'not-a-uuid', password_fgpt: fgpt }),
      await forgedResetToken({ sub: crypto.randomUUID(), password_fgpt: fgpt }),
      await forgedResetToken({ sub: user.id, password_fgpt: 'wrong' }),
      await signJwt({ sub: user.id, password_fgpt: fgpt, aud: 'fastapi-users:reset', exp: nowSeconds() + 3600 }, 'another-secret-that-is-long-enough!!'),
    ];
    for (const token of tokens) {
      const res = await reset(token);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(BAD);
    }
    expect((await storedUser(user.id))!.hashedPassword).toBe(user.hashedPassword);
    // The control: the same claims, properly signed, work.
    expect((await reset(await forgedResetToken({ sub: user.id.toUpperCase(), password_fgpt: fgpt }))).status).toBe(200);
  });

  it('refuses a token of an inactive user, even with a valid fingerprint', async () => {
    const user = await seedUser({ isActive: false });
    const res = await reset(await forgedResetToken({ sub: user.id, password_fgpt: await fingerprintOf(user.hashedPassword) }));
    expect(res.body).toEqual(BAD);
  });

  it('checks the token before the password, then the policy against the user\'s e-mail', async () => {
    expect((await reset('foo', 'short')).body).toEqual(BAD);
    const user = await seedUser();
    await api('POST', '/auth/forgot-password', { json: { email: user.email } });
    const token = await tokenFromEmail(user.email, 'reset_password');
    const short = await reset(token, 'short');
    expect(short.status).toBe(400);
    expect(short.body).toEqual(invalidPassword('RESET_PASSWORD_INVALID_PASSWORD', 'Password should be at least 8 characters'));
    const withEmail = await reset(token, `${user.email.toUpperCase()}!`);
    expect(withEmail.body).toEqual(invalidPassword('RESET_PASSWORD_INVALID_PASSWORD', 'Password should not contain e-mail'));
    // A refused password does not use the token up.
    expect((await reset(token)).status).toBe(200);
  });

  it('makes a token single-use', async () => {
    const user = await seedUser();
    await api('POST', '/auth/forgot-password', { json: { email: user.email } });
    const token = await tokenFromEmail(user.email, 'reset_password');
    expect((await reset(token)).status).toBe(200);
    expect((await reset(token, 'yet another password')).body).toEqual(BAD);
    expect(await emailsTo(user.email, 'password_changed')).toHaveLength(1);
  });

  it('lets only one of two racing uses of a token win', async () => {
    const user = await seedUser();
    await api('POST', '/auth/forgot-password', { json: { email: user.email } });
    const token = await tokenFromEmail(user.email, 'reset_password');
    const passwords = ['first racing password', 'second racing password'];
    const results = await Promise.all(passwords.map((password) => reset(token, password)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(results.find((r) => r.status === 400)!.body).toEqual(BAD);
    expect(await emailsTo(user.email, 'password_changed')).toHaveLength(1);
    expect((await storedUser(user.id))!.authVersion).toBe(1);
    // The winner's password is the one stored; the loser's does not log in.
    const winner = results.findIndex((r) => r.status === 200);
    expect(await loginStatus(user.email, passwords[winner]!)).toBe(200);
    expect(await loginStatus(user.email, passwords[1 - winner]!)).toBe(400);
  });

  it('kills outstanding reset tokens when the password changes through PATCH /users/me', async () => {
    const user = await seedUser();
    await api('POST', '/auth/forgot-password', { json: { email: user.email } });
    const token = await tokenFromEmail(user.email, 'reset_password');
    expect((await api('PATCH', '/users/me', { token: user.token, json: { password: 'changed by patch' } })).status).toBe(200);
    expect((await reset(token)).body).toEqual(BAD);
  });

  it('kills outstanding reset tokens when a login upgrades the stored hash', async () => {
    const { hashPassword } = await import('../../src/lib/password');
    const user = await seedUser({ hashedPassword: await hashPassword(PASSWORD, 1000) });
    await api('POST', '/auth/forgot-password', { json: { email: user.email } });
    const token = await tokenFromEmail(user.email, 'reset_password');
    await login(user.email);
    expect((await reset(token)).body).toEqual(BAD);
  });
});

describe('POST /auth/verify errors', () => {
  const verify = (token: unknown) => api('POST', '/auth/verify', { json: { token } });
  const BAD = { detail: 'VERIFY_USER_BAD_TOKEN' };
  const forged = (claims: Record<string, unknown>) => signJwt({ aud: 'fastapi-users:verify', exp: nowSeconds() + 3600, ...claims });

  it('reports a missing token', async () => {
    const res = await api('POST', '/auth/verify', { json: {} });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ detail: [missing('token')] });
  });

  it('refuses bad, expired, wrong-audience and inconsistent tokens', async () => {
    const user = await seedUser();
    const other = await seedUser();
    const tokens = [
      'foo',
      await forged({ sub: user.id, email: user.email, exp: nowSeconds() - 10 }),
      await signJwt({ sub: user.id, email: user.email, aud: 'fastapi-users:reset', exp: nowSeconds() + 3600 }),
      await signJwt({ sub: user.id, email: user.email, aud: 'fastapi-users:verify' }),
      await forged({ sub: user.id }),
      await forged({ email: user.email }),
      await forged({ sub: 'nope', email: user.email }),
      await forged({ sub: other.id, email: user.email }),
      await forged({ sub: user.id, email: uniqueEmail() }),
    ];
    for (const token of tokens) {
      const res = await verify(token);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(BAD);
    }
    expect((await storedUser(user.id))!.isVerified).toBe(false);
  });

  it('answers VERIFY_USER_ALREADY_VERIFIED when the token is used again', async () => {
    const user = await seedUser();
    await api('POST', '/auth/request-verify-token', { json: { email: user.email } });
    const token = await tokenFromEmail(user.email, 'verify');
    expect((await verify(token)).status).toBe(200);
    const again = await verify(token);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ detail: 'VERIFY_USER_ALREADY_VERIFIED' });
  });

  it('refuses a token issued before an e-mail change', async () => {
    const user = await seedUser();
    await api('POST', '/auth/request-verify-token', { json: { email: user.email } });
    const oldToken = await tokenFromEmail(user.email, 'verify');
    const newEmail = uniqueEmail();
    expect((await api('PATCH', '/users/me', { token: user.token, json: { email: newEmail } })).status).toBe(200);
    expect((await verify(oldToken)).body).toEqual(BAD);
    expect((await verify(await tokenFromEmail(newEmail, 'verify'))).body).toMatchObject({ email: newEmail, is_verified: true });
  });
});
