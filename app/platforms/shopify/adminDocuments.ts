/**
 * Every GraphQL document the embedded admin pages send (through shopify-app-remix's
 * `admin.graphql`, with the merchant's session), with the shape of its answer.
 * test/app/ui/adminDocuments.test.ts validates each against the Admin schema of
 * SHOPIFY_API_VERSION and keeps its requested cost under Shopify's single-query limit (1000).
 * The stock write-back's documents live in documents.ts; these read, and publish the drop
 * the storefront guards (an app-data metafield).
 */

import { VARIANTS_OF_ITEMS, type VariantsOfItemsData, type VariantsOfItemsVariables } from "./documents.ts";

export interface AdminDocument<Variables, Data> {
  readonly name: string;
  readonly document: string;
  /** Phantom: ties variables and answer to the document. */
  readonly _types?: { variables: Variables; data: Data };
}

function adminDocument<Variables, Data>(name: string, document: string): AdminDocument<Variables, Data> {
  return { name, document: document.trim() };
}

export interface QuantityData {
  name: string;
  quantity: number;
}

export interface LevelData {
  location: { id: string; name: string };
  quantities: QuantityData[];
}

// ---------------------------------------------------------------------------------------
// The shop: its time zone (schedules are entered in it) and whether it is on Plus.

export interface ShopData {
  shop: { name: string; myshopifyDomain: string; ianaTimezone: string; plan: { shopifyPlus: boolean } };
}
export const SHOP_SETTINGS = adminDocument<Record<string, never>, ShopData>(
  "HoldfastUiShop",
  /* GraphQL */ `
    query HoldfastUiShop {
      shop {
        name
        myshopifyDomain
        ianaTimezone
        plan {
          shopifyPlus
        }
      }
    }
  `,
);

// ---------------------------------------------------------------------------------------
// The picker's fallback (no App Bridge): products matching a search, with their variants.

export const SEARCH_PAGE_SIZE = 10;
export const VARIANTS_PER_PRODUCT = 20;

export interface ProductSearchVariables {
  query: string | null;
}
export interface ProductSearchData {
  products: {
    nodes: {
      id: string;
      title: string;
      variants: { nodes: { id: string; title: string; displayName: string; sku: string | null; inventoryQuantity: number | null }[] };
    }[];
  };
}
/** 10 products x (1 + connection 2 + 20 variants): about 230 points. */
export const PRODUCT_SEARCH = adminDocument<ProductSearchVariables, ProductSearchData>(
  "HoldfastUiProductSearch",
  /* GraphQL */ `
query HoldfastUiProductSearch($query: String) {
  products(first: ${SEARCH_PAGE_SIZE}, query: $query, sortKey: TITLE) {
    nodes {
      id
      title
      variants(first: ${VARIANTS_PER_PRODUCT}) {
        nodes {
          id
          title
          displayName
          sku
          inventoryQuantity
        }
      }
    }
  }
}`,
);

// ---------------------------------------------------------------------------------------
// Chosen variants: their inventory item, its stock per location, and the settings that
// decide whether a drop can oversell (tracked, inventory policy).

/** Ids per lookup request (variants, inventory items): longer lists go in several requests. */
export const MAX_VARIANT_LOOKUP = 25;
/** Locations read per item; a drop sells from one location, so five is plenty to choose from. */
export const LEVELS_PER_ITEM = 5;

export interface VariantData {
  __typename: "ProductVariant";
  id: string;
  title: string;
  displayName: string;
  inventoryPolicy: "DENY" | "CONTINUE";
  product: { id: string; title: string };
  inventoryItem: { id: string; tracked: boolean; inventoryLevels: { nodes: LevelData[] } };
}
export interface VariantsVariables {
  ids: string[];
}
export interface VariantsData {
  nodes: (VariantData | { __typename: string } | null)[];
}
/** Per variant: 1 + product 1 + item 1 + levels (2 + 5 x 3) = 20; 25 variants: 500 points. */
export const VARIANTS_WITH_STOCK = adminDocument<VariantsVariables, VariantsData>(
  "HoldfastUiVariants",
  /* GraphQL */ `
query HoldfastUiVariants($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    ... on ProductVariant {
      id
      title
      displayName
      inventoryPolicy
      product {
        id
        title
      }
      inventoryItem {
        id
        tracked
        inventoryLevels(first: ${LEVELS_PER_ITEM}) {
          nodes {
            location {
              id
              name
            }
            quantities(names: ["available"]) {
              name
              quantity
            }
          }
        }
      }
    }
  }
}`,
);

// ---------------------------------------------------------------------------------------
// Readiness: a drop's inventory items (from its stock refs), each with its variant's policy
// and its stock at every location.

export interface ItemReadinessData {
  __typename: "InventoryItem";
  id: string;
  tracked: boolean;
  variants: { nodes: { id: string; displayName: string; inventoryPolicy: "DENY" | "CONTINUE" }[] };
  inventoryLevels: { nodes: LevelData[] };
}
export interface ItemsReadinessVariables {
  ids: string[];
}
export interface ItemsReadinessData {
  nodes: (ItemReadinessData | { __typename: string } | null)[];
}
/** Per item: 1 + variants (2 + 1) + levels (2 + 5 x 3) = 21; 25 items: 525 points. */
export const ITEMS_READINESS = adminDocument<ItemsReadinessVariables, ItemsReadinessData>(
  "HoldfastUiItemsReadiness",
  /* GraphQL */ `
query HoldfastUiItemsReadiness($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    ... on InventoryItem {
      id
      tracked
      variants(first: 1) {
        nodes {
          id
          displayName
          inventoryPolicy
        }
      }
      inventoryLevels(first: ${LEVELS_PER_ITEM}) {
        nodes {
          location {
            id
            name
          }
          quantities(names: ["available"]) {
            name
            quantity
          }
        }
      }
    }
  }
}`,
);

/**
 * Shop-scoped webhook subscriptions (made through the API). Subscriptions declared in
 * shopify.app.toml are app-scoped and Shopify does not list them here (see the
 * webhookSubscriptions reference), so readiness also reads the toml.
 */
export interface WebhooksData {
  webhookSubscriptions: { nodes: { topic: string; uri: string }[] };
}
export const WEBHOOK_SUBSCRIPTIONS = adminDocument<Record<string, never>, WebhooksData>(
  "HoldfastUiWebhooks",
  /* GraphQL */ `
    query HoldfastUiWebhooks {
      webhookSubscriptions(first: 100) {
        nodes {
          topic
          uri
        }
      }
    }
  `,
);

/**
 * The live (MAIN) theme's settings_data.json: app embeds are listed under `current.blocks`
 * with `type` "shopify://apps/<app>/blocks/<block>/<uuid>" and `disabled`. Needs read_themes.
 */
export interface MainThemeData {
  themes: {
    nodes: {
      id: string;
      name: string;
      files: { nodes: { filename: string; body: { __typename: string; content?: string } }[] } | null;
    }[];
  } | null;
}
export const MAIN_THEME_SETTINGS = adminDocument<Record<string, never>, MainThemeData>(
  "HoldfastUiMainTheme",
  /* GraphQL */ `
    query HoldfastUiMainTheme {
      themes(first: 1, roles: [MAIN]) {
        nodes {
          id
          name
          files(filenames: ["config/settings_data.json"], first: 1) {
            nodes {
              filename
              body {
                __typename
                ... on OnlineStoreThemeFileBodyText {
                  content
                }
              }
            }
          }
        }
      }
    }
  `,
);

// ---------------------------------------------------------------------------------------
// The drop the storefront's waiting room guards: the app embed reads the app-data metafield
// holdfast.drop ({"sale", "items": {"<numeric variant id>": "<sale item id>"}}) of this app's
// installation (Liquid: app.metafields.holdfast.drop), so saving a drop publishes it there.

export interface AppInstallationData {
  currentAppInstallation: { id: string };
}
export const APP_INSTALLATION = adminDocument<Record<string, never>, AppInstallationData>(
  "HoldfastUiAppInstallation",
  /* GraphQL */ `
    query HoldfastUiAppInstallation {
      currentAppInstallation {
        id
      }
    }
  `,
);

export interface SetAppMetafieldVariables {
  metafields: { ownerId: string; namespace: string; key: string; type: string; value: string }[];
}
export interface SetAppMetafieldData {
  metafieldsSet: { metafields: { id: string }[] | null; userErrors: { field: string[] | null; message: string; code: string | null }[] } | null;
}
export const SET_APP_METAFIELD = adminDocument<SetAppMetafieldVariables, SetAppMetafieldData>(
  "HoldfastUiSetAppMetafield",
  /* GraphQL */ `
    mutation HoldfastUiSetAppMetafield($metafields: [MetafieldsSetInput!]!) {
      metafieldsSet(metafields: $metafields) {
        metafields {
          id
        }
        userErrors {
          field
          message
          code
        }
      }
    }
  `,
);

/** Inventory item -> its variant: the adapter's own document (documents.ts), sent with the merchant's session. */
export const DROP_VARIANTS = adminDocument<VariantsOfItemsVariables, VariantsOfItemsData>(VARIANTS_OF_ITEMS.name, VARIANTS_OF_ITEMS.document);

export const ADMIN_UI_DOCUMENTS: readonly AdminDocument<unknown, unknown>[] = [
  SHOP_SETTINGS,
  PRODUCT_SEARCH,
  VARIANTS_WITH_STOCK,
  ITEMS_READINESS,
  WEBHOOK_SUBSCRIPTIONS,
  MAIN_THEME_SETTINGS,
  APP_INSTALLATION,
  SET_APP_METAFIELD,
  DROP_VARIANTS,
] as AdminDocument<unknown, unknown>[];
