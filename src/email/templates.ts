import type { Config } from '../config';
import type { EmailKind, FrozenLine } from '../db/schema';

/** What each kind of e-mail needs to be rendered. */
export interface EmailData {
  verify: { name: string | null; token: string };
  reset_password: { name: string | null; token: string };
  password_changed: { name: string | null };
  order_confirmation: { name: string | null; order: OrderSummary };
  payment_received: { name: string | null; order: OrderSummary };
  order_shipped: { name: string | null; order: OrderSummary };
  order_cancelled: { name: string | null; order: OrderSummary };
}

export interface OrderSummary {
  id: number;
  items: FrozenLine[];
  amount: number;
  currency: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Renders one e-mail: pure, so it is unit-tested without the runtime. */
export function renderEmail<K extends EmailKind>(kind: K, data: EmailData[K], config: Config): RenderedEmail {
  const greeting = `Hello${data.name ? ` ${data.name}` : ''},`;
  const link = (path: string, token: string) => `${config.appUrl}${path}?token=${encodeURIComponent(token)}`;
  let subject: string;
  let body: string;
  switch (kind) {
    case 'verify': {
      const d = data as EmailData['verify'];
      subject = `Verify your e-mail for ${config.shopName}`;
      body = `Confirm your e-mail address: ${link('/verify', d.token)}`;
      break;
    }
    case 'reset_password': {
      const d = data as EmailData['reset_password'];
      subject = `Reset your ${config.shopName} password`;
      body = `Choose a new password: ${link('/reset-password', d.token)}`;
      break;
    }
    case 'password_changed':
      subject = `Your ${config.shopName} password was changed`;
      body = 'Your password was changed. If this was not you, reset it now.';
      break;
    default: {
      const { order } = data as EmailData['order_confirmation'];
      subject = `${config.shopName} order #${order.id}: ${kind.replaceAll('_', ' ')}`;
      body = `Order #${order.id}, total ${order.amount} ${order.currency}.`;
    }
  }
  const text = `${greeting}\n\n${body}\n\n${config.shopName}`;
  return { subject, text, html: `<p>${escapeHtml(text).replaceAll('\n', '<br>')}</p>` };
}
