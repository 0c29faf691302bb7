import { notFound, unauthorized } from '../../lib/errors';
import { createRouter } from '../../lib/openapi';
import { deleteAccount, updateUser } from '../../services/users';
import { deleteUserRoute, getMeRoute, getUserRoute, patchMeRoute, patchUserRoute } from './routes';
import { toUserOut } from './schemas';

// The /users/me routes come first: `/users/{id}` would match "me" too.
export const userRoutes = createRouter()
  .openapi(getMeRoute, (c) => c.json(toUserOut(c.get('user')), 200))
  .openapi(patchMeRoute, async (c) => {
    // fastapi-users' safe update: the flags were type-checked and are dropped here.
    const { is_active: _active, is_superuser: _superuser, is_verified: _verified, ...safe } = c.req.valid('json');
    const updated = await updateUser(c.env, c.get('user'), safe, { invalidPasswordCode: 'UPDATE_USER_INVALID_PASSWORD' });
    if (!updated) throw unauthorized();
    return c.json(toUserOut(updated), 200);
  })
  .openapi(getUserRoute, (c) => c.json(toUserOut(c.get('targetUser')), 200))
  .openapi(patchUserRoute, async (c) => {
    // A deactivation or a new password ends the user's tokens: at once where it was made.
    c.get('d1').changesAccountOf(c.get('targetUser').id);
    const updated = await updateUser(c.env, c.get('targetUser'), c.req.valid('json'), {
      invalidPasswordCode: 'UPDATE_USER_INVALID_PASSWORD',
    });
    if (!updated) throw notFound();
    return c.json(toUserOut(updated), 200);
  })
  .openapi(deleteUserRoute, async (c) => {
    c.get('d1').changesAccountOf(c.get('targetUser').id);
    await deleteAccount(c.env, c.get('targetUser'));
    return c.body(null, 204);
  });
