export type AdmissionMode = "off" | "rate" | "capacity" | "rate+capacity";
export type RoomState = "scheduled" | "prequeue" | "live" | "paused" | "ended";

export interface RoomSettings {
  mode: AdmissionMode;
  /** Shoppers admitted per minute (rate modes). */
  perMinute: number | null;
  /** Shoppers allowed to hold a pass or a hold at once (capacity modes). */
  maxActive: number | null;
  /** How long an admission pass stays valid. */
  passMinutes: number;
  /** How long a hold placed in this sale lasts. */
  holdMinutes: number;
  /** The store whose keys sign this sale's tickets, passes and holds; null for the demo store. */
  storeId: string | null;
  prequeueAt: number | null;
  startsAt: number | null;
  endsAt: number | null;
  /** Holds only through the store's app proxy (see SaleConfig.holdsThroughStoreOnly); default false. */
  holdsThroughStoreOnly?: boolean;
}

export interface AdmissionBatch {
  first: number;
  last: number;
  at: number;
}

/** A room as one status answer needs it; cached in-process for a fraction of a second. */
export interface RoomView {
  state: RoomState;
  mode: AdmissionMode;
  perMinute: number;
  maxActive: number;
  passMs: number;
  holdMs: number;
  storeId: string | null;
  /** Holds only through the store's app proxy: the storefront API refuses them (holds_through_store_only). */
  holdsThroughStoreOnly: boolean;
  prequeueAt: number | null;
  startsAt: number | null;
  endsAt: number | null;
  /** Pre-queue tickets taken (frozen once the room is live). */
  prequeued: number;
  /** Tickets taken after the start. */
  issued: number;
  /** Every queue place up to this one has been admitted. */
  serving: number;
  seedKeys: number[];
  soldOut: boolean;
  /** Admission batches of the recent window, oldest first. */
  batches: AdmissionBatch[];
}

export interface TicketClaims {
  typ: "ticket";
  /** sale id */
  s: string;
  /** session binding */
  sh: string;
  /** 'p' for a pre-queue number, 'q' for a number taken after the start */
  k: "p" | "q";
  n: number;
  iat: number;
}

export interface PassClaims {
  typ: "pass";
  s: string;
  sh: string;
  /** queue place */
  pos: number;
  /** first place of the admission batch, for capacity accounting */
  b: number;
  iat: number;
  /** seconds, as in every JWT */
  exp: number;
}

export type ShopperState = "prequeue" | "waiting" | "admitted" | "soldout" | "ended" | "expired";

export interface ShopperStatus {
  state: ShopperState;
  position: number | null;
  ahead: number | null;
  etaSeconds: number | null;
  refreshAfter: number | null;
  paused: boolean;
  /** Whether a hold needs a pass: false when the room admits everyone (mode off). */
  passRequired: boolean;
  /** Set when admitted and a pass is required: what the caller signs. */
  pass?: { pos: number; b: number; expiresAt: number };
}
