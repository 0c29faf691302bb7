import { getDb } from '../../db/client';
import { findOrder, listOrders as listOrderPage, toOrderOut, type OrderWithItems } from '../../db/orders';
import type { User } from '../../db/schema';
import { coded, notFound } from '../../lib/errors';
import { createRouter } from '../../lib/openapi';
import { editOrder as applyOrderEdit, placeOrder } from '../../services/orders';
import { PAGE_DEFAULTS, createOrder, editOrder, getOrder, listOrders, viewOrders } from './routes';
import type { Bindings } from '../../env';

/** The order if the caller may see it: a superuser sees every order, a customer only their own. */
async function visibleOrder(env: Bindings, user: User, orderId: number): Promise<OrderWithItems | undefined> {
  const found = await findOrder(getDb(env), orderId);
  return found && (user.isSuperuser || found.order.userId === user.id) ? found : undefined;
}

interface PageRequest {
  limit?: number | null;
  offset?: number | null;
  user_id?: string | null;
}

interface ViewRequest extends PageRequest {
  order_id?: number | null;
}

/** A page of the orders the caller may see; `user_id` narrows it (for a customer, only to themselves). */
async function visibleOrders(env: Bindings, user: User, request: PageRequest) {
  const page = { limit: request.limit ?? PAGE_DEFAULTS.limit, offset: request.offset ?? PAGE_DEFAULTS.offset };
  const wanted = request.user_id ?? undefined;
  if (!user.isSuperuser && wanted !== undefined && wanted !== user.id) return { orders: [], total: 0 };
  const userId = user.isSuperuser ? wanted : user.id;
  const { orders, total } = await listOrderPage(getDb(env), { userId, ...page });
  return { orders: orders.map(toOrderOut), total };
}

export const orderRoutes = createRouter()
  .openapi(createOrder, async (c) => {
    const { checkout_id } = c.req.valid('json');
    const { order, created } = await placeOrder(c.env, c.get('user').id, checkout_id);
    return created ? c.json(toOrderOut(order), 201) : c.json(toOrderOut(order), 200);
  })
  .openapi(viewOrders, async (c) => {
    const request: ViewRequest = c.req.valid('json') ?? {};
    const user = c.get('user');
    if (request.order_id != null) {
      const found = await visibleOrder(c.env, user, request.order_id);
      if (!found) throw coded(404, 'ORDER_NOT_FOUND', 'Order not found', { order_id: request.order_id });
      return c.json(toOrderOut(found), 200);
    }
    const { orders, total } = await visibleOrders(c.env, user, request);
    return c.json(orders, 200, { 'X-Total-Count': String(total) });
  })
  .openapi(listOrders, async (c) => {
    const { orders, total } = await visibleOrders(c.env, c.get('user'), c.req.valid('query'));
    return c.json(orders, 200, { 'X-Total-Count': String(total) });
  })
  .openapi(getOrder, async (c) => {
    const found = await visibleOrder(c.env, c.get('user'), c.req.valid('param').order_id);
    if (!found) throw notFound();
    return c.json(toOrderOut(found), 200);
  })
  .openapi(editOrder, async (c) => {
    const changes = c.req.valid('json');
    const updated = await applyOrderEdit(c.env, c.req.valid('param').order_id, {
      paid: changes.paid ?? undefined,
      shipped: changes.shipped ?? undefined,
      cancelled: changes.cancelled ?? undefined,
    });
    return c.json(toOrderOut(updated), 200);
  });
