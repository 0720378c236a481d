// GET /api/me/households with the user's Auth0 access token: what the switcher offers.

import { useEffect, useState } from "react";

export interface Membership {
  household_id: string;
  name: string;
  role: "owner" | "member" | "viewer";
}

export type Households =
  | { state: "loading" }
  | { state: "failed"; message: string }
  | { state: "loaded"; households: Membership[] };

export function useHouseholds(api: string, accessToken: () => Promise<string>): Households {
  const [households, setHouseholds] = useState<Households>({ state: "loading" });
  useEffect(() => {
    const abort = new AbortController();
    (async () => {
      const response = await fetch(`${api}/api/me/households`, {
        headers: { authorization: `Bearer ${await accessToken()}` },
        signal: abort.signal,
      });
      if (!response.ok) throw new Error(`could not list households (${response.status})`);
      const body = (await response.json()) as { households: Membership[] };
      setHouseholds({ state: "loaded", households: body.households });
    })().catch((error: Error) => {
      if (!abort.signal.aborted) setHouseholds({ state: "failed", message: error.message });
    });
    return () => abort.abort();
  }, [api, accessToken]);
  return households;
}
