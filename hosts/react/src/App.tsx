// The host: sign-in (every path needs it), a household switcher fed by the user's
// households, and <household-mfe> for the household in the URL.

import { useCallback, useEffect, useState } from "react";
import { useAuth0 } from "@auth0/auth0-react";
import type { HouseholdMfeErrorDetail } from "../../../mfe/household-mfe";
import { useHouseholds, type Membership } from "./households";
import { householdPath, navigate, route, usePath } from "./router";

export function App({ api }: { api: string }) {
  const { isLoading, isAuthenticated, error, user, loginWithRedirect, logout, getAccessTokenSilently } =
    useAuth0();
  const path = usePath();
  // One function for the session: the element and the switcher call it for every token.
  const token = useCallback(async () => {
    const accessToken = await getAccessTokenSilently();
    if (!accessToken) throw new Error("no access token");
    return accessToken;
  }, [getAccessTokenSilently]);

  useEffect(() => {
    if (!isLoading && !isAuthenticated && !error) {
      void loginWithRedirect({ appState: { returnTo: window.location.pathname } });
    }
  }, [isLoading, isAuthenticated, error, loginWithRedirect]);

  if (error) return <p role="alert">Sign-in failed: {error.message}</p>;
  if (isLoading || !isAuthenticated) return <p className="status">Signing in…</p>;

  const current = route(path);
  const signOut = () => logout({ logoutParams: { returnTo: `${window.location.origin}/` } });
  return (
    <>
      <header>
        <h1>Household</h1>
        <span className="user">{user?.name ?? user?.sub}</span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        <Households api={api} current={current.name === "household" ? current.id : null} token={token} />
      </main>
    </>
  );
}

function Households({ api, current, token }: { api: string; current: string | null; token: () => Promise<string> }) {
  const households = useHouseholds(api, token);
  const [theme, setTheme] = useState<"light" | "dark">("light");

  // The home page opens the first household.
  useEffect(() => {
    if (current === null && households.state === "loaded" && households.households.length > 0) {
      navigate(householdPath(households.households[0].household_id), { replace: true });
    }
  }, [current, households]);

  if (households.state === "loading") return <p className="status">Loading your households…</p>;
  if (households.state === "failed") return <p role="alert">{households.message}</p>;
  if (households.households.length === 0) return <p>You are in no household yet.</p>;
  if (current === null) return null;
  return (
    <>
      <nav className="toolbar" aria-label="Household">
        <Switcher households={households.households} current={current} />
        <label>
          Theme{" "}
          <select value={theme} onChange={(e) => setTheme(e.target.value as "light" | "dark")}>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
      </nav>
      <household-mfe
        household-id={current}
        api-base={api}
        theme={theme}
        accessTokenProvider={token}
        onhousehold-mfe-error={(e: CustomEvent<HouseholdMfeErrorDetail>) =>
          console.warn("household-mfe", e.detail.status, e.detail.title)
        }
      />
    </>
  );
}

function Switcher({ households, current }: { households: Membership[]; current: string }) {
  const known = households.some((h) => h.household_id === current);
  return (
    <label>
      Household{" "}
      <select id="switcher" value={current} onChange={(e) => navigate(householdPath(e.target.value))}>
        {households.map((h) => (
          <option key={h.household_id} value={h.household_id}>
            {h.name} ({h.role})
          </option>
        ))}
        {!known && <option value={current}>Other household</option>}
      </select>
    </label>
  );
}
