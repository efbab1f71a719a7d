export {
  CustomStoreStandIn,
  startCustomStore,
  type CustomStoreStandInOptions,
  type Delivery,
  type MerchantFault,
  type MerchantOrder,
} from "./CustomStoreStandIn.ts";
