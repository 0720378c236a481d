// A hand router for the host's three paths: nothing else needs routing, and a library
// would be most of the bundle.

import { useSyncExternalStore } from "react";

export type Route =
  | { name: "household"; id: string }
  | { name: "home" }
  | { name: "callback" };

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

/** The current path; re-renders on navigation and on back/forward. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

export function navigate(path: string, { replace = false } = {}): void {
  if (replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  listeners.forEach((listener) => listener());
}

export function route(path: string): Route {
  const household = /^\/household\/([^/]+)\/mfe\/?$/.exec(path);
  if (household) return { name: "household", id: decodeURIComponent(household[1]) };
  if (path === "/callback") return { name: "callback" };
  return { name: "home" };
}

export const householdPath = (id: string) => `/household/${encodeURIComponent(id)}/mfe`;
