// The host wrapper: owns the URL /household/:id/mfe, signs the user in with the
// identity provider (Authorization Code + PKCE), and hands <household-mfe> the
// household id and a function returning the access token. Tokens live in memory only;
// a reload signs in again (the identity provider's session makes that a redirect).
// Its home (/) lists the user's households and creates one or redeems an invitation code
// with the same access token.

const $ = (id) => document.getElementById(id);
const config = await (await fetch("/config.json")).json();
const idp = await (await fetch(new URL(".well-known/openid-configuration", config.issuer))).json();
let session = null; // { accessToken, expiresAt, name }

const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const random = (n = 32) => b64url(crypto.getRandomValues(new Uint8Array(n)));
const callbackUri = `${location.origin}/callback`;

async function login(returnTo = location.pathname) {
  const verifier = random(48);
  const state = random();
  const nonce = random();
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  sessionStorage.setItem("host.pkce", JSON.stringify({ verifier, state, nonce, returnTo }));
  const url = new URL(idp.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: "code", client_id: config.client_id, redirect_uri: callbackUri,
    audience: config.audience, scope: "openid profile email", state, nonce,
    code_challenge: challenge, code_challenge_method: "S256",
  });
  location.assign(url);
}

async function finishLogin() {
  const params = new URLSearchParams(location.search);
  const saved = JSON.parse(sessionStorage.getItem("host.pkce") || "null");
  // The verifier is needed only across the redirect.
  sessionStorage.removeItem("host.pkce");
  if (!saved || params.get("state") !== saved.state) throw new Error("sign-in state did not match; try again");
  if (params.get("error")) throw new Error(params.get("error_description") || params.get("error"));
  const response = await fetch(idp.token_endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", client_id: config.client_id, code: params.get("code"),
      code_verifier: saved.verifier, redirect_uri: callbackUri,
    }),
  });
  if (!response.ok) throw new Error("sign-in failed");
  const tokens = await response.json();
  const id = JSON.parse(atob(tokens.id_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  if (id.nonce !== saved.nonce) throw new Error("sign-in nonce did not match; try again");
  session = { accessToken: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000, name: id.name || id.sub };
  // Strip code and state from the URL; go where the user was headed.
  history.replaceState(null, "", saved.returnTo || "/");
}

async function accessToken() {
  if (!session || Date.now() > session.expiresAt - 30_000) {
    await login();
    return new Promise(() => {}); // navigating away
  }
  return session.accessToken;
}

function householdFromPath() {
  const m = location.pathname.match(/^\/household\/([^/]+)\/mfe\/?$/);
  return m ? decodeURIComponent(m[1]) : null;
}

let households = [];
async function loadHouseholds() {
  const response = await fetch("/api/me/households", { headers: { authorization: `Bearer ${session.accessToken}` } });
  if (!response.ok) throw new Error(`could not list households (${response.status})`);
  households = (await response.json()).households;
}

function renderSwitcher(current) {
  const select = $("switcher");
  select.replaceChildren(...households.map((h) => new Option(`${h.name} (${h.role})`, h.household_id)));
  if (current && !households.some((h) => h.household_id === current)) {
    select.append(new Option("Other household", current));
  }
  select.value = current || "";
  $("switcher-label").hidden = !current;
}

function renderHome() {
  $("home").hidden = false;
  $("mount").replaceChildren();
  $("household-list").replaceChildren(...households.map((h) => {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = `/household/${h.household_id}/mfe`;
    a.textContent = `${h.name}`;
    li.append(a, ` — ${h.role}`);
    return li;
  }));
  if (!households.length) $("household-list").textContent = "You are not a member of any household yet.";
}

function renderHousehold(id) {
  $("home").hidden = true;
  let element = document.querySelector("household-mfe");
  if (!element) {
    element = document.createElement("household-mfe");
    element.accessTokenProvider = accessToken;
    element.addEventListener("household-mfe-auth-required", () => login());
    element.addEventListener("household-mfe-error", (e) => console.warn("household-mfe error", e.detail));
    element.setAttribute("household-id", id);
    $("mount").replaceChildren(element);
  } else if (element.getAttribute("household-id") !== id) {
    element.setAttribute("household-id", id);
  }
}

function route() {
  const id = householdFromPath();
  renderSwitcher(id);
  $("home-link").hidden = !id;
  if (id) renderHousehold(id); else renderHome();
}

function go(path) {
  history.pushState(null, "", path);
  route();
}

/// A call with the access token; the problem+json of a refusal as an Error with its words.
async function call(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${await accessToken()}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const fields = (answer.errors ?? []).map((e) => `${e.field} ${e.message}`);
    throw new Error([answer.title ?? `HTTP ${response.status}`, answer.detail, ...fields].filter(Boolean).join(": "));
  }
  return answer;
}

function onSubmit(form, action) {
  $(form).addEventListener("submit", async (e) => {
    e.preventDefault();
    $("home-message").textContent = "";
    try {
      await action();
    } catch (error) {
      $("home-message").textContent = error.message;
    }
  });
}

onSubmit("create-form", async () => {
  const created = await call("POST", "/api/households", { name: $("create-name").value.trim() });
  $("create-name").value = "";
  await loadHouseholds();
  go(`/household/${created.id}/mfe`);
});

onSubmit("join-form", async () => {
  const code = $("join-code").value.trim();
  try {
    await call("POST", `/api/invitations/${encodeURIComponent(code)}`);
  } catch (error) {
    // Unknown, used and expired codes are not told apart (404).
    throw /^Not Found/.test(error.message) ? new Error("No invitation has this code, or it was used or has expired.") : error;
  }
  $("join-code").value = "";
  $("home-message").textContent = "Request sent, waiting for an owner: the household appears here once an owner approves it.";
});

// The list afresh: an owner may have approved a request since.
$("home-link").addEventListener("click", async (e) => {
  e.preventDefault();
  await loadHouseholds().catch(() => {});
  go("/");
});
$("switcher").addEventListener("change", (e) => go(`/household/${encodeURIComponent(e.target.value)}/mfe`));
window.addEventListener("popstate", route);
$("logout").addEventListener("click", () => {
  session = null;
  const url = new URL(idp.end_session_endpoint || new URL("v2/logout", config.issuer));
  url.search = new URLSearchParams({ client_id: config.client_id, returnTo: callbackUri.replace("/callback", "/") });
  location.assign(url);
});

try {
  if (location.pathname === "/callback") await finishLogin();
  if (!session) {
    await login();
  } else {
    await import("/mfe/mfe.js").then((m) => m.default());
    await loadHouseholds();
    $("user").textContent = session.name;
    $("logout").hidden = false;
    $("status").hidden = true;
    route();
  }
} catch (error) {
  $("status").textContent = `Something went wrong: ${error.message}`;
}
