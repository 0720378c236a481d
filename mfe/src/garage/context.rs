//! What every view of the garage shares, provided once as context.
//!
//! `Garage` holds only reactive handles, so it is `Copy + Send + Sync`: closures that capture
//! it meet Leptos's `Send` bounds on reactive views although the [`Client`] inside is
//! single-threaded (it lives in local storage, as everything does in a browser tab).
//! Errors all pass through [`Garage::observe`], the one place that tells the host about
//! them and decides when the whole garage is blocked.

use leptos::prelude::*;
use shared::Role;
use uuid::Uuid;

use super::Notice;
use crate::api::{ApiError, Client, HouseholdApi};

/// Why the garage shows a full-size message instead of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Blocked {
    /// The exchange answered 403: not a member (or no longer: removed, left), or the
    /// household is suspended.
    AccessDenied,
    /// No sign-in, or the API refused it even after one renewal.
    AuthRequired,
}

#[derive(Clone, Copy)]
pub(crate) struct Garage {
    client: StoredValue<Client, LocalStorage>,
    household_id: Signal<Uuid>,
    api_base: Signal<String>,
    session: Signal<u64>,
    /// Bumped by "Try again" after a sign-in or network failure.
    retry: RwSignal<u64>,
    /// Bumped after a vehicle is added, changed or deleted.
    pub vehicles_rev: RwSignal<u64>,
    /// Bumped after a fuel log is added.
    pub logs_rev: RwSignal<u64>,
    /// The vehicles whose fuel logs are open. Held here rather than in each card, because
    /// a reload of the list draws every card anew (see `vehicles`).
    open_logs: RwSignal<Vec<Uuid>>,
    pub blocked: RwSignal<Option<Blocked>>,
    /// The caller's role and the household it was granted for.
    role: RwSignal<Option<(Uuid, Role)>>,
    /// The role for the household on screen, if its exchange has answered. A memo, so
    /// views that depend on it re-render only when it really changes.
    role_here: Memo<Option<Role>>,
    notify: Option<UnsyncCallback<Notice>>,
    /// The household whose first data has been announced as ready.
    announced: StoredValue<Option<Uuid>>,
}

impl Garage {
    pub fn new(
        client: Client,
        household_id: Signal<Uuid>,
        api_base: Signal<String>,
        session: Signal<u64>,
        notify: Option<UnsyncCallback<Notice>>,
    ) -> Self {
        let role = RwSignal::new(None);
        let role_here = Memo::new(move |_| {
            let current = household_id.get();
            role.get()
                .and_then(|(id, role)| (id == current).then_some(role))
        });
        Self {
            client: StoredValue::new_local(client),
            household_id,
            api_base,
            session,
            retry: RwSignal::new(0),
            vehicles_rev: RwSignal::new(0),
            logs_rev: RwSignal::new(0),
            open_logs: RwSignal::new(Vec::new()),
            blocked: RwSignal::new(None),
            role,
            role_here,
            notify,
            announced: StoredValue::new(None),
        }
    }

    pub fn expect() -> Self {
        expect_context::<Self>()
    }

    /// The calls for the current household. Tracks the household, the API base and the
    /// sign-in, so a resource that calls this reloads when any of them changes.
    pub fn api(&self) -> HouseholdApi {
        self.session.track();
        self.retry.track();
        let (base, id) = (self.api_base.get(), self.household_id.get());
        self.client.with_value(|client| client.household(&base, id))
    }

    /// The calls for the current household, for event handlers (no tracking).
    pub fn api_untracked(&self) -> HouseholdApi {
        let (base, id) = (
            self.api_base.get_untracked(),
            self.household_id.get_untracked(),
        );
        self.client.with_value(|client| client.household(&base, id))
    }

    /// Reacts to a change of household or API base: a different household's data.
    pub fn track_household(&self) {
        self.household_id.track();
        self.api_base.track();
    }

    /// Reacts to a change of household, API or sign-in: whatever blocked the old one may
    /// not apply to the new one.
    pub fn track_scope(&self) {
        self.track_household();
        self.session.track();
    }

    /// Whether the vehicle's fuel logs are open.
    pub fn logs_open(&self, vehicle_id: Uuid) -> bool {
        self.open_logs.with(|open| open.contains(&vehicle_id))
    }

    pub fn toggle_logs(&self, vehicle_id: Uuid) {
        self.open_logs
            .update(|open| match open.iter().position(|id| *id == vehicle_id) {
                Some(i) => {
                    open.swap_remove(i);
                }
                None => open.push(vehicle_id),
            });
    }

    /// After the caller changed their own membership (left): the token and its role are
    /// dropped and everything loads again, so the exchange says what access is left (a 403
    /// blocks the garage, as for any lost access).
    pub fn recheck_access(&self) {
        let key = self.api_untracked().key().clone();
        self.client
            .with_value(|client| client.tokens().forget(&key));
        self.try_again();
    }

    pub fn try_again(&self) {
        self.blocked.set(None);
        self.retry.update(|n| *n += 1);
    }

    pub fn set_role(&self, household_id: Uuid, role: Role) {
        self.role.set(Some((household_id, role)));
    }

    /// Whether any household has opened: until then the garage shows the gate's status.
    pub fn opened(&self) -> bool {
        self.role.with(Option::is_some)
    }

    /// The role for the household on screen, if its exchange has answered.
    pub fn role(&self) -> Option<Role> {
        self.role_here.get()
    }

    /// Write controls show only for a role that may write in the household on screen.
    pub fn can_write(&self) -> bool {
        self.role().is_some_and(Role::can_write)
    }

    /// Passes an outcome through, telling the host about a failure. A lost sign-in blocks
    /// the garage; while it is blocked, further failures are consequences and stay quiet.
    pub fn observe<T>(&self, outcome: Result<T, ApiError>) -> Result<T, ApiError> {
        if let Err(error) = &outcome {
            self.report(error);
        }
        outcome
    }

    fn report(&self, error: &ApiError) {
        // `try_`: an answer may arrive after the garage was unmounted and its signals
        // disposed; there is nobody left to tell then.
        if self.blocked.try_get_untracked() != Some(None) {
            return;
        }
        match error {
            ApiError::Cancelled => {}
            ApiError::AuthRequired => {
                self.blocked.set(Some(Blocked::AuthRequired));
                self.notice(Notice::AuthRequired);
            }
            // Told first, as for other failures; then no section is left to fail again.
            ApiError::AccessDenied => {
                self.notice(Notice::Error {
                    status: 403,
                    title: error.title(),
                });
                self.blocked.set(Some(Blocked::AccessDenied));
            }
            // Shown next to the fields of the form that sent it; not the host's concern.
            ApiError::Problem(problem) if problem.status == 422 => {}
            other => self.notice(Notice::Error {
                status: other.status(),
                title: other.title(),
            }),
        }
    }

    /// Announces the first data render of each household once.
    pub fn announce_ready(&self) {
        let current = Some(self.household_id.get_untracked());
        if self.announced.get_value() != current {
            self.announced.set_value(current);
            self.notice(Notice::Ready);
        }
    }

    fn notice(&self, notice: Notice) {
        if let Some(notify) = self.notify {
            // `try_run`: a late answer may arrive after the host unmounted us.
            let _ = notify.try_run(notice);
        }
    }
}
