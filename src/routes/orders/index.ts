import type { OrderWithItems } from '../../db/orders';
import type { Order, Payment } from '../../db/schema';
import { coded, notFound } from '../../lib/errors';
import { createRouter } from '../../lib/openapi';
import { editOrder, findVisibleOrder, listVisibleOrders, placeOrder } from '../../services/orders';
import { createOrderRoute, editOrderRoute, getOrderRoute, listOrdersRoute, viewOrdersRoute } from './routes';

/** `status` is derived: cancelled > shipped > paid > pending. */
function orderStatus(order: Order): 'cancelled' | 'shipped' | 'paid' | 'pending' {
  if (order.cancelled) return 'cancelled';
  if (order.shipped) return 'shipped';
  if (order.paid) return 'paid';
  return 'pending';
}

/** An order's online payment, as the order object shows it. */
function toPaymentOut(payment: Payment) {
  return {
    provider: payment.provider === 'razorpay' ? ('razorpay' as const) : ('stripe' as const),
    status: payment.status,
    provider_payment_id: payment.providerPaymentId,
    amount: payment.amount,
    currency: payment.currency,
    refunded_amount: payment.refundedAmount,
    updated_at: payment.updatedAt,
  };
}

/** The order object of the API, in the contract's field order. */
export function toOrderOut({ order, items, payment }: OrderWithItems) {
  return {
    id: order.id,
    user_id: order.userId,
    checkout_id: order.checkoutId,
    status: orderStatus(order),
    paid: order.paid,
    shipped: order.shipped,
    cancelled: order.cancelled,
    amount: order.amount,
    currency: order.currency,
    items,
    email: order.email,
    name: order.name,
    phone_no: order.phoneNo,
    address: order.address,
    postal_code: order.postalCode,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    paid_at: order.paidAt,
    shipped_at: order.shippedAt,
    cancelled_at: order.cancelledAt,
    payment_due_at: order.paymentDueAt,
    payment: payment && toPaymentOut(payment),
    cancellation_reason: order.cancellationReason,
  };
}

export const orderRoutes = createRouter()
  .openapi(createOrderRoute, async (c) => {
    const { checkout_id } = c.req.valid('json');
    const { order, created } = await placeOrder(c.env, c.get('user').id, checkout_id);
    return created ? c.json(toOrderOut(order), 201) : c.json(toOrderOut(order), 200);
  })
  .openapi(viewOrdersRoute, async (c) => {
    const { order_id, user_id, payment_status, ...page } = c.req.valid('json') ?? {};
    const user = c.get('user');
    if (order_id != null) {
      const found = await findVisibleOrder(c.env, user, order_id);
      if (!found) throw coded(404, 'ORDER_NOT_FOUND', 'Order not found', { order_id });
      return c.json(toOrderOut(found), 200);
    }
    const { orders, total } = await listVisibleOrders(c.env, user, { ...page, userId: user_id, paymentStatus: payment_status });
    return c.json(orders.map(toOrderOut), 200, { 'X-Total-Count': String(total) });
  })
  .openapi(listOrdersRoute, async (c) => {
    const { user_id, payment_status, ...page } = c.req.valid('query');
    const { orders, total } = await listVisibleOrders(c.env, c.get('user'), { ...page, userId: user_id, paymentStatus: payment_status });
    return c.json(orders.map(toOrderOut), 200, { 'X-Total-Count': String(total) });
  })
  .openapi(getOrderRoute, async (c) => {
    const found = await findVisibleOrder(c.env, c.get('user'), c.req.valid('param').order_id);
    if (!found) throw notFound();
    return c.json(toOrderOut(found), 200);
  })
  .openapi(editOrderRoute, async (c) => {
    const changes = c.req.valid('json');
    const updated = await editOrder(c.env, c.req.valid('param').order_id, {
      paid: changes.paid ?? undefined,
      shipped: changes.shipped ?? undefined,
      cancelled: changes.cancelled ?? undefined,
    });
    return c.json(toOrderOut(updated), 200);
  });
