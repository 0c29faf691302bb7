import { type AshteClient, createAshteClient } from '@ashte/client';
import { describe, expect, it } from 'vitest';
import { fetchWorker, freshIp, PASSWORD, seedSuperuser, uniqueEmail } from '../support';

const baseUrl = 'http://localhost';

/** The typed client over the Worker's own fetch handler, from one client address (as a browser would be). */
function client(token?: string): AshteClient {
  const ip = freshIp();
  return createAshteClient({
    baseUrl,
    token,
    fetch: (request) => {
      const withAddress = new Request(request);
      withAddress.headers.set('cf-connecting-ip', ip);
      return fetchWorker(withAddress);
    },
  });
}

describe('the typed client (@ashte/client)', () => {
  it("runs the README's shopper journey: register, verify, log in, fill the cart, check out, order, read the order", async () => {
    const admin = await seedSuperuser();
    const { data: product } = await client(admin.token).POST('/products/add', {
      body: { title: 'Blue Mug', price: 49900, quantity: 5, is_visible: true, release_date: '2026-01-01' },
    });
    expect(product).toMatchObject({ title: 'Blue Mug', price: 49900, quantity: 5 });

    const anonymous = client();
    const email = uniqueEmail('asha');

    // 1. Register, read the verification link from the dev mailbox, verify.
    const registered = await anonymous.POST('/auth/register', { body: { email, password: PASSWORD, first_name: 'Asha' } });
    expect(registered.response.status).toBe(201);
    expect(registered.data).toMatchObject({ email, first_name: 'Asha', is_verified: false });
    const { data: mailbox } = await anonymous.GET('/dev/mailbox', { params: { query: { to: email, limit: 1 } } });
    const verifyLink = mailbox?.[0]?.links.find((link) => link.includes('/verify?token='));
    expect(verifyLink).toBeDefined();
    const token = new URL(verifyLink!).searchParams.get('token')!;
    const verified = await anonymous.POST('/auth/verify', { body: { token } });
    expect(verified.data).toMatchObject({ email, is_verified: true });

    // 2. Log in (form-encoded, the e-mail in `username`).
    const login = await anonymous.POST('/auth/jwt/login', {
      body: { username: email, password: PASSWORD },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(login.data?.token_type).toBe('bearer');
    const shopper = client(login.data!.access_token);
    const { data: me } = await shopper.GET('/users/me');
    expect(me).toMatchObject({ id: registered.data!.id, is_verified: true });

    // 3. Fill the cart and see that it is ready.
    const added = await shopper.POST('/cart/add', { body: [{ product_id: product!.id, quantity: 2 }] });
    expect(added.data).toMatchObject({ total_quantity: 2, subtotal: 99800, currency: 'INR' });
    const { data: summary } = await shopper.GET('/cart/summary');
    expect(summary).toMatchObject({ ready_for_checkout: true, issues: [] });

    // 4. Check out for the amount shown.
    const checkout = await shopper.POST('/checkout', {
      body: {
        cart_id: added.data!.cart_id!,
        amount: added.data!.subtotal,
        email,
        name: 'Asha Rao',
        phone_no: '+919876543210',
        address: '12 MG Road, Bengaluru',
        postal_code: '560001',
      },
    });
    expect(checkout.response.status).toBe(201);
    expect(checkout.data).toMatchObject({ status: 'open', amount: 99800 });

    // 5. Place the order, then read it back by id and in the order list.
    const created = await shopper.POST('/orders/create', { body: { checkout_id: checkout.data!.checkout_id } });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ status: 'pending', amount: 99800, items: [{ product_id: product!.id, quantity: 2 }] });
    const orderId = created.data!.id;
    const { data: order } = await shopper.GET('/orders/{order_id}', { params: { path: { order_id: orderId } } });
    expect(order).toEqual(created.data);
    const { data: orders } = await shopper.GET('/orders');
    expect(orders?.map((listed) => listed.id)).toEqual([orderId]);

    // The stock went down and the cart is empty again: the client saw the real worker.
    const { data: stocked } = await client(admin.token).GET('/products/{product_id}', { params: { path: { product_id: product!.id } } });
    expect(stocked?.quantity).toBe(3);
    const { data: cart } = await shopper.GET('/cart/show');
    expect(cart?.items).toEqual([]);
  });

  it('hands back an error answer as `error`, typed by the document', async () => {
    const { data, error, response } = await client().GET('/users/me');
    expect(response.status).toBe(401);
    expect(data).toBeUndefined();
    expect(error).toEqual({ detail: 'Unauthorized' });
  });
});
