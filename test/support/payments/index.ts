export { PaymentStandIn } from "./PaymentStandIn.ts";
