// `npm run deploy`: apply the D1 migrations to the deployed database, then deploy the Worker.
import { wrangler } from './wrangler.mjs';

wrangler(['d1', 'migrations', 'apply', 'DB', '--remote']);
wrangler(['deploy']);
