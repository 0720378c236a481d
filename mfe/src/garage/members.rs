//! The household's people. Everyone sees the members and their roles, and may leave;
//! owners also change roles, remove members, create invitation codes and approve or deny
//! join requests.
//!
//! Every change goes through [`People::act`]: one "busy" flag and one message for the whole
//! view, and afterwards, whatever the answer, the lists load again, so the screen always
//! shows the server's state (a refused role change puts the select back). The server's
//! refusals (the last owner cannot be demoted or leave: 409) show with their title and
//! detail. Leaving ends the caller's access; the garage then asks the exchange again, whose
//! 403 blocks it as any lost access does.
//!
//! Kept plain on purpose: this view ships in the element bundle, whose size is budgeted.

use std::future::Future;
use std::pin::Pin;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Role;
use shared::households::Member;
use shared::invitations::{Invitation, JoinRequest};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::context::Garage;
use super::load::load;
use super::status::{ErrorNote, Placeholder};
use crate::api::{ApiError, HouseholdApi};
use crate::jwt::Claims;

/// What the view's parts share. `Copy`: reactive handles only.
#[derive(Clone, Copy)]
struct People {
    garage: Garage,
    /// Bumped after every change: the lists load again.
    rev: RwSignal<u64>,
    busy: RwSignal<bool>,
    /// Why the last change was refused.
    failure: RwSignal<Option<ApiError>>,
}

/// A change to send; boxed, so that `act` is compiled once for all of them.
type Change = Pin<Box<dyn Future<Output = Result<(), ApiError>>>>;

impl People {
    /// Sends `change`, built from the current household's calls.
    fn act(self, change: impl FnOnce(HouseholdApi) -> Change) {
        self.failure.set(None);
        self.busy.set(true);
        let change = change(self.garage.api_untracked());
        spawn_local(async move {
            let outcome = self.garage.observe(change.await);
            // `try_`: leaving may have unmounted the view by now.
            self.failure
                .try_set(outcome.err().filter(|e| *e != ApiError::Cancelled));
            self.busy.try_set(false);
            self.rev.try_update(|n| *n += 1);
        });
    }
}

/// The members, and who the caller is among them.
struct Roster {
    members: Vec<Member>,
    /// The caller's subject, from the internal token (`None` if it cannot be read).
    me: Option<String>,
}

/// What the confirmation box asks about.
#[derive(Clone)]
enum Confirm {
    Remove(String),
    Leave,
}

#[component]
pub fn MembersView() -> impl IntoView {
    let garage = Garage::expect();
    let people = People {
        garage,
        rev: RwSignal::new(0),
        busy: RwSignal::new(false),
        failure: RwSignal::new(None),
    };
    let roster = load(move || {
        let api = garage.api();
        people.rev.track();
        async move { garage.observe(roster(&api, garage).await) }
    });
    let owner = move || garage.role() == Some(Role::Owner);
    let confirm = RwSignal::new(None::<Confirm>);

    let rows = move || {
        let owner = owner();
        roster.with(|state| match state {
            Some(Ok(roster)) => roster
                .members
                .iter()
                .map(|m| {
                    let me = roster.me.as_deref() == Some(m.user_sub.as_str());
                    member_row(people, confirm, m.clone(), me, owner)
                })
                .collect_view(),
            _ => Vec::new(),
        })
    };
    let may_leave = move || roster.with(|state| matches!(state, Some(Ok(r)) if r.me.is_some()));
    let leave = move || {
        let me = roster.with_untracked(|state| match state {
            Some(Ok(roster)) => roster.me.clone(),
            _ => None,
        });
        if let Some(me) = me {
            people.act(move |api| {
                Box::pin(async move {
                    api.remove_member(&me).await?;
                    garage.recheck_access();
                    Ok(())
                })
            });
        }
    };
    let confirmation = move || {
        confirm.get().map(|asked| {
            let (text, label) = match &asked {
                Confirm::Remove(sub) => (
                    format!("Remove {sub} from this household? They lose access at once."),
                    "Remove",
                ),
                Confirm::Leave => (
                    "Leave this household? You lose access at once, until an owner lets you in again."
                        .to_owned(),
                    "Leave",
                ),
            };
            view! {
                <div class="hh-confirm" role="alertdialog" aria-label=format!("Confirm: {label}")>
                    <p>{text}</p>
                    <button
                        type="button"
                        class="hh-danger"
                        disabled=move || people.busy.get()
                        on:click=move |_| {
                            confirm.set(None);
                            match &asked {
                                Confirm::Remove(sub) => {
                                    let sub = sub.clone();
                                    people
                                        .act(move |api| Box::pin(async move { api.remove_member(&sub).await }));
                                }
                                Confirm::Leave => leave(),
                            }
                        }
                    >
                        {label}
                    </button>
                    <button type="button" on:click=move |_| confirm.set(None)>
                        "Cancel"
                    </button>
                </div>
            }
        })
    };

    view! {
        <section class="hh-section" aria-labelledby="hh-members">
            <header class="hh-section-head">
                <h2 id="hh-members">"Members"</h2>
                {move || {
                    may_leave()
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    class="hh-danger"
                                    on:click=move |_| confirm.set(Some(Confirm::Leave))
                                >
                                    "Leave household"
                                </button>
                            }
                        })
                }}
            </header>
            {move || {
                roster
                    .with(|state| Placeholder::of(state, |r| r.members.is_empty(), "No members."))
                    .map(Placeholder::view)
            }}
            <ul class="hh-list">{rows}</ul>
            {confirmation}
            {move || people.failure.get().map(|error| view! { <ErrorNote error /> })}
        </section>
        {move || owner().then(|| view! { <Invite people /> <Requests people /> })}
    }
}

/// The members, then the token that answered for them: a change of the caller's own role
/// has renewed it by then, so the role the view goes by is the new one.
async fn roster(api: &HouseholdApi, garage: Garage) -> Result<Roster, ApiError> {
    let members = api.members().await?.members;
    let token = api.token().await?;
    garage.set_role(token.household_id, token.role);
    let me = Claims::of(&token.access_token).and_then(|claims| claims.string("sub"));
    Ok(Roster { members, me })
}

/// One member: for owners a role select, and "Remove" for anyone but themselves (they
/// leave instead).
fn member_row(
    people: People,
    confirm: RwSignal<Option<Confirm>>,
    member: Member,
    me: bool,
    owner: bool,
) -> impl IntoView {
    let sub = member.user_sub;
    let role = if owner {
        let target = sub.clone();
        let change = move |ev| {
            if let Some(role) = Role::parse(&event_target_value(&ev)) {
                let target = target.clone();
                people
                    .act(move |api| Box::pin(async move { api.change_role(&target, role).await }));
            }
        };
        view! {
            <select
                aria-label=format!("Role of {sub}")
                disabled=move || people.busy.get()
                on:change=change
            >
                {role_options(member.role, Role::Owner)}
            </select>
        }
        .into_any()
    } else {
        view! { <span class="hh-muted">{member.role.as_str()}</span> }.into_any()
    };
    let remove = (owner && !me).then(|| {
        let target = sub.clone();
        view! {
            <button
                type="button"
                class="hh-danger"
                aria-label=format!("Remove {sub}")
                on:click=move |_| confirm.set(Some(Confirm::Remove(target.clone())))
            >
                "Remove"
            </button>
        }
    });
    view! {
        <li class="hh-row">
            <span class="hh-grow">{sub.clone()} {me.then_some(" (you)")}</span>
            {role}
            {remove}
        </li>
    }
}

/// The roles up to `highest` (nobody grants a role above their own), `selected` chosen.
fn role_options(selected: Role, highest: Role) -> impl IntoView {
    [Role::Owner, Role::Member, Role::Viewer]
        .into_iter()
        .filter(move |r| r.rank() <= highest.rank())
        .map(move |r| view! { <option value=r.as_str() selected=r == selected>{r.as_str()}</option> })
        .collect_view()
}

/// Owners: a single-use code for a role no higher than their own, with a copy button.
#[component]
fn Invite(people: People) -> impl IntoView {
    let own = people.garage.role().unwrap_or(Role::Viewer);
    let role = RwSignal::new(if own == Role::Owner {
        Role::Member
    } else {
        own
    });
    let made = RwSignal::new(None::<Invitation>);
    let copied = RwSignal::new("Copy");
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let role = role.get_untracked();
        people.act(move |api| {
            Box::pin(async move {
                made.try_set(Some(api.invite(role).await?));
                copied.try_set("Copy");
                Ok(())
            })
        });
    };
    let code = move || {
        made.get().map(|invitation| {
            let text = invitation.code.clone();
            let copy = move |_| {
                let written = clipboard().map(|c| JsFuture::from(c.write_text(&text)));
                spawn_local(async move {
                    let done = match written {
                        Some(written) => written.await.is_ok(),
                        None => false,
                    };
                    copied.try_set(if done {
                        "Copied"
                    } else {
                        "Copy failed: select the code"
                    });
                });
            };
            view! {
                <div class="hh-row">
                    <input
                        class="hh-grow"
                        readonly
                        aria-label="Invitation code"
                        value=invitation.code
                    />
                    <button type="button" on:click=copy>
                        {move || copied.get()}
                    </button>
                </div>
                <p class="hh-muted">
                    "Single use, for the role " {invitation.role.as_str()} ", until "
                    {invitation.expires_at.date_naive().to_string()}
                    ". Whoever redeems it asks to join; an owner approves below."
                </p>
            }
        })
    };
    view! {
        <section class="hh-section" aria-labelledby="hh-invite">
            <header class="hh-section-head">
                <h2 id="hh-invite">"Invite someone"</h2>
            </header>
            <form class="hh-row" on:submit=create>
                <label>
                    "Role "
                    <select on:change=move |ev| {
                        if let Some(r) = Role::parse(&event_target_value(&ev)) {
                            role.set(r);
                        }
                    }>{role_options(role.get_untracked(), own)}</select>
                </label>
                <button type="submit" class="hh-primary" disabled=move || people.busy.get()>
                    "Create invitation code"
                </button>
            </form>
            {code}
        </section>
    }
}

/// The clipboard, which pages that are not a secure context (plain http off loopback) do
/// not have: calling into the missing object would throw.
fn clipboard() -> Option<web_sys::Clipboard> {
    let clipboard = js_sys::Reflect::get(&window().navigator(), &"clipboard".into()).ok()?;
    (!clipboard.is_undefined() && !clipboard.is_null()).then(|| clipboard.unchecked_into())
}

/// Owners: who asks to join, with approve and deny.
#[component]
fn Requests(people: People) -> impl IntoView {
    let garage = people.garage;
    let requests = load(move || {
        let api = garage.api();
        people.rev.track();
        async move { garage.observe(api.join_requests().await) }
    });
    let rows = move || {
        requests.get().and_then(Result::ok).map(|list| {
            list.requests
                .into_iter()
                .map(|r| request_row(people, r))
                .collect_view()
        })
    };
    view! {
        <section class="hh-section" aria-labelledby="hh-requests">
            <header class="hh-section-head">
                <h2 id="hh-requests">"Join requests"</h2>
                <button type="button" on:click=move |_| people.rev.update(|n| *n += 1)>
                    "Refresh"
                </button>
            </header>
            {move || {
                requests
                    .with(|state| {
                        Placeholder::of(state, |r| r.requests.is_empty(), "Nobody is waiting to join.")
                    })
                    .map(Placeholder::view)
            }}
            <ul class="hh-list">{rows}</ul>
        </section>
    }
}

fn request_row(people: People, request: JoinRequest) -> impl IntoView {
    let sub = request.requester_sub;
    let decide = |approve: bool, label: &'static str, class: &'static str| {
        let target = sub.clone();
        view! {
            <button
                type="button"
                class=class
                aria-label=format!("{label} {sub}")
                disabled=move || people.busy.get()
                on:click=move |_| {
                    let target = target.clone();
                    people.act(move |api| Box::pin(async move { api.decide(&target, approve).await }));
                }
            >
                {label}
            </button>
        }
    };
    view! {
        <li class="hh-row">
            <span class="hh-grow">
                {sub.clone()} " asks to join as " {request.role.as_str()} " ("
                {request.requested_at.date_naive().to_string()} ")"
            </span>
            {decide(true, "Approve", "hh-primary")}
            {decide(false, "Deny", "hh-danger")}
        </li>
    }
}
