import { redirect, type ActionFunctionArgs } from "@remix-run/node";

import { clearedConsoleCookie } from "../drops/consoleAuth.server.ts";

/** Signs the console out (POST only: a link or an image cannot sign anyone out). */
export async function action({ request }: ActionFunctionArgs) {
  return redirect("/console/login", { headers: { "set-cookie": clearedConsoleCookie(request) } });
}
