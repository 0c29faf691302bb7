import type { Config } from '../config';
import type { CancellationReason, EmailKind, FrozenLine, Order } from '../db/schema';

/** What each kind of e-mail needs to be rendered. */
export interface EmailData {
  verify: { name: string | null; token: string };
  reset_password: { name: string | null; token: string };
  password_changed: { name: string | null };
  order_confirmation: { name: string | null; order: OrderSummary };
  payment_received: { name: string | null; order: OrderSummary };
  order_shipped: { name: string | null; order: OrderSummary };
  order_cancelled: { name: string | null; order: OrderSummary; reason?: CancellationReason | null };
  payment_refunded: { name: string | null; order: OrderSummary; refund: { amount: number; currency: string; why: RefundCause } };
}

/**
 * Why money goes back: the shop cancelled a paid order, or a payment arrived for an order that
 * was already cancelled (its time ran out and the stock is gone, or the shop had cancelled it).
 */
export type RefundCause = 'cancelled_by_shop' | 'arrived_after_cancellation' | 'refunded_by_shop';

export interface OrderSummary {
  id: number;
  items: FrozenLine[];
  amount: number;
  currency: string;
}

/** What the order e-mails show of an order. */
export const orderSummary = (order: Pick<Order, 'id' | 'amount' | 'currency'>, items: FrozenLine[]): OrderSummary => ({
  id: order.id,
  items,
  amount: order.amount,
  currency: order.currency,
});

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

/**
 * An amount in minor units as people read it in that currency (`₹1,234.50`, `¥1,235`).
 * The number of minor digits comes from the currency itself; a code Intl does not know
 * still renders, as `XYZ 1,234.50`.
 */
export function formatMoney(minorUnits: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minorUnits / 10 ** digits);
  } catch {
    const digits = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return `${currency} ${digits.format(minorUnits / 100)}`;
  }
}

/** What an e-mail says, independent of its HTML and text renderings. */
interface Message {
  subject: string;
  /** Paragraphs of plain text; escaped when rendered as HTML. */
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Said after the button, e.g. when the link expires. */
  notes?: string[];
  order?: OrderSummary;
}

const minutes = (seconds: number) => {
  const n = Math.max(1, Math.round(seconds / 60));
  return `${n} minute${n === 1 ? '' : 's'}`;
};

/** A header value must stay on one line, whatever a name or title contains. */
const oneLine = (value: string) => value.replace(/[\r\n\t\u2028\u2029]+/g, ' ').trim();

function compose<K extends EmailKind>(kind: K, data: EmailData[K], config: Config): Message {
  const shop = config.shopName;
  const link = (path: string, token: string) => `${config.appUrl}${path}?token=${encodeURIComponent(token)}`;
  switch (kind) {
    case 'verify': {
      const { token } = data as EmailData['verify'];
      return {
        subject: `Verify your e-mail address for ${shop}`,
        paragraphs: [`Please confirm that this is your e-mail address by opening the link below.`],
        action: { label: 'Verify my e-mail address', url: link('/verify', token) },
        notes: [
          `The link expires in ${minutes(config.verifyTokenLifetime)}.`,
          `If you did not create an account at ${shop}, you can ignore this e-mail.`,
        ],
      };
    }
    case 'reset_password': {
      const { token } = data as EmailData['reset_password'];
      return {
        subject: `Reset your ${shop} password`,
        paragraphs: [`Someone asked to reset the password of your ${shop} account. Choose a new one with the link below.`],
        action: { label: 'Choose a new password', url: link('/reset-password', token) },
        notes: [
          `The link expires in ${minutes(config.resetTokenLifetime)} and works once.`,
          'If you did not ask for this, ignore this e-mail: your password stays as it is.',
        ],
      };
    }
    case 'password_changed':
      return {
        subject: `Your ${shop} password was changed`,
        paragraphs: [
          `The password of your ${shop} account was just changed, and every device that was signed in has been signed out.`,
          'If this was you, there is nothing more to do. If it was not, reset your password right away and contact us by replying to this e-mail.',
        ],
      };
    case 'order_confirmation': {
      const { order } = data as EmailData['order_confirmation'];
      return {
        subject: `${shop} order #${order.id} confirmed`,
        paragraphs: [`Thank you for your order #${order.id}. Here is what you ordered; we will write again when your payment is received and when the order ships.`],
        order,
      };
    }
    case 'payment_received': {
      const { order } = data as EmailData['payment_received'];
      return {
        subject: `Payment received for ${shop} order #${order.id}`,
        paragraphs: [`We have received your payment of ${formatMoney(order.amount, order.currency)} for order #${order.id}. We will let you know when it ships.`],
        order,
      };
    }
    case 'order_shipped': {
      const { order } = data as EmailData['order_shipped'];
      return {
        subject: `Your ${shop} order #${order.id} has shipped`,
        paragraphs: [`Good news: your order #${order.id} is on its way.`],
        order,
      };
    }
    case 'order_cancelled': {
      const { order, reason } = data as EmailData['order_cancelled'];
      const why =
        reason === 'unpaid'
          ? `Your order #${order.id} has been cancelled because we did not receive its payment in time, and its items went back on sale. If you still want them, please order again.`
          : `Your order #${order.id} has been cancelled.`;
      return {
        subject: `Your ${shop} order #${order.id} was cancelled`,
        paragraphs: [why, 'If you have a question about it, reply to this e-mail.'],
        order,
      };
    }
    case 'payment_refunded': {
      const { order, refund } = data as EmailData['payment_refunded'];
      const money = formatMoney(refund.amount, refund.currency);
      const why =
        refund.why === 'arrived_after_cancellation'
          ? `Your payment for order #${order.id} reached us after the order had been cancelled, and we could not fulfil it any more, so we have refunded it: ${money}.`
          : refund.why === 'refunded_by_shop'
            ? `We have refunded ${money} of your payment for order #${order.id}.`
            : `Order #${order.id} has been cancelled and we have refunded your payment of ${money}.`;
      return {
        subject: `Refund of ${money} for ${shop} order #${order.id}`,
        paragraphs: [why, 'Depending on your bank, the money can take a few working days to show on your statement.'],
        order,
      };
    }
    default:
      throw new Error(`No template for e-mail kind ${String(kind)}`);
  }
}

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const CELL = 'padding:8px;border-bottom:1px solid #e5e7eb';

function orderHtml(order: OrderSummary): string {
  const money = (amount: number) => escapeHtml(formatMoney(amount, order.currency));
  const head = ['Item', 'Qty', 'Unit price', 'Total']
    .map((label, i) => `<th align="${i === 0 ? 'left' : 'right'}" style="${CELL};font-weight:600">${label}</th>`)
    .join('');
  const rows = order.items
    .map(
      (line) =>
        `<tr><td style="${CELL}">${escapeHtml(line.title)}</td>` +
        `<td align="right" style="${CELL}">${line.quantity}</td>` +
        `<td align="right" style="${CELL}">${money(line.unit_price)}</td>` +
        `<td align="right" style="${CELL}">${money(line.line_total)}</td></tr>`,
    )
    .join('');
  const total = `<tr><td colspan="3" align="right" style="padding:8px;font-weight:600">Order total</td><td align="right" style="padding:8px;font-weight:600">${money(order.amount)}</td></tr>`;
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;margin:16px 0;font-size:14px"><thead><tr>${head}</tr></thead><tbody>${rows}${total}</tbody></table>`;
}

function orderText(order: OrderSummary): string {
  const money = (amount: number) => formatMoney(amount, order.currency);
  const lines = order.items.map(
    (line) => `- ${oneLine(line.title)}: ${line.quantity} × ${money(line.unit_price)} = ${money(line.line_total)}`,
  );
  return [`Order #${order.id}`, ...lines, `Order total: ${money(order.amount)}`].join('\n');
}

function renderHtml(message: Message, greeting: string, config: Config): string {
  const paragraph = (text: string) => `<p style="margin:0 0 16px">${escapeHtml(text)}</p>`;
  const parts = [paragraph(greeting), ...message.paragraphs.map(paragraph)];
  if (message.action) {
    const href = escapeHtml(message.action.url);
    parts.push(
      `<p style="margin:24px 0"><a href="${href}" style="display:inline-block;padding:12px 20px;background:#111827;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:600">${escapeHtml(message.action.label)}</a></p>`,
      `<p style="margin:0 0 16px;font-size:13px;color:#4b5563">If the button does not work, copy this link into your browser:<br><a href="${href}" style="color:#1d4ed8;word-break:break-all">${href}</a></p>`,
    );
  }
  if (message.order) parts.push(orderHtml(message.order));
  for (const note of message.notes ?? []) parts.push(`<p style="margin:0 0 16px;font-size:13px;color:#4b5563">${escapeHtml(note)}</p>`);
  const shop = escapeHtml(config.shopName);
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(message.subject)}</title></head>` +
    `<body style="margin:0;padding:0;background:#f3f4f6">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f4f6;padding:24px 0"><tr><td align="center">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:8px;${FONT};color:#111827;font-size:15px;line-height:1.5">` +
    `<tr><td style="padding:24px 32px;border-bottom:1px solid #e5e7eb;font-size:20px;font-weight:700">${shop}</td></tr>` +
    `<tr><td style="padding:24px 32px">${parts.join('')}</td></tr>` +
    `<tr><td style="padding:16px 32px;border-top:1px solid #e5e7eb;font-size:12px;color:#6b7280">${shop}</td></tr>` +
    `</table></td></tr></table></body></html>`
  );
}

function renderText(message: Message, greeting: string, config: Config): string {
  const blocks = [greeting, ...message.paragraphs];
  if (message.action) blocks.push(`${message.action.label}:\n${message.action.url}`);
  if (message.order) blocks.push(orderText(message.order));
  blocks.push(...(message.notes ?? []), `— ${config.shopName}`);
  return `${blocks.join('\n\n')}\n`;
}

/** Renders one e-mail: pure, so it is unit-tested without the runtime. */
export function renderEmail<K extends EmailKind>(kind: K, data: EmailData[K], config: Config): RenderedEmail {
  const message = compose(kind, data, config);
  const name = data.name ? oneLine(data.name) : '';
  const greeting = name ? `Hello ${name},` : 'Hello,';
  return {
    subject: oneLine(message.subject),
    html: renderHtml(message, greeting, config),
    text: renderText(message, greeting, config),
  };
}
