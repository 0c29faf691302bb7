import { describe, expect, it } from 'vitest';
import { getConfig } from '../../src/config';
import type { Bindings } from '../../src/env';
import { escapeHtml, formatMoney, renderEmail, type OrderSummary } from '../../src/email/templates';
import { linksIn } from '../../src/email/links';
import { EMAIL_KINDS } from '../../src/db/schema';

const config = getConfig({
  APP_URL: 'https://shop.example.com/',
  SHOP_NAME: 'Ashte',
  CURRENCY: 'INR',
  RESET_TOKEN_LIFETIME_SECONDS: '3600',
  VERIFY_TOKEN_LIFETIME_SECONDS: '1800',
} as Bindings);

const order: OrderSummary = {
  id: 42,
  currency: 'INR',
  amount: 123450 + 2500,
  items: [
    { product_id: 1, title: 'Blue Mug', unit_price: 123450, quantity: 1, line_total: 123450 },
    { product_id: 2, title: 'Tea Spoon', unit_price: 1250, quantity: 2, line_total: 2500 },
  ],
};

const sample = {
  verify: { name: 'Asha', token: 'tok.en/with+chars' },
  reset_password: { name: 'Asha', token: 'reset-token' },
  password_changed: { name: 'Asha' },
  order_confirmation: { name: 'Asha', order },
  payment_received: { name: 'Asha', order },
  order_shipped: { name: 'Asha', order },
  order_cancelled: { name: 'Asha', order },
  payment_refunded: { name: 'Asha', order, refund: { amount: 125950, currency: 'INR', why: 'cancelled_by_shop' } },
} as const;

describe('formatMoney', () => {
  it('formats minor units in the currency, with its own number of minor digits', () => {
    expect(formatMoney(123450, 'INR')).toBe('₹1,234.50');
    expect(formatMoney(5, 'USD')).toBe('$0.05');
    expect(formatMoney(1235, 'JPY')).toBe('¥1,235');
    expect(formatMoney(0, 'EUR')).toBe('€0.00');
  });

  it('still renders a currency code Intl refuses', () => {
    expect(formatMoney(123450, 'NOT-A-CODE')).toBe('NOT-A-CODE 1,234.50');
  });
});

describe('renderEmail', () => {
  it('renders every kind with a subject, an HTML and a text version', () => {
    for (const kind of EMAIL_KINDS) {
      const email = renderEmail(kind, sample[kind], config);
      expect(email.subject).toContain('Ashte');
      expect(email.html).toMatch(/^<!DOCTYPE html>/);
      expect(email.html).toContain('Hello Asha,');
      expect(email.text).toMatch(/^Hello Asha,\n/);
      expect(email.html).not.toContain('<img');
    }
  });

  it('links verification to APP_URL/verify with the token, as a button and as the raw link', () => {
    const email = renderEmail('verify', sample.verify, config);
    const url = 'https://shop.example.com/verify?token=tok.en%2Fwith%2Bchars';
    expect(email.subject).toBe('Verify your e-mail address for Ashte');
    expect(linksIn(email.text)).toEqual([url]);
    // Once on the button, once on the raw link under it.
    expect(email.html.split(`href="${url}"`)).toHaveLength(3);
    expect(email.html).toContain(`>${url}</a>`);
    expect(email.text).toContain('The link expires in 30 minutes.');
  });

  it('links password resets to APP_URL/reset-password', () => {
    const email = renderEmail('reset_password', sample.reset_password, config);
    expect(email.subject).toBe('Reset your Ashte password');
    expect(linksIn(email.text)).toEqual(['https://shop.example.com/reset-password?token=reset-token']);
    expect(email.html).toContain('href="https://shop.example.com/reset-password?token=reset-token"');
    expect(email.text).toContain('expires in 60 minutes');
  });

  it('tells of a password change without any link', () => {
    const email = renderEmail('password_changed', sample.password_changed, config);
    expect(email.subject).toBe('Your Ashte password was changed');
    expect(linksIn(email.text)).toEqual([]);
  });

  it('lists order items, quantities, unit prices, line totals and the total in the shop currency', () => {
    const email = renderEmail('order_confirmation', sample.order_confirmation, config);
    expect(email.subject).toBe('Ashte order #42 confirmed');
    expect(email.text).toContain('- Blue Mug: 1 × ₹1,234.50 = ₹1,234.50');
    expect(email.text).toContain('- Tea Spoon: 2 × ₹12.50 = ₹25.00');
    expect(email.text).toContain('Order total: ₹1,259.50');
    expect(email.html).toContain('>Tea Spoon</td>');
    expect(email.html).toContain('>₹12.50</td>');
    expect(email.html).toContain('>₹25.00</td>');
    expect(email.html).toContain('>₹1,259.50</td>');
  });

  it('names each order e-mail after what happened', () => {
    expect(renderEmail('payment_received', sample.payment_received, config).subject).toBe('Payment received for Ashte order #42');
    expect(renderEmail('payment_received', sample.payment_received, config).text).toContain('payment of ₹1,259.50');
    expect(renderEmail('order_shipped', sample.order_shipped, config).subject).toBe('Your Ashte order #42 has shipped');
    expect(renderEmail('order_cancelled', sample.order_cancelled, config).subject).toBe('Your Ashte order #42 was cancelled');
    expect(renderEmail('payment_refunded', sample.payment_refunded, config).subject).toBe('Refund of ₹1,259.50 for Ashte order #42');
  });

  it('says why an order was cancelled and why its money went back', () => {
    expect(renderEmail('order_cancelled', { ...sample.order_cancelled, reason: 'unpaid' }, config).text).toContain(
      'cancelled because we did not receive its payment in time',
    );
    expect(renderEmail('order_cancelled', sample.order_cancelled, config).text).not.toContain('payment');
    const late = { ...sample.payment_refunded, refund: { ...sample.payment_refunded.refund, why: 'arrived_after_cancellation' as const } };
    expect(renderEmail('payment_refunded', late, config).text).toContain('reached us after the order had been cancelled');
    expect(renderEmail('payment_refunded', sample.payment_refunded, config).text).toContain('we have refunded your payment of ₹1,259.50');
  });

  it('greets without a name when there is none', () => {
    const email = renderEmail('password_changed', { name: null }, config);
    expect(email.text).toMatch(/^Hello,\n/);
    expect(email.html).toContain('>Hello,</p>');
  });

  it('uses SHOP_NAME', () => {
    const email = renderEmail('verify', sample.verify, { ...config, shopName: 'Kettle & Co' });
    expect(email.subject).toBe('Verify your e-mail address for Kettle & Co');
    expect(email.html).toContain('Kettle &amp; Co');
    expect(email.html).not.toContain('Kettle & Co');
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
