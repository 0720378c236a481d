// Entry point: read the settings, load the element's bundle from the API's origin, then
// render. The bundle comes first because React 19 sets `accessTokenProvider` as a
// property only on an element that is already defined (else it would be an attribute).

import { createRoot } from "react-dom/client";
import { Auth0Provider, type AppState } from "@auth0/auth0-react";
import { App } from "./App";
import { loadConfig } from "./config";
import { navigate } from "./router";

const config = await loadConfig();
const bundle: typeof import("../../../mfe/household-mfe") = await import(`${config.api}/mfe/mfe.js`);
await bundle.default();

const onRedirectCallback = (appState?: AppState) =>
  navigate(typeof appState?.returnTo === "string" ? appState.returnTo : "/", { replace: true });

const root = document.getElementById("root");
if (!root) throw new Error("#root is missing");
createRoot(root).render(
  <Auth0Provider
    domain={config.domain}
    clientId={config.clientId}
    authorizationParams={{ audience: config.audience, redirect_uri: `${window.location.origin}/callback` }}
    // Refresh tokens (rotating) rather than a hidden iframe, whose issuer cookies are
    // third-party here; kept in localStorage, so a reload needs no redirect. (In memory, the
    // SDK would keep them in a blob: web worker, which a strict CSP refuses unless its file
    // is served from here as `workerUrl`, and a reload would need the issuer again.)
    useRefreshTokens
    cacheLocation="localstorage"
    onRedirectCallback={onRedirectCallback}
  >
    <App api={config.api} />
  </Auth0Provider>,
);
