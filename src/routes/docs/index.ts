import { Hono } from 'hono';
import type { AppEnv } from '../../app-env';
import { notFound } from '../../lib/errors';

/**
 * The files of swagger-ui-dist (pinned in package.json) that the page loads. wrangler.toml makes
 * the package's folder this Worker's static assets; every request reaches the Worker first, and
 * only these names are handed on, so nothing else in the folder is reachable.
 */
const SWAGGER_UI_FILES = new Set([
  'swagger-ui.css',
  'swagger-ui.css.map',
  'swagger-ui-bundle.js',
  'swagger-ui-bundle.js.map',
  'favicon-16x16.png',
  'favicon-32x32.png',
]);

/**
 * The page may load only what this Worker serves: no CDN, no online validator (Swagger UI asks
 * validator.swagger.io for a badge unless `validatorUrl` is null, which the initializer sets).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI sets style attributes on its elements.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Ashte API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
  <link rel="icon" type="image/png" href="/docs/favicon-16x16.png" sizes="16x16">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-initializer.js"></script>
</body>
</html>
`;

// A file rather than an inline script, so the policy can refuse every inline script.
const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  validatorUrl: null,
});
`;

/** GET /docs: Swagger UI for /openapi.json, every file of it served by this Worker. */
export const docsRoutes = new Hono<AppEnv>()
  .get('/docs', (c) => c.html(PAGE, 200, { 'Content-Security-Policy': CONTENT_SECURITY_POLICY }))
  .get('/docs/swagger-initializer.js', (c) => c.body(INITIALIZER, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }))
  .get('/docs/:file', async (c) => {
    const file = c.req.param('file');
    if (!SWAGGER_UI_FILES.has(file)) throw notFound();
    const asset = await c.env.ASSETS.fetch(new URL(`/${file}`, c.req.url));
    if (!asset.ok) throw notFound();
    // A copy: a fetched response's headers are immutable, and the middleware adds X-Request-Id.
    return new Response(asset.body, asset);
  });
