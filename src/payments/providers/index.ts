import { getConfig } from '../../config';
import type { OnlinePaymentProvider } from '../../db/schema';
import type { Bindings } from '../../env';
import { paymentsDisabled } from './manual';
import { razorpayProvider } from './razorpay';
import { stripeProvider } from './stripe';
import type { PaymentProvider } from './types';

export { isCheckoutSignatureValid } from './razorpay';
export type { PayableOrder, PaymentEvent, PaymentProvider, ProviderPayment, ProviderRefund, SignedDelivery } from './types';

/** One online provider by name, whatever PAYMENT_PROVIDER says (its webhooks keep working after a switch). */
export function paymentProvider(env: Bindings, name: OnlinePaymentProvider): PaymentProvider {
  const config = getConfig(env);
  return name === 'stripe' ? stripeProvider(config) : razorpayProvider(config);
}

/** The provider new payments go to (PAYMENT_PROVIDER); `manual` is a 409 PAYMENTS_DISABLED. */
export function configuredPaymentProvider(env: Bindings): PaymentProvider {
  const name = getConfig(env).paymentProvider;
  if (name === 'manual') throw paymentsDisabled();
  return paymentProvider(env, name);
}
