import { json, type LoaderFunctionArgs } from "@remix-run/node";

import { searchProducts, variantRows } from "../drops/catalog.server.ts";
import { errorResponse } from "../drops/errors.server.ts";
import { authenticate } from "../shopify.server.ts";

/**
 * JSON for the product picker: `?q=` searches products (the fallback when App Bridge's
 * picker is not there); `?variants=gid,gid` turns chosen variants into drop rows with their
 * current stock. Errors are JSON too, so the picker can show them.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const { admin } = await authenticate.admin(request);
  const url = new URL(request.url);
  try {
    const variants = url.searchParams.get("variants");
    if (variants !== null) return json({ items: await variantRows(admin, variants.split(",").filter(Boolean)) });
    return json({ products: await searchProducts(admin, url.searchParams.get("q") ?? "") });
  } catch (error) {
    const response = errorResponse(error);
    if (response) return response;
    throw error;
  }
}
