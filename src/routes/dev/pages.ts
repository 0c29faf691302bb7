/**
 * The development-only HTML pages: the mailbox for people, and stand-ins at `APP_URL` for the
 * shop front end's `/verify` and `/reset-password`, so the links in e-mails work under
 * `npm start`. Self-contained (no external assets); their scripts carry a per-response nonce
 * and only call this API.
 */
import { escapeHtml } from '../../email/templates';

export interface MailboxEntry {
  to: string;
  subject: string;
  status: string;
  created_at: string;
  links: string[];
  html: string;
  text: string;
}

/** The page's Content-Security-Policy: nothing from elsewhere, scripts only with the nonce. */
export const pageSecurityPolicy = (nonce: string) =>
  `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; ` +
  "form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #111827; }
  h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin: 0; }
  .meta, .note { color: #4b5563; font-size: 0.9rem; }
  article { border: 1px solid #d1d5db; border-radius: 8px; padding: 1rem; margin: 1rem 0; }
  ul a { word-break: break-all; }
  iframe { width: 100%; height: 24rem; border: 1px solid #e5e7eb; background: #fff; }
  pre { white-space: pre-wrap; background: #f3f4f6; padding: 0.75rem; }
  label { display: block; margin: 0.75rem 0; } input { font: inherit; padding: 0.4rem; width: 20rem; max-width: 100%; }
  button { font: inherit; padding: 0.5rem 1rem; }
  #result[data-outcome="ok"] { color: #047857; } #result[data-outcome="error"] { color: #b91c1c; }
`;

function page(title: string, body: string, nonce: string, script = ''): string {
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}` +
    (script ? `<script nonce="${nonce}">${script}</script>` : '') +
    '</body></html>'
  );
}

const NOT_THE_SHOP =
  '<p class="note">Development only: in production this link leads to the shop&#39;s front end at <code>APP_URL</code>, ' +
  'which calls the same API route.</p>';

/** The e-mails, newest first; each one's HTML rendered in a sandboxed frame (no scripts, no navigation). */
export function mailboxPage(emails: MailboxEntry[], to: string | undefined, nonce: string): string {
  const heading = to ? `E-mails to ${escapeHtml(to)}` : 'E-mails';
  const items = emails.map((email) => {
    const links = email.links.length
      ? `<ul>${email.links.map((link) => `<li><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></li>`).join('')}</ul>`
      : '<p class="meta">No links.</p>';
    return (
      `<article><h2>${escapeHtml(email.subject)}</h2>` +
      `<p class="meta">To ${escapeHtml(email.to)} · ${escapeHtml(email.status)} · ${escapeHtml(email.created_at)}</p>` +
      links +
      `<iframe sandbox="" title="${escapeHtml(email.subject)}" srcdoc="${escapeHtml(email.html)}"></iframe>` +
      `<details><summary>Plain text</summary><pre>${escapeHtml(email.text)}</pre></details></article>`
    );
  });
  return page(
    'Dev mailbox',
    `<h1>${heading}</h1><p class="meta">${emails.length} e-mail${emails.length === 1 ? '' : 's'} the app would have sent, newest first. ` +
      'Scripts get the same list as JSON (any <code>Accept</code> that does not prefer <code>text/html</code>).</p>' +
      (items.join('') || '<p>No e-mails yet.</p>'),
    nonce,
  );
}

/** Shows the API's answer: ok, or the error's code and reason. Shared by both action pages. */
const SHOW_ANSWER = `
  const result = document.getElementById('result');
  const token = new URLSearchParams(location.search).get('token') ?? '';
  function show(outcome, message) { result.dataset.outcome = outcome; result.textContent = message; }
  async function post(path, body) {
    const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = await res.json().catch(() => null);
    if (res.ok) return { ok: true, answer };
    const detail = answer?.detail;
    const why = typeof detail === 'string' ? detail
      : Array.isArray(detail) ? detail.map((d) => d.msg).join('; ')
      : detail ? detail.code + ': ' + detail.reason : 'HTTP ' + res.status;
    return { ok: false, why };
  }
`;

/** `/verify?token=…`: posts the token to `POST /auth/verify` as soon as the page opens. */
export function verifyPage(nonce: string): string {
  const script = `${SHOW_ANSWER}
  (async () => {
    if (!token) return show('error', 'This link has no token.');
    const { ok, answer, why } = await post('/auth/verify', { token });
    show(ok ? 'ok' : 'error', ok ? 'Verified: ' + answer.email + ' can now use the shop.' : 'Not verified: ' + why);
  })();
`;
  return page('Verify your e-mail', `<h1>Verify your e-mail</h1><p id="result" role="status">Verifying…</p>${NOT_THE_SHOP}`, nonce, script);
}

/** `/reset-password?token=…`: a new password, posted with the token to `POST /auth/reset-password`. */
export function resetPasswordPage(nonce: string): string {
  const script = `${SHOW_ANSWER}
  const form = document.getElementById('reset');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const password = form.elements.password.value;
    if (password !== form.elements.repeat.value) return show('error', 'The two passwords differ.');
    const { ok, why } = await post('/auth/reset-password', { token, password });
    show(ok ? 'ok' : 'error', ok ? 'Password changed: log in with the new one.' : 'Not changed: ' + why);
    if (ok) form.hidden = true;
  });
`;
  const body =
    '<h1>Choose a new password</h1>' +
    '<form id="reset"><label>New password <input name="password" type="password" autocomplete="new-password" required></label>' +
    '<label>Again <input name="repeat" type="password" autocomplete="new-password" required></label>' +
    '<button type="submit">Set the password</button></form>' +
    `<p id="result" role="status"></p>${NOT_THE_SHOP}`;
  return page('Reset your password', body, nonce, script);
}
