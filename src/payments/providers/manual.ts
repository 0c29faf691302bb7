import { conflictError } from '../../lib/domain-errors';

/** `manual`: no online payment (a superuser marks orders paid), so asking to pay online is a 409. */
export const paymentsDisabled = () =>
  conflictError('PAYMENTS_DISABLED', 'This shop takes no online payments: the order is paid as agreed with the shop (PAYMENT_PROVIDER is manual)');

