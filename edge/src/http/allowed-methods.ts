/** @module allowed-methods: the methods the app's registered routes accept on a path, for 405 answers' `Allow`. */
import { METHOD_NAME_ALL } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { SmartRouter } from "hono/router/smart-router";
import { TrieRouter } from "hono/router/trie-router";
import type { RouterRoute } from "hono/types";

/** The methods that have a handler on a path (none: the path is unknown), in alphabetical order. */
export type AllowedMethods = (path: string) => string[];

/**
 * Indexes the app's own route table (`app.routes`, filled by every `openapi()`, `get()`, `post()`), so the answer
 * cannot drift from the routes. Middleware (`use`) registers under "ALL" and says nothing about a path's methods.
 * The index matches paths with the same routers, in the same order, as Hono's default, so a path is known here
 * exactly when the app would route it. HEAD is allowed wherever GET is: Hono answers HEAD with the GET handler.
 */
export function allowedMethodsOf(routes: readonly RouterRoute[]): AllowedMethods {
  const router = new SmartRouter<string>({ routers: [new RegExpRouter(), new TrieRouter()] });
  for (const route of routes) {
    // Each route is added under "ALL" with its own method as the payload: one match returns every method of a path.
    if (route.method !== METHOD_NAME_ALL) router.add(METHOD_NAME_ALL, route.path, route.method);
  }
  return (path) => {
    const methods = new Set(router.match("GET", path)[0].map(([method]) => method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}
