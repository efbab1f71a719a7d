// One home for the files the zero-configuration start keeps next to the default database
// (prisma/, gitignored). Resolved from this module, never from process.cwd(): the CLI, the
// worker and tests all find the same files wherever they run. The Remix server bundle
// (build/server/index.js) is two levels below the root too, so the same URLs hold there.
import { fileURLToPath } from "node:url";

/** The repository root (two levels above app/composition/). */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The development master key npm start generates when HOLDFAST_ENCRYPTION_KEY is unset. */
export const DEV_MASTER_KEY_FILE = fileURLToPath(new URL("../../prisma/.holdfast-master-key", import.meta.url));

/** The admin API's generated bearer token when HOLDFAST_ADMIN_TOKEN is unset. */
export const DEV_ADMIN_TOKEN_FILE = fileURLToPath(new URL("../../prisma/.holdfast-admin-token", import.meta.url));
