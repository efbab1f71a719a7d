import type { ServerBuild } from "@remix-run/node";

type Matcher = (pathname: string) => boolean;

const compiled = new WeakMap<ServerBuild["routes"], Matcher>();

/**
 * True when a Remix route would answer `pathname`, so that paths Remix has no route for
 * stay JSON 404s from the lean server (what API clients and health probes expect) instead
 * of HTML error pages. Follows React Router's rules for the patterns flat routes produce:
 * static segments (case-insensitive), `:param`, optional `seg?`, and a trailing `*`.
 */
export function remixServes(build: ServerBuild, pathname: string): boolean {
  let matcher = compiled.get(build.routes);
  if (!matcher) {
    matcher = compile(build.routes);
    compiled.set(build.routes, matcher);
  }
  // Remix's own endpoint for lazy route discovery.
  // basename is "/" by default, so strip its trailing slash before appending.
  if (pathname === `${(build.basename ?? "").replace(/\/$/, "")}/__manifest`) return true;
  return matcher(pathname);
}

function compile(routes: ServerBuild["routes"]): Matcher {
  const patterns: string[][] = [];
  for (const route of Object.values(routes)) {
    if (route === undefined || (route.path === undefined && !route.index)) continue;
    const segments: string[] = [];
    for (let at: typeof route | undefined = route; at !== undefined; at = at.parentId ? routes[at.parentId] : undefined) {
      if (at.path) segments.unshift(...at.path.split("/").filter((segment) => segment !== ""));
    }
    patterns.push(segments);
  }
  return (pathname) => {
    const parts = pathname.split("/").filter((segment) => segment !== "");
    return patterns.some((pattern) => matches(pattern, 0, parts, 0));
  };
}

function matches(pattern: string[], p: number, parts: string[], s: number): boolean {
  if (p === pattern.length) return s === parts.length;
  const segment = pattern[p] as string;
  if (segment === "*") return true;
  const optional = segment.endsWith("?");
  const name = optional ? segment.slice(0, -1) : segment;
  const part = parts[s];
  const here = part !== undefined && (name.startsWith(":") || name.toLowerCase() === part.toLowerCase()) && matches(pattern, p + 1, parts, s + 1);
  return here || (optional && matches(pattern, p + 1, parts, s));
}
