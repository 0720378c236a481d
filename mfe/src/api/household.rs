//! The data calls of one household, with its internal token: [`Client`] holds what they
//! share across households, [`HouseholdApi`] makes them for one.

use shared::Role;
use shared::fuel_logs::{FuelLog, NewFuelLog};
use shared::households::{Members, RoleChange};
use shared::invitations::{Decision, Invitation, JoinRequests, NewInvitation};
use shared::page::{MAX_LIMIT, Page};
use shared::paths::Household;
use shared::summary::Summary;
use shared::vehicles::{NewVehicle, Vehicle, VehiclePatch};
use uuid::Uuid;
use wasm_bindgen::JsValue;
use web_sys::{AbortSignal, Response};

use super::error::ApiError;
use super::http::{Body, decode, fetch, parsed, problem_of, to_json};
use crate::json::Decode;
use crate::token::{Token, TokenKey, TokenManager};

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
        let key = TokenKey::new(household_id, api_base);
        HouseholdApi {
            client: self.clone(),
            paths: Household::at(&key.api_base, household_id),
            key,
        }
    }
}

/// The data routes of one household.
#[derive(Clone)]
pub struct HouseholdApi {
    client: Client,
    key: TokenKey,
    /// Its routes at its API base (`shared::paths`).
    paths: Household,
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
        Ok(self.list(&self.paths.vehicles(), u32::MAX).await?.items)
    }

    pub async fn create_vehicle(&self, vehicle: &NewVehicle) -> Result<Vehicle, ApiError> {
        let body = to_json(vehicle)?;
        let url = self.paths.vehicles();
        self.call("POST", &url, Some(body)).await
    }

    pub async fn vehicle(&self, id: Uuid) -> Result<Vehicle, ApiError> {
        let url = self.paths.vehicle(id);
        self.call("GET", &url, None).await
    }

    pub async fn update_vehicle(
        &self,
        id: Uuid,
        patch: &VehiclePatch,
    ) -> Result<Vehicle, ApiError> {
        let body = to_json(patch)?;
        let url = self.paths.vehicle(id);
        self.call("PATCH", &url, Some(body)).await
    }

    pub async fn delete_vehicle(&self, id: Uuid) -> Result<(), ApiError> {
        let url = self.paths.vehicle(id);
        self.done("DELETE", &url, None).await
    }

    /// A vehicle's newest `count` fuel logs, newest first; `next_cursor` says whether there
    /// are older ones.
    pub async fn fuel_logs(&self, vehicle_id: Uuid, count: u32) -> Result<Page<FuelLog>, ApiError> {
        self.list(&self.paths.fuel_logs(vehicle_id), count).await
    }

    pub async fn add_fuel_log(
        &self,
        vehicle_id: Uuid,
        log: &NewFuelLog,
    ) -> Result<FuelLog, ApiError> {
        let body = to_json(log)?;
        let url = self.paths.fuel_logs(vehicle_id);
        self.call("POST", &url, Some(body)).await
    }

    pub async fn summary(&self) -> Result<Summary, ApiError> {
        let url = self.paths.summary();
        self.call("GET", &url, None).await
    }

    /// The members with their roles, owners first.
    pub async fn members(&self) -> Result<Members, ApiError> {
        let url = self.paths.members();
        self.call("GET", &url, None).await
    }

    /// Owners only; the last owner cannot be demoted (409).
    pub async fn change_role(&self, sub: &str, role: Role) -> Result<(), ApiError> {
        let body = to_json(&RoleChange {
            role: role.as_str().to_owned(),
        })?;
        let url = self.paths.member(sub);
        self.done("PATCH", &url, Some(body)).await
    }

    /// Removes a member (owners), or the caller itself: leaving. The last owner cannot
    /// leave (409).
    pub async fn remove_member(&self, sub: &str) -> Result<(), ApiError> {
        let url = self.paths.member(sub);
        self.done("DELETE", &url, None).await
    }

    /// A single-use code for `role`, which may not be above the caller's own.
    pub async fn invite(&self, role: Role) -> Result<Invitation, ApiError> {
        let body = to_json(&NewInvitation {
            role: role.as_str().to_owned(),
        })?;
        let url = self.paths.invitations();
        self.call("POST", &url, Some(body)).await
    }

    /// The pending join requests, oldest first (owners only).
    pub async fn join_requests(&self) -> Result<JoinRequests, ApiError> {
        let url = self.paths.join_requests();
        self.call("GET", &url, None).await
    }

    /// Approves (the requester becomes a member with the invitation's role) or denies.
    pub async fn decide(&self, sub: &str, decision: Decision) -> Result<(), ApiError> {
        let url = self.paths.join_request(sub, decision);
        self.done("POST", &url, None).await
    }

    fn list_url(&self, path: &str, cursor: Option<&str>, limit: u32) -> String {
        let mut url = format!("{path}?limit={limit}");
        if let Some(cursor) = cursor {
            url.push_str("&cursor=");
            url.push_str(&String::from(js_sys::encode_uri_component(cursor)));
        }
        url
    }

    /// Up to `count` items of a list route, following its cursors a page (at most
    /// `MAX_LIMIT` items) at a time; `next_cursor` is set when more remain.
    async fn list<T: Decode>(&self, path: &str, count: u32) -> Result<Page<T>, ApiError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let wanted = count.saturating_sub(items.len() as u32).clamp(1, MAX_LIMIT);
            let url = self.list_url(path, cursor.as_deref(), wanted);
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
