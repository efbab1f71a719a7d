export { oauthSignature, rawUrlEncode, signatureBaseString, signUrl, type SignOptions } from "./oauth.ts";
export {
  startWooStandIn,
  WooStandIn,
  type CallRecord,
  type FaultScope,
  type KeyPermissions,
  type StandInOrder,
  type StandInProduct,
  type StandInVariation,
  type WooFault,
  type WooKey,
  type WooStandInOptions,
} from "./WooStandIn.ts";
export { wooFetch, type WooFetchOptions, type WooFetchResult } from "./wooFetch.ts";
