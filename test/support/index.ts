/**
 * The test fixtures, one module: requests through the Worker (`api`), users and tokens,
 * products, carts, checkouts and orders, e-mails, and the clock. Tests import from here only;
 * a second copy of a set-up is a fixture waiting to be added here.
 */
export * from './clock';
export * from './cron';
export * from './emails';
export * from './http';
export * from './orders';
export * from './products';
export * from './request-log';
export * from './users';
export * from './payments';
