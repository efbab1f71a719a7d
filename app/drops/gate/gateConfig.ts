import type { Keyring } from "../../core/tokens/index.ts";
import type { SaleState } from "../../core/sales/index.ts";
import { MAX_GATE_CONFIG_BYTES, type GateConfig } from "../../../extensions/checkout-gate/src/config.ts";
import { failPolicyOf, RUNNING_STATES, type FailPolicy } from "./dropPolicy.ts";

/** One drop with its variants resolved: numeric ProductVariant id -> sale item id. */
export interface ResolvedDrop {
  saleId: string;
  state: SaleState;
  variants: Record<string, string>;
  failPolicy?: FailPolicy | null;
}

/**
 * The checkout gate's metafield: every key the store's hold tokens may carry (current and
 * previous, so a rotation never refuses a valid hold) and every running drop.
 */
export function gateConfig(keyring: Keyring, drops: readonly ResolvedDrop[]): GateConfig {
  const keys: Record<string, string> = {};
  for (const key of [keyring.current, ...keyring.previous]) keys[key.kid] = key.secret.toString("base64url");
  return {
    v: 1,
    k: keys,
    d: drops
      .filter((drop) => RUNNING_STATES.has(drop.state))
      .map((drop) => ({ s: drop.saleId, f: failPolicyOf(drop.state, drop.failPolicy), i: drop.variants })),
  };
}

export class GateConfigTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(
      `The checkout gate's configuration is ${bytes} bytes; Shopify hands a function at most ${MAX_GATE_CONFIG_BYTES}. End a running drop or remove items.`,
    );
  }
}

/** The metafield's value; refuses what Shopify would cut off before the function sees it. */
export function gateConfigValue(config: GateConfig): string {
  const text = JSON.stringify(config);
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_GATE_CONFIG_BYTES) throw new GateConfigTooLargeError(bytes);
  return text;
}
