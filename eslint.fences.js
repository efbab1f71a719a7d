// Which part of app/ may import what: one entry per part, read by eslint.config.js and by
// test/architecture (which checks that each fence really fails on a forbidden import).
// docs/architecture.md draws the same arrows.

const PRISMA = { group: ["@prisma/*", "prisma", "**/generated/**"], message: "only app/db/ talks to Prisma" };
const DB = { group: ["**/db/**"], message: "reach SQL through a port or a service, not app/db/" };
const REMIX = { group: ["@remix-run/*"], message: "Remix belongs to routes/, web/ and the admin pages' server side" };
const ROUTES = { group: ["**/routes/**"], message: "nothing imports a route module" };
const COMPONENTS = { group: ["**/components/**"], message: "UI components are for routes and the admin pages only" };
const DROPS = { group: ["**/drops/**"], message: "drops/ serves the admin routes only" };
const WEB = { group: ["**/web/**"], message: "web/ hosts Remix; only routes and composition use it" };
const COMPOSITION = { group: ["**/composition/**"], message: "composition/ wires the parts; parts do not import it" };
const STORES = { group: ["**/stores/**"], message: "the store directory is wired in by composition/" };
const WEBHOOKS = { group: ["**/webhooks/**"], message: "webhooks/ is reached from its routes only" };
const API = { group: ["**/api/**"], message: "the lean HTTP API is a delivery layer; nothing below it imports it" };
const PLATFORMS = { group: ["**/platforms/**"], message: "adapters are wired in by composition/ or the store directory" };
const CORE_INTERNALS = { group: ["**/core/**"], message: "routes reach the core through drops/ and webhooks/ services" };
const ENTRY = { group: ["**/shopify.server*", "**/main.ts", "**/worker.ts", "**/cli.ts"], message: "entry points are not imported by parts" };

export const PART_FENCES = [
  {
    part: "core",
    files: ["app/core/**/*.ts"],
    forbidden: [
      { group: ["**/platforms/**", "**/routes/**", "**/api/**", "**/db/**"], message: "core/ must not depend on adapters or delivery layers" },
      { group: ["@prisma/*", "prisma", "**/generated/**"], message: "core/ must not depend on Prisma; use a port" },
      REMIX,
      COMPONENTS,
      DROPS,
      WEB,
      COMPOSITION,
      STORES,
      WEBHOOKS,
      ENTRY,
    ],
  },
  { part: "api", files: ["app/api/**/*.ts"], forbidden: [REMIX, PRISMA, DB, ROUTES, COMPONENTS, DROPS, WEB, COMPOSITION, STORES, WEBHOOKS, ENTRY] },
  {
    part: "platforms",
    files: ["app/platforms/**/*.ts"],
    forbidden: [REMIX, PRISMA, DB, ROUTES, COMPONENTS, DROPS, WEB, COMPOSITION, STORES, WEBHOOKS, API, ENTRY],
  },
  { part: "db", files: ["app/db/**/*.ts"], forbidden: [REMIX, ROUTES, COMPONENTS, DROPS, WEB, COMPOSITION, STORES, WEBHOOKS, API, PLATFORMS, ENTRY] },
  { part: "stores", files: ["app/stores/**/*.ts"], forbidden: [REMIX, PRISMA, ROUTES, COMPONENTS, DROPS, WEB, COMPOSITION, WEBHOOKS, ENTRY] },
  { part: "webhooks", files: ["app/webhooks/**/*.ts"], forbidden: [PRISMA, ROUTES, COMPONENTS, DROPS] },
  { part: "drops", files: ["app/drops/**/*.ts"], forbidden: [PRISMA, ROUTES, WEB, WEBHOOKS, API] },
  {
    part: "components",
    files: ["app/components/**/*.{ts,tsx}"],
    forbidden: [PRISMA, DB, ROUTES, DROPS, WEB, COMPOSITION, STORES, WEBHOOKS, API, PLATFORMS, ENTRY],
  },
  { part: "routes", files: ["app/routes/**/*.{ts,tsx}"], forbidden: [PRISMA, DB, CORE_INTERNALS, COMPOSITION, STORES, API, PLATFORMS] },
  { part: "web", files: ["app/web/**/*.ts"], forbidden: [PRISMA, DB, ROUTES, COMPONENTS, DROPS, WEBHOOKS, API, PLATFORMS, STORES] },
];
