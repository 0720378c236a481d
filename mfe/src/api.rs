//! Every HTTP call the micro-frontend makes, typed with the `shared` wire types.
//!
//! Data calls carry the internal token from the [`TokenManager`]. A 401 means the API
//! rejected that token (it expired early, or the signing key rotated), so the call renews it
//! once and retries; a second 401 means the sign-in itself is gone and surfaces as
//! [`ApiError::AuthRequired`]. Every request carries the mount's `AbortSignal`, so removing
//! the element cancels whatever it had in flight. Error answers are RFC 9457 problems and
//! decode into [`shared::Problem`], so views can show the server's title and its per-field
//! messages next to the fields.
//!
//! JSON goes through the browser: `JSON.stringify` and `Response.json()` do the text, and
//! [`crate::json`] maps between JS values and the wire types. That keeps a JSON parser and
//! serde out of the wasm bundle; `fetch` is called directly for the same reason (gloo-net's
//! `http` module, measured, put the element 2.5 KB gzip over its budget: see the README).

use std::future::Future;

use leptos::prelude::window;
use shared::exchange;
use shared::fuel_logs::{FuelLog, NewFuelLog};
use shared::households::{CreatedHousehold, Members, MyHouseholds, NewHousehold, RoleChange};
use shared::invitations::{Invitation, JoinRequests, NewInvitation, Redemption};
use shared::page::{MAX_LIMIT, Page};
use shared::problem::FieldError;
use shared::summary::Summary;
use shared::vehicles::{NewVehicle, Vehicle, VehiclePatch};
use shared::{Problem, Role};
use uuid::Uuid;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestInit, Response};

use crate::json::{Decode, Encode};
use crate::token::{Token, TokenError, TokenKey, TokenManager};

/// Why a call gave no data.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The server answered with an error; `errors` holds field messages on 422. Boxed to
    /// keep `Result<T, ApiError>` small on the happy path.
    #[error("{}", .0.title)]
    Problem(Box<Problem>),
    /// No usable sign-in: no access-token source, or the API refused a renewed token.
    #[error("sign-in required")]
    AuthRequired,
    /// The exchange refused the household: the caller is not a member (any more), or the
    /// household is suspended. Data calls that answer 403 end here too when a fresh exchange
    /// confirms it (see [`HouseholdApi`]), so a removed member learns it on the next call.
    #[error("Access denied")]
    AccessDenied,
    /// No answer at all (offline, CORS, DNS).
    #[error("the server could not be reached")]
    Network(String),
    /// A success whose body was not what the route promises.
    #[error("unexpected answer from the server")]
    Decode(String),
    /// The request was aborted (unmount) or its token was cleared (household switch);
    /// nobody is waiting for it, so views ignore it.
    #[error("cancelled")]
    Cancelled,
}

impl ApiError {
    /// The HTTP status, 401 for a lost sign-in, 0 when there was no usable answer.
    pub fn status(&self) -> u16 {
        match self {
            Self::Problem(problem) => problem.status,
            Self::AuthRequired => 401,
            Self::AccessDenied => 403,
            Self::Network(_) | Self::Decode(_) | Self::Cancelled => 0,
        }
    }

    /// A one-line description for people.
    pub fn title(&self) -> String {
        match self {
            Self::Problem(problem) => problem.title.clone(),
            other => other.to_string(),
        }
    }

    /// The server's field messages (422); empty otherwise.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Problem(problem) => &problem.errors,
            _ => &[],
        }
    }

    fn problem(status: u16, title: &str, detail: Option<&str>) -> Self {
        Self::Problem(Box::new(Problem {
            kind: "about:blank".to_owned(),
            title: title.to_owned(),
            status,
            detail: detail.map(str::to_owned),
            request_id: None,
            errors: Vec::new(),
        }))
    }

    /// A rejected `fetch`: aborted by the mount's signal, or no answer at all.
    fn from_fetch(error: JsValue) -> Self {
        match js_error(error) {
            Some((name, _)) if name == "AbortError" => Self::Cancelled,
            Some((_, text)) => Self::Network(text),
            None => Self::Network("fetch failed".to_owned()),
        }
    }

    /// A body that could not be read or was not the JSON the route promises.
    fn from_body(error: JsValue) -> Self {
        match js_error(error) {
            Some((name, _)) if name == "AbortError" => Self::Cancelled,
            Some((_, text)) => Self::Decode(text),
            None => Self::Decode("unreadable body".to_owned()),
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Unauthorized => Self::AuthRequired,
            TokenError::Forbidden => Self::AccessDenied,
            TokenError::RateLimited { .. } => Self::problem(
                429,
                "Too many requests",
                Some("Please wait a moment and try again."),
            ),
            TokenError::Network(message) => Self::Network(message),
            TokenError::Server(status) => {
                Self::problem(status, "Sign-in to the household failed", None)
            }
            TokenError::Cleared => Self::Cancelled,
        }
    }
}

/// A JS exception's `name` and its `"name: message"` text, if it is an `Error`.
fn js_error(error: JsValue) -> Option<(String, String)> {
    let error = error.dyn_into::<js_sys::Error>().ok()?;
    Some((error.name().into(), error.to_string().into()))
}

/// Seconds since the epoch by the browser's clock: the token manager's clock.
pub fn now_secs() -> f64 {
    js_sys::Date::now() / 1000.0
}

/// The browser's token manager. `access_token` yields the Auth0 access token (the host's
/// `accessTokenProvider`, or the standalone login); it is called at each exchange, so a
/// source that changes is read afresh. `signal` aborts exchanges when the mount goes away.
pub fn token_manager<S, F>(access_token: S, signal: Option<AbortSignal>) -> TokenManager
where
    S: Fn() -> F + 'static,
    F: Future<Output = Result<String, TokenError>> + 'static,
{
    TokenManager::new(
        move |key: &TokenKey| {
            let (key, signal, access_token) = (key.clone(), signal.clone(), access_token());
            async move { exchange(&key, &access_token.await?, signal.as_ref()).await }
        },
        now_secs,
    )
}

/// `POST {api_base}/exchange`: an Auth0 access token in, an internal token out.
pub async fn exchange(
    key: &TokenKey,
    access_token: &str,
    signal: Option<&AbortSignal>,
) -> Result<exchange::Response, TokenError> {
    let body = exchange::Request {
        household_id: key.household_id.to_string(),
    };
    let transport = |e: ApiError| TokenError::Network(e.to_string());
    let url = format!("{}/exchange", key.api_base);
    let body = to_json(&body).map_err(transport)?;
    let response = fetch("POST", &url, Some(access_token), Body::Json(&body), signal)
        .await
        .map_err(transport)?;
    if !response.ok() {
        let retry_after = header(&response, "retry-after").and_then(|v| v.trim().parse().ok());
        return Err(TokenError::from_status(response.status(), retry_after));
    }
    json(&response)
        .await
        .map_err(|_| TokenError::Server(response.status()))
}

/// `GET {api_base}/api/me/households`, with the Auth0 access token (no household yet).
pub async fn my_households(
    api_base: &str,
    access_token: &str,
    signal: Option<&AbortSignal>,
) -> Result<MyHouseholds, ApiError> {
    let url = format!("{}/api/me/households", api_base.trim_end_matches('/'));
    signed_in("GET", &url, access_token, None, signal).await
}

/// `POST {api_base}/api/households`, with the Auth0 access token: the caller owns the new
/// household.
pub async fn create_household(
    api_base: &str,
    access_token: &str,
    household: &NewHousehold,
) -> Result<CreatedHousehold, ApiError> {
    let url = format!("{}/api/households", api_base.trim_end_matches('/'));
    let body = to_json(household)?;
    signed_in("POST", &url, access_token, Some(&body), None).await
}

/// `POST {api_base}/api/invitations/{code}`, with the Auth0 access token: files a join
/// request that an owner of the code's household approves or denies.
pub async fn redeem_invitation(
    api_base: &str,
    access_token: &str,
    code: &str,
) -> Result<Redemption, ApiError> {
    let url = format!(
        "{}/api/invitations/{}",
        api_base.trim_end_matches('/'),
        js_sys::encode_uri_component(code.trim())
    );
    signed_in("POST", &url, access_token, None, None).await
}

/// A call with the Auth0 access token rather than an internal one.
async fn signed_in<T: Decode>(
    method: &str,
    url: &str,
    access_token: &str,
    body: Option<&str>,
    signal: Option<&AbortSignal>,
) -> Result<T, ApiError> {
    let body = body.map_or(Body::Empty, Body::Json);
    let response = fetch(method, url, Some(access_token), body, signal).await?;
    match response.status() {
        401 => Err(ApiError::AuthRequired),
        _ => read(response).await,
    }
}

/// What every data call needs that outlives a single household: the token manager and
/// the mount's abort signal. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    tokens: TokenManager,
    signal: Option<AbortSignal>,
}

impl Client {
    pub fn new(tokens: TokenManager, signal: Option<AbortSignal>) -> Self {
        Self { tokens, signal }
    }

    pub fn tokens(&self) -> &TokenManager {
        &self.tokens
    }

    /// The calls for one household at one API base (empty for the page's own origin).
    pub fn household(&self, api_base: &str, household_id: Uuid) -> HouseholdApi {
        HouseholdApi {
            client: self.clone(),
            key: TokenKey::new(household_id, api_base),
        }
    }
}

/// The data routes of one household.
#[derive(Clone)]
pub struct HouseholdApi {
    client: Client,
    key: TokenKey,
}

impl HouseholdApi {
    pub fn key(&self) -> &TokenKey {
        &self.key
    }

    /// The internal token (and so the caller's role), exchanging if needed.
    pub async fn token(&self) -> Result<Token, ApiError> {
        Ok(self.client.tokens.get(&self.key).await?)
    }

    /// Every vehicle: a household has few, and the garage shows them all.
    pub async fn vehicles(&self) -> Result<Vec<Vehicle>, ApiError> {
        Ok(self.list("/vehicles", u32::MAX).await?.items)
    }

    pub async fn create_vehicle(&self, vehicle: &NewVehicle) -> Result<Vehicle, ApiError> {
        let body = to_json(vehicle)?;
        self.call("POST", &self.url("/vehicles"), Some(body)).await
    }

    pub async fn vehicle(&self, id: Uuid) -> Result<Vehicle, ApiError> {
        self.call("GET", &self.url(&format!("/vehicles/{id}")), None)
            .await
    }

    pub async fn update_vehicle(
        &self,
        id: Uuid,
        patch: &VehiclePatch,
    ) -> Result<Vehicle, ApiError> {
        let body = to_json(patch)?;
        self.call("PATCH", &self.url(&format!("/vehicles/{id}")), Some(body))
            .await
    }

    pub async fn delete_vehicle(&self, id: Uuid) -> Result<(), ApiError> {
        self.done("DELETE", &self.url(&format!("/vehicles/{id}")), None)
            .await
    }

    /// A vehicle's newest `count` fuel logs, newest first; `next_cursor` says whether there
    /// are older ones.
    pub async fn fuel_logs(&self, vehicle_id: Uuid, count: u32) -> Result<Page<FuelLog>, ApiError> {
        self.list(&format!("/vehicles/{vehicle_id}/fuel-logs"), count)
            .await
    }

    pub async fn add_fuel_log(
        &self,
        vehicle_id: Uuid,
        log: &NewFuelLog,
    ) -> Result<FuelLog, ApiError> {
        let body = to_json(log)?;
        let url = self.url(&format!("/vehicles/{vehicle_id}/fuel-logs"));
        self.call("POST", &url, Some(body)).await
    }

    pub async fn summary(&self) -> Result<Summary, ApiError> {
        self.call("GET", &self.url("/summary"), None).await
    }

    /// The members with their roles, owners first.
    pub async fn members(&self) -> Result<Members, ApiError> {
        self.call("GET", &self.url("/members"), None).await
    }

    /// Owners only; the last owner cannot be demoted (409).
    pub async fn change_role(&self, sub: &str, role: Role) -> Result<(), ApiError> {
        let body = to_json(&RoleChange {
            role: role.as_str().to_owned(),
        })?;
        self.done("PATCH", &self.member_url("/members/", sub, ""), Some(body))
            .await
    }

    /// Removes a member (owners), or the caller itself: leaving. The last owner cannot
    /// leave (409).
    pub async fn remove_member(&self, sub: &str) -> Result<(), ApiError> {
        self.done("DELETE", &self.member_url("/members/", sub, ""), None)
            .await
    }

    /// A single-use code for `role`, which may not be above the caller's own.
    pub async fn invite(&self, role: Role) -> Result<Invitation, ApiError> {
        let body = to_json(&NewInvitation {
            role: role.as_str().to_owned(),
        })?;
        self.call("POST", &self.url("/invitations"), Some(body))
            .await
    }

    /// The pending join requests, oldest first (owners only).
    pub async fn join_requests(&self) -> Result<JoinRequests, ApiError> {
        self.call("GET", &self.url("/join-requests"), None).await
    }

    /// Approves (the requester becomes a member with the invitation's role) or denies.
    pub async fn decide(&self, sub: &str, approve: bool) -> Result<(), ApiError> {
        let verdict = if approve { "/approve" } else { "/deny" };
        let url = self.member_url("/join-requests/", sub, verdict);
        self.done("POST", &url, None).await
    }

    fn url(&self, rest: &str) -> String {
        format!(
            "{}/api/households/{}{rest}",
            self.key.api_base, self.key.household_id
        )
    }

    /// A route about one person: subjects hold characters such as `|`, escaped here.
    fn member_url(&self, route: &str, sub: &str, rest: &str) -> String {
        let sub = js_sys::encode_uri_component(sub);
        self.url(&format!("{route}{sub}{rest}"))
    }

    fn list_url(&self, rest: &str, cursor: Option<&str>, limit: u32) -> String {
        let mut url = format!("{}?limit={limit}", self.url(rest));
        if let Some(cursor) = cursor {
            url.push_str("&cursor=");
            url.push_str(&String::from(js_sys::encode_uri_component(cursor)));
        }
        url
    }

    /// Up to `count` items of a list route, following its cursors a page (at most
    /// `MAX_LIMIT` items) at a time; `next_cursor` is set when more remain.
    async fn list<T: Decode>(&self, rest: &str, count: u32) -> Result<Page<T>, ApiError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let wanted = count.saturating_sub(items.len() as u32).clamp(1, MAX_LIMIT);
            let url = self.list_url(rest, cursor.as_deref(), wanted);
            let page: Page<T> = self.call("GET", &url, None).await?;
            items.extend(page.items);
            cursor = page.next_cursor;
            if cursor.is_none() || items.len() as u32 >= count {
                return Ok(Page {
                    items,
                    next_cursor: cursor,
                });
            }
        }
    }

    async fn call<T: Decode>(
        &self,
        method: &str,
        url: &str,
        body: Option<String>,
    ) -> Result<T, ApiError> {
        decode(&self.call_json(method, url, body).await?)
    }

    /// The answer's JSON. Not generic: its future, which holds the whole request, is
    /// compiled once for every answer type rather than once each.
    async fn call_json(
        &self,
        method: &str,
        url: &str,
        body: Option<String>,
    ) -> Result<JsValue, ApiError> {
        let response = self.send(method, url, body).await?;
        if response.ok() {
            parsed(&response).await
        } else {
            Err(problem_of(&response).await)
        }
    }

    /// A call whose success has no body (204).
    async fn done(&self, method: &str, url: &str, body: Option<String>) -> Result<(), ApiError> {
        let response = self.send(method, url, body).await?;
        if response.ok() {
            Ok(())
        } else {
            Err(problem_of(&response).await)
        }
    }

    /// Sends with the current token; on 401 renews it once and sends again. A 403 is
    /// either a permission this role lacks or the end of the membership (removed, or the
    /// household suspended): only a fresh exchange tells which, so it too renews once (a
    /// refusal there is [`ApiError::AccessDenied`]) and sends again. One loop, so that the
    /// request and the renewal are each one await point of this future.
    async fn send(
        &self,
        method: &str,
        url: &str,
        body: Option<String>,
    ) -> Result<Response, ApiError> {
        let body = || body.as_deref().map_or(Body::Empty, Body::Json);
        let signal = self.client.signal.as_ref();
        let mut token = self.client.tokens.get(&self.key).await?;
        let mut renewed = false;
        loop {
            let response = fetch(method, url, Some(&token.access_token), body(), signal).await?;
            match response.status() {
                401 if renewed => return Err(ApiError::AuthRequired),
                401 | 403 if !renewed => {}
                _ => return Ok(response),
            }
            token = self.client.tokens.renew(&self.key, &token).await?;
            renewed = true;
        }
    }
}

/// What a request sends besides its method and URL.
pub(crate) enum Body<'a> {
    Empty,
    /// JSON text.
    Json(&'a str),
    /// An HTML form's encoding (`application/x-www-form-urlencoded`), for the standalone
    /// page's OAuth endpoints.
    #[cfg(feature = "standalone")]
    Form(&'a web_sys::UrlSearchParams),
}

/// `fetch`, which every HTTP call of the micro-frontend goes through: the data routes and the
/// exchange here, the standalone page's sign-in (`standalone::oidc`). An optional bearer
/// token, a body, and the mount's abort signal.
pub(crate) async fn fetch(
    method: &str,
    url: &str,
    bearer: Option<&str>,
    body: Body<'_>,
    signal: Option<&AbortSignal>,
) -> Result<Response, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_signal(signal);
    // A fresh Headers accepts these names and values; `set` only throws for forbidden ones.
    let headers = Headers::new().map_err(ApiError::from_fetch)?;
    if let Some(bearer) = bearer {
        let _ = headers.set("Authorization", &format!("Bearer {bearer}"));
    }
    match body {
        Body::Empty => {}
        Body::Json(text) => {
            let _ = headers.set("Content-Type", "application/json");
            init.set_body(&JsValue::from_str(text));
        }
        // The browser sets the form's content type itself.
        #[cfg(feature = "standalone")]
        Body::Form(form) => init.set_body(form),
    }
    init.set_headers(&headers);
    let answer = JsFuture::from(window().fetch_with_str_and_init(url, &init))
        .await
        .map_err(ApiError::from_fetch)?;
    Ok(answer.unchecked_into())
}

fn header(response: &Response, name: &str) -> Option<String> {
    response.headers().get(name).ok().flatten()
}

/// A request body as JSON text.
fn to_json(value: &impl Encode) -> Result<String, ApiError> {
    js_sys::JSON::stringify(&value.encode())
        .map(String::from)
        .map_err(ApiError::from_body)
}

/// A JSON body decoded into `T`.
pub(crate) async fn json<T: Decode>(response: &Response) -> Result<T, ApiError> {
    decode(&parsed(response).await?)
}

/// A JSON body, parsed by the browser.
async fn parsed(response: &Response) -> Result<JsValue, ApiError> {
    JsFuture::from(response.json().map_err(ApiError::from_body)?)
        .await
        .map_err(ApiError::from_body)
}

fn decode<T: Decode>(value: &JsValue) -> Result<T, ApiError> {
    T::decode(value).map_err(|e| ApiError::Decode(e.to_string()))
}

/// The body of a success, or the problem of a failure.
async fn read<T: Decode>(response: Response) -> Result<T, ApiError> {
    if response.ok() {
        json(&response).await
    } else {
        Err(problem_of(&response).await)
    }
}

/// Decodes a problem+json body; anything else (a proxy's HTML page, say) becomes a problem
/// with the status line, so views have one shape to show.
async fn problem_of(response: &Response) -> ApiError {
    let status = response.status();
    let is_json = header(response, "content-type").is_some_and(|t| t.contains("json"));
    if is_json && let Ok(mut problem) = json::<Problem>(response).await {
        problem.status = status;
        return ApiError::Problem(Box::new(problem));
    }
    let text = response.status_text();
    let title = if text.is_empty() {
        format!("HTTP {status}")
    } else {
        text
    };
    ApiError::problem(status, &title, None)
}
