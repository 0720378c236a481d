//! What the standalone page's parts share, provided once as context: the login, the
//! sign-in, the one token manager, the caller's households and what the toolbar shows.
//!
//! The token manager is built here rather than with `api::token_manager` so that every
//! exchange also reports to the toolbar (the token it granted, and that one started),
//! whoever asked for it: the garage, a forced refresh or a 401 renewal. The toolbar only
//! watches; it never asks for a token itself, so showing it costs no exchange.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::households::MyHouseholds;
use uuid::Uuid;

use super::error::LoginError;
use super::oidc::{Oidc, Session};
use crate::api::{self, ApiError, Client};
use crate::token::{TokenError, TokenKey, TokenManager};

/// The page's state; `Copy`, as it holds only reactive handles.
#[derive(Clone, Copy)]
pub struct Standalone {
    oidc: StoredValue<Oidc>,
    pub session: RwSignal<Option<Session>>,
    /// Why a login or logout failed, for the header; empty when nothing did.
    pub problem: RwSignal<String>,
    client: StoredValue<Client, LocalStorage>,
    /// The internal token each household's latest exchange granted.
    pub grants: RwSignal<HashMap<Uuid, String>>,
    /// Notified when an exchange starts.
    exchanged: Trigger,
    pub households: LocalResource<Result<MyHouseholds, ApiError>>,
}

impl Standalone {
    /// `signed_in`: the outcome of a sign-in that has just come back, if any.
    pub fn new(oidc: Oidc, signed_in: Result<Option<Session>, LoginError>) -> Self {
        let (session, problem) = match signed_in {
            Ok(session) => (session, String::new()),
            Err(error) => (None, error.to_string()),
        };
        let session = RwSignal::new(session);
        let (grants, exchanged) = (RwSignal::new(HashMap::new()), Trigger::new());
        let tokens = TokenManager::new(
            move |key: &TokenKey| {
                exchanged.notify();
                let access_token = usable_token(session);
                let key = key.clone();
                async move {
                    let access_token = access_token.ok_or(TokenError::Unauthorized)?;
                    let answer = api::exchange(&key, &access_token, None).await;
                    grants.update(|grants| {
                        match &answer {
                            Ok(grant) => {
                                grants.insert(key.household_id, grant.access_token.clone())
                            }
                            Err(_) => grants.remove(&key.household_id),
                        };
                    });
                    answer
                }
            },
            api::now_secs,
        );
        let api_base = oidc.config.api_base.clone();
        let households = LocalResource::new(move || {
            let (api_base, access_token) =
                (api_base.clone(), session.get().map(|s| s.access_token));
            async move {
                let access_token = access_token.ok_or(ApiError::AuthRequired)?;
                api::my_households(&api_base, &access_token, None).await
            }
        });
        Self {
            oidc: StoredValue::new(oidc),
            session,
            problem: RwSignal::new(problem),
            client: StoredValue::new_local(Client::new(tokens, None)),
            grants,
            exchanged,
            households,
        }
    }

    pub fn expect() -> Self {
        expect_context()
    }

    pub fn client(&self) -> Client {
        self.client.get_value()
    }

    pub fn api_base(&self) -> String {
        self.oidc.with_value(|oidc| oidc.config.api_base.clone())
    }

    /// The Auth0 access token while it is usable, for the calls made before any household
    /// (creating one, redeeming a code).
    pub fn access_token(&self) -> Option<String> {
        usable_token(self.session)
    }

    /// Exchanges started so far; tracks new ones.
    pub fn exchange_count(&self) -> u64 {
        self.exchanged.track();
        self.client.with_value(|c| c.tokens().exchange_count())
    }

    /// Forces a new exchange for the household; the toolbar shows its token.
    pub fn refresh(&self, household: Uuid) {
        let key = TokenKey::new(household, &self.api_base());
        let client = self.client();
        let refresh = client.tokens().refresh(&key);
        spawn_local(async move {
            if let Err(error) = refresh.await {
                leptos::logging::warn!("forced refresh failed: {error}");
            }
        });
    }

    /// Drops every cached token: the next call exchanges again.
    pub fn clear_cache(&self) {
        self.client.with_value(|c| c.tokens().clear());
        self.grants.update(HashMap::clear);
    }

    /// Goes to the issuer; the page comes back to where it is now.
    pub fn login(&self) {
        let here = window().location();
        let return_to = [here.pathname(), here.search(), here.hash()]
            .into_iter()
            .collect::<Result<String, _>>()
            .unwrap_or_default();
        let (oidc, problem) = (self.oidc.get_value(), self.problem);
        spawn_local(async move {
            if let Err(error) = oidc.login(return_to).await {
                problem.set(error.to_string());
            }
        });
    }

    /// Forgets the sign-in and every token, then ends the issuer's session.
    pub fn logout(&self) {
        self.session.set(None);
        self.clear_cache();
        if let Err(error) = self.oidc.with_value(Oidc::logout) {
            self.problem.set(error.to_string());
        }
    }

    /// The API refused the sign-in, or it expired: offer "Sign in" again.
    pub fn signed_out(&self) {
        self.session.set(None);
        self.clear_cache();
        self.problem
            .set("Your sign-in expired or was refused; please sign in again.".to_owned());
    }
}

fn usable_token(session: RwSignal<Option<Session>>) -> Option<String> {
    session.with_untracked(|s| {
        s.as_ref()
            .filter(|s| s.usable())
            .map(|s| s.access_token.clone())
    })
}
