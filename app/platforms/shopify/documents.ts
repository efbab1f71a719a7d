/**
 * Every GraphQL document the Shopify adapter sends, with its variables, its answer and the
 * cost Shopify will charge for it. test/platforms/shopify/documents.test.ts validates each
 * against the Admin schema of SHOPIFY_API_VERSION and checks the cost estimates against a
 * calculator that walks the schema.
 *
 * Cost (Shopify's calculated query cost, charged up front as requestedQueryCost): scalars
 * and enums 0, an object 1, a list of objects its length times the element, a connection 2
 * plus `first` times a node, a mutation 10. A single request may cost at most 1000.
 */

export interface UserError {
  field: string[] | null;
  message: string;
}

export interface CodedUserError<Code extends string = string> extends UserError {
  code: Code | null;
}

export interface Operation<Variables, Data> {
  /** The operation name in the document; also the key for learned costs and logs. */
  readonly name: string;
  readonly document: string;
  /** The requestedQueryCost Shopify computes for these variables. */
  cost(variables: Variables): number;
  /** False when running it twice would do it twice (no idempotency key): not retried blindly. */
  readonly idempotent: boolean;
  /** Phantom: ties the answer's type to the operation. */
  readonly _data?: Data;
}

function operation<Variables, Data>(name: string, document: string, cost: (variables: Variables) => number, idempotent = true): Operation<Variables, Data> {
  return { name, document: document.trim(), cost, idempotent };
}

const MUTATION_COST = 10;

// ---------------------------------------------------------------------------------------
// Inventory

export interface InventoryLevelsVariables {
  itemIds: string[];
  locationId: string;
}
export interface InventoryLevelsData {
  nodes: ({ id: string; inventoryLevel: { quantities: { name: string; quantity: number }[] } | null } | Record<string, never> | null)[];
}
/** Per item: InventoryItem 1 + InventoryLevel 1 + one InventoryQuantity 1. */
export const INVENTORY_LEVELS = operation<InventoryLevelsVariables, InventoryLevelsData>(
  "HoldfastInventoryLevels",
  /* GraphQL */ `
    query HoldfastInventoryLevels($itemIds: [ID!]!, $locationId: ID!) {
      nodes(ids: $itemIds) {
        ... on InventoryItem {
          id
          inventoryLevel(locationId: $locationId) {
            quantities(names: ["available"]) {
              name
              quantity
            }
          }
        }
      }
    }
  `,
  (variables) => variables.itemIds.length * 3,
);

export type InventorySetUserErrorCode =
  | "CHANGE_FROM_QUANTITY_STALE"
  | "IDEMPOTENCY_CONCURRENT_REQUEST"
  | "IDEMPOTENCY_KEY_PARAMETER_MISMATCH"
  | "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"
  | "INVALID_INVENTORY_ITEM"
  | "INVALID_LOCATION"
  | "ITEM_NOT_STOCKED_AT_LOCATION"
  | (string & {});

export interface InventorySetQuantitiesVariables {
  idempotencyKey: string;
  input: {
    name: "available" | "on_hand";
    reason: string;
    referenceDocumentUri?: string;
    quantities: { inventoryItemId: string; locationId: string; quantity: number; changeFromQuantity: number | null }[];
  };
}
export interface InventoryMutationPayload {
  inventoryAdjustmentGroup: { id: string } | null;
  userErrors: CodedUserError<InventorySetUserErrorCode>[];
}
/**
 * Absolute quantities. From 2026-04 `@idempotent` is required (a retry with the same key is
 * applied once) and every quantity must carry `changeFromQuantity` (null opts out of the
 * compare-and-set).
 */
export const INVENTORY_SET_QUANTITIES = operation<InventorySetQuantitiesVariables, { inventorySetQuantities: InventoryMutationPayload | null }>(
  "HoldfastInventorySetQuantities",
  /* GraphQL */ `
    mutation HoldfastInventorySetQuantities($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
      inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
        inventoryAdjustmentGroup {
          id
        }
        userErrors {
          code
          field
          message
        }
      }
    }
  `,
  () => MUTATION_COST,
);

export interface InventoryAdjustQuantitiesVariables {
  idempotencyKey: string;
  input: {
    name: "available";
    reason: string;
    referenceDocumentUri?: string;
    changes: { inventoryItemId: string; locationId: string; delta: number; changeFromQuantity: number | null }[];
  };
}
/** Deltas, same idempotency and compare-and-set rules as the absolute form. */
export const INVENTORY_ADJUST_QUANTITIES = operation<InventoryAdjustQuantitiesVariables, { inventoryAdjustQuantities: InventoryMutationPayload | null }>(
  "HoldfastInventoryAdjustQuantities",
  /* GraphQL */ `
    mutation HoldfastInventoryAdjustQuantities($input: InventoryAdjustQuantitiesInput!, $idempotencyKey: String!) {
      inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey) {
        inventoryAdjustmentGroup {
          id
        }
        userErrors {
          code
          field
          message
        }
      }
    }
  `,
  () => MUTATION_COST,
);

// ---------------------------------------------------------------------------------------
// Orders

export interface VariantsOfItemsVariables {
  itemIds: string[];
}
export interface VariantsOfItemsData {
  nodes: ({ id: string; variants: { nodes: { id: string }[] } } | Record<string, never> | null)[];
}
/** Per item: InventoryItem 1 + variants(first: 1) 2 + 1. */
export const VARIANTS_OF_ITEMS = operation<VariantsOfItemsVariables, VariantsOfItemsData>(
  "HoldfastVariantsOfItems",
  /* GraphQL */ `
    query HoldfastVariantsOfItems($itemIds: [ID!]!) {
      nodes(ids: $itemIds) {
        ... on InventoryItem {
          id
          variants(first: 1) {
            nodes {
              id
            }
          }
        }
      }
    }
  `,
  (variables) => variables.itemIds.length * 4,
);

export interface DraftOrderSummary {
  id: string;
  invoiceUrl: string | null;
  reserveInventoryUntil: string | null;
  status: "OPEN" | "INVOICE_SENT" | "COMPLETED";
}
const DRAFT_ORDER_FIELDS = "id\n      invoiceUrl\n      reserveInventoryUntil\n      status";

/** Finds the draft order an earlier (timed-out) attempt may have created: drafts carry our tag. 2 + 1. */
export const FIND_DRAFT_ORDER = operation<{ query: string }, { draftOrders: { nodes: DraftOrderSummary[] } }>(
  "HoldfastFindDraftOrder",
  /* GraphQL */ `
query HoldfastFindDraftOrder($query: String!) {
  draftOrders(first: 1, query: $query) {
    nodes {
      ${DRAFT_ORDER_FIELDS}
    }
  }
}`,
  () => 3,
);

export interface DraftOrderCreateVariables {
  input: {
    lineItems: { variantId: string; quantity: number }[];
    email?: string;
    note?: string;
    tags: string[];
    customAttributes: { key: string; value: string }[];
    /** ISO 8601; Shopify holds the stock for the draft until then. */
    reserveInventoryUntil?: string;
  };
}
/**
 * The headless path: a draft order that reserves stock; the shopper pays at invoiceUrl.
 * Shopify takes no idempotency key here: the adapter tags the draft and looks before creating.
 */
export const DRAFT_ORDER_CREATE = operation<
  DraftOrderCreateVariables,
  { draftOrderCreate: { draftOrder: DraftOrderSummary | null; userErrors: UserError[] } | null }
>(
  "HoldfastDraftOrderCreate",
  /* GraphQL */ `
mutation HoldfastDraftOrderCreate($input: DraftOrderInput!) {
  draftOrderCreate(input: $input) {
    draftOrder {
      ${DRAFT_ORDER_FIELDS}
    }
    userErrors {
      field
      message
    }
  }
}`,
  () => MUTATION_COST,
  false,
);

/** A draft's state and, once paid, its order. DraftOrder 1 + Order 1. */
export const DRAFT_ORDER_STATE = operation<
  { id: string },
  { draftOrder: { id: string; status: DraftOrderSummary["status"]; order: { id: string; cancelledAt: string | null } | null } | null }
>(
  "HoldfastDraftOrderState",
  /* GraphQL */ `
    query HoldfastDraftOrderState($id: ID!) {
      draftOrder(id: $id) {
        id
        status
        order {
          id
          cancelledAt
        }
      }
    }
  `,
  () => 2,
);

/** Deleting an unpaid draft order releases what it reserved. */
export const DRAFT_ORDER_DELETE = operation<{ input: { id: string } }, { draftOrderDelete: { deletedId: string | null; userErrors: UserError[] } | null }>(
  "HoldfastDraftOrderDelete",
  /* GraphQL */ `
    mutation HoldfastDraftOrderDelete($input: DraftOrderDeleteInput!) {
      draftOrderDelete(input: $input) {
        deletedId
        userErrors {
          field
          message
        }
      }
    }
  `,
  () => MUTATION_COST,
);

export type OrderCancelReason = "CUSTOMER" | "DECLINED" | "FRAUD" | "INVENTORY" | "OTHER" | "STAFF";
export interface OrderCancelVariables {
  orderId: string;
  reason: OrderCancelReason;
  restock: boolean;
  notifyCustomer: boolean;
  /** `refund: Boolean` is superseded by refundMethod (a @oneOf input). Null: no refund. */
  refundMethod: { originalPaymentMethodsRefund: boolean } | null;
  /** Staff-facing, at most 255 characters. */
  staffNote: string | null;
}
export type OrderCancelUserErrorCode = "INTERNAL_ERROR" | "INVALID" | "NOT_FOUND" | "NO_REFUND_PERMISSION" | (string & {});
/** Cancels a placed order (asynchronously: Shopify answers with a job). */
export const ORDER_CANCEL = operation<
  OrderCancelVariables,
  { orderCancel: { job: { id: string; done: boolean } | null; orderCancelUserErrors: CodedUserError<OrderCancelUserErrorCode>[] } | null }
>(
  "HoldfastOrderCancel",
  /* GraphQL */ `
    mutation HoldfastOrderCancel(
      $orderId: ID!
      $reason: OrderCancelReason!
      $restock: Boolean!
      $notifyCustomer: Boolean
      $refundMethod: OrderCancelRefundMethodInput
      $staffNote: String
    ) {
      orderCancel(orderId: $orderId, reason: $reason, restock: $restock, notifyCustomer: $notifyCustomer, refundMethod: $refundMethod, staffNote: $staffNote) {
        job {
          id
          done
        }
        orderCancelUserErrors {
          code
          field
          message
        }
      }
    }
  `,
  () => MUTATION_COST,
);

/** Tells "already cancelled" from a real refusal after orderCancel answers INVALID. Order 1. */
export const ORDER_STATE = operation<{ id: string }, { order: { id: string; cancelledAt: string | null } | null }>(
  "HoldfastOrderState",
  /* GraphQL */ `
    query HoldfastOrderState($id: ID!) {
      order(id: $id) {
        id
        cancelledAt
      }
    }
  `,
  () => 1,
);

/** All of the above, for the schema test. */
export const ALL_OPERATIONS: readonly Operation<never, unknown>[] = [
  INVENTORY_LEVELS,
  INVENTORY_SET_QUANTITIES,
  INVENTORY_ADJUST_QUANTITIES,
  VARIANTS_OF_ITEMS,
  FIND_DRAFT_ORDER,
  DRAFT_ORDER_CREATE,
  DRAFT_ORDER_STATE,
  DRAFT_ORDER_DELETE,
  ORDER_CANCEL,
  ORDER_STATE,
] as Operation<never, unknown>[];
