export { HttpPaymentProvider, type HttpPaymentOptions } from "./HttpPaymentProvider.ts";
export { TestPaymentProvider } from "./TestPaymentProvider.ts";
export { paymentProviderFromEnv } from "./fromEnv.ts";
