// A host page on its own origin that signs in with @auth0/auth0-spa-js, unchanged, and
// embeds <household-mfe> from the API's origin. Its own server's /config.json says which
// issuer, which SDK options beyond the defaults (refresh tokens, cache location), whether to sign in on arrival, and which household to show. The tests drive the
// client through `window.auth0`.

import { createAuth0Client } from "@auth0/auth0-spa-js";

const config = await (await fetch("/config.json")).json();
const { authorizationParams, ...options } = config.options ?? {};
const auth0 = await createAuth0Client({
  domain: config.domain,
  clientId: config.clientId,
  authorizationParams: { audience: config.audience, redirect_uri: `${location.origin}/`, ...authorizationParams },
  ...options,
});
window.auth0 = auth0;

const query = new URLSearchParams(location.search);
if (query.has("code") && query.has("state")) {
  await auth0.handleRedirectCallback();
  history.replaceState(null, "", "/");
}

document.getElementById("sign-out").addEventListener("click", () =>
  auth0.logout({ logoutParams: { returnTo: `${location.origin}/` } }));

if (!(await auth0.isAuthenticated())) {
  if (config.signInOnArrival) await auth0.loginWithRedirect();
} else if (config.household) {
  const { default: init } = await import(`${config.api}/mfe/mfe.js`);
  await init();
  const el = document.createElement("household-mfe");
  el.setAttribute("api-base", config.api);
  el.setAttribute("household-id", config.household);
  el.accessTokenProvider = () => auth0.getTokenSilently();
  el.addEventListener("household-mfe-auth-required", () => auth0.loginWithRedirect());
  document.querySelector("main").append(el);
  window.el = el;
}
window.hostReady = true;
