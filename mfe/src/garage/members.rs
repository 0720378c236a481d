//! The household's people. Everyone sees the members and their roles, and may leave;
//! owners also change roles, remove members, create invitation codes and approve or deny
//! join requests.
//!
//! The lists are one markup string (every name escaped) with one click and one change
//! handler for all their controls, which name what they do in `data-act` and whom in
//! `data-sub`: typed views for each row and control cost the element bundle some 9 KB
//! gzip more (measured), as the chart's markup does for the same reason. Every change goes
//! through `act`: one busy flag and one message for the view, and afterwards, whatever the
//! answer, the lists load again, so the screen shows the server's state (a refused role
//! change puts the select back). Refusals show the problem's title and detail (the last
//! owner cannot be demoted or leave: 409). Leaving ends the caller's access; the garage then
//! asks the exchange again, whose 403 blocks it as any lost access does.

use std::fmt::Write;

use leptos::ev::{Event, MouseEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::Role;
use shared::households::Member;
use shared::html::escape_html as esc;
use shared::invitations::{Decision, JoinRequest};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;

use super::context::Garage;
use super::load::load;
use super::status::Placeholder;
use crate::api::{ApiError, HouseholdApi};
use crate::jwt;

/// A change to send. One enum, sent by one function, rather than a future per kind of
/// change: less code in the bundle.
enum Change {
    /// Removes the member; `true` when it is the caller, leaving.
    Remove(String, bool),
    Invite(Role),
    /// Approves or denies the subject's request.
    Decide(String, Decision),
    Role(String, Role),
}

/// Sends `change`; a new invitation's markup goes to `invitation`.
async fn send(
    api: HouseholdApi,
    garage: Garage,
    change: Change,
    invitation: RwSignal<Option<String>>,
) -> Result<(), ApiError> {
    match change {
        Change::Remove(sub, leaving) => {
            api.remove_member(&sub).await?;
            if leaving {
                garage.recheck_access();
            }
        }
        Change::Invite(role) => {
            let made = api.invite(role).await?;
            let code = esc(&made.code);
            invitation.try_set(Some(format!(
                r#"<div class="hh-row"><input class="hh-grow" readonly aria-label="Invitation code" value="{code}"><button type="button" data-act="copy" data-sub="{code}">Copy</button></div><p class="hh-muted">Single use, for the role {}, until {}. Whoever redeems it asks to join; an owner approves below.</p>"#,
                made.role.as_str(),
                made.expires_at.date_naive()
            )));
        }
        Change::Decide(sub, decision) => api.decide(&sub, decision).await?,
        Change::Role(sub, role) => api.change_role(&sub, role).await?,
    }
    Ok(())
}

#[component]
pub fn MembersView() -> impl IntoView {
    let garage = Garage::expect();
    // Bumped after every change: the lists load again.
    let rev = RwSignal::new(0_u64);
    let busy = RwSignal::new(false);
    // Markup: why the last change was refused, and the invitation just made.
    let failure = RwSignal::new(None::<String>);
    let invitation = RwSignal::new(None::<String>);
    // The subject whose removal awaits confirmation (the caller's own: leaving).
    let asked = RwSignal::new(None::<String>);
    let drawn = Drawn {
        members: RwSignal::new(None),
        requests: RwSignal::new(None),
        me: RwSignal::new(None),
    };
    let role = load(move || {
        let api = garage.api();
        rev.track();
        async move { garage.observe(roster(&api, garage, drawn).await) }
    });

    let act = move |change: Change| {
        failure.set(None);
        busy.set(true);
        let api = garage.api_untracked();
        spawn_local(async move {
            let outcome = garage.observe(send(api, garage, change, invitation).await);
            // `try_`: leaving may have unmounted the view by now.
            failure.try_set(match outcome {
                Err(error) if error != ApiError::Cancelled => Some(problem(&error)),
                _ => None,
            });
            busy.try_set(false);
            rev.try_update(|n| *n += 1);
        });
    };
    let click = move |ev: MouseEvent| {
        let Some(target) = acting(ev.target()) else {
            return;
        };
        let sub = target.get_attribute("data-sub").unwrap_or_default();
        match target.get_attribute("data-act").as_deref() {
            Some("ask") => asked.set(Some(sub)),
            Some("cancel") => asked.set(None),
            Some("remove") => {
                asked.set(None);
                let leaving = drawn.me.get_untracked().as_deref() == Some(sub.as_str());
                act(Change::Remove(sub, leaving));
            }
            Some("invite") => {
                let chosen = ev
                    .current_target()
                    .and_then(|t| t.dyn_into::<Element>().ok())
                    .and_then(|v| v.query_selector("[data-invite]").ok().flatten())
                    .and_then(|select| value(&select))
                    .and_then(|v| Role::parse(&v));
                if let Some(role) = chosen {
                    act(Change::Invite(role));
                }
            }
            Some(verdict @ ("approve" | "deny")) => {
                let decision = if verdict == "approve" {
                    Decision::Approve
                } else {
                    Decision::Deny
                };
                act(Change::Decide(sub, decision))
            }
            Some("copy") => copy(target, sub),
            _ => {}
        }
    };
    let change = move |ev: Event| {
        let Some(target) = acting(ev.target()) else {
            return;
        };
        let sub = target.get_attribute("data-sub").unwrap_or_default();
        if let Some(role) = value(&target).and_then(|v| Role::parse(&v)) {
            act(Change::Role(sub, role));
        }
    };
    let markup = move || {
        let Some(Ok(role)) = role.get() else {
            return String::new();
        };
        // A disabled fieldset disables every control in it while a change is sent.
        let mut out = String::from(if busy.get() {
            "<fieldset disabled>"
        } else {
            "<fieldset>"
        });
        out.push_str(&drawn.members.get().unwrap_or_default());
        if let Some(sub) = asked.get() {
            confirmation(
                &mut out,
                &sub,
                drawn.me.get().as_deref() == Some(sub.as_str()),
            );
        }
        out.push_str(&failure.get().unwrap_or_default());
        if role == Role::Owner {
            let _ = write!(
                out,
                r#"<section class="hh-section" aria-labelledby="hh-invite"><header class="hh-section-head"><h2 id="hh-invite">Invite someone</h2></header><div class="hh-row"><label>Role <select data-invite>{}</select></label><button type="button" class="hh-primary" data-act="invite">Create invitation code</button></div>{}</section>"#,
                role_options(Role::Member, role),
                invitation.get().unwrap_or_default()
            );
            out.push_str(&drawn.requests.get().unwrap_or_default());
        }
        out.push_str("</fieldset>");
        out
    };

    view! {
        <section class="hh-section" aria-labelledby="hh-members">
            {move || role.with(|state| Placeholder::of(state, |_| false, "")).map(Placeholder::view)}
            <div on:click=click on:change=change inner_html=markup></div>
        </section>
    }
}

/// What an answer drew: the members' markup (heading, "Leave household", the list), the
/// join requests' for owners, and the caller's subject. Drawn once per answer, as markup
/// in signals of a type the garage already has, so that the view adds no reactive type of
/// its own to the bundle.
#[derive(Clone, Copy)]
struct Drawn {
    members: RwSignal<Option<String>>,
    requests: RwSignal<Option<String>>,
    /// From the internal token (`None` if it cannot be read).
    me: RwSignal<Option<String>>,
}

/// Loads and draws the members, then reads the token that answered for them (a change of
/// the caller's own role has renewed it by then, so the role the view goes by is the new
/// one), then for owners the join requests. Answers the caller's role.
async fn roster(api: &HouseholdApi, garage: Garage, drawn: Drawn) -> Result<Role, ApiError> {
    let members = api.members().await?.members;
    let token = api.token().await?;
    garage.set_role(token.household_id, token.role);
    let me = jwt::subject(&token.access_token);
    let owner = token.role == Role::Owner;
    let requests = match owner {
        true => Some(requests(&api.join_requests().await?.requests)),
        false => None,
    };
    drawn
        .members
        .try_set(Some(members_list(&members, me.as_deref(), owner)));
    drawn.requests.try_set(requests);
    drawn.me.try_set(me);
    Ok(token.role)
}

/// The element with a `data-act` that an event reached.
fn acting(target: Option<web_sys::EventTarget>) -> Option<Element> {
    let element = target?.dyn_into::<Element>().ok()?;
    element.closest("[data-act]").ok().flatten()
}

/// A form control's current value.
fn value(control: &Element) -> Option<String> {
    js_sys::Reflect::get(control, &"value".into())
        .ok()?
        .as_string()
}

/// A refusal: the problem's title, and its detail when it has one.
fn problem(error: &ApiError) -> String {
    let detail = match error {
        ApiError::Problem(problem) => problem.detail.as_deref().map(esc),
        ApiError::Network(_) => Some("Check your connection.".to_owned()),
        _ => None,
    };
    format!(
        r#"<div class="hh-error" role="alert"><strong>{}</strong><p>{}</p></div>"#,
        esc(&error.title()),
        detail.unwrap_or_default()
    )
}

/// The heading with "Leave household", and the members: for owners with a role select and
/// "Remove" (for anyone but themselves: they leave instead).
fn members_list(members: &[Member], me: Option<&str>, owner: bool) -> String {
    let mut out =
        String::from(r#"<header class="hh-section-head"><h2 id="hh-members">Members</h2>"#);
    if let Some(me) = me {
        let me = esc(me);
        let _ = write!(
            out,
            r#"<button type="button" class="hh-danger" data-act="ask" data-sub="{me}">Leave household</button>"#
        );
    }
    out.push_str(r#"</header><ul class="hh-list">"#);
    for member in members {
        let own = me == Some(member.sub.as_str());
        let sub = esc(&member.sub);
        let you = if own { " (you)" } else { "" };
        let _ = write!(
            out,
            r#"<li class="hh-row"><span class="hh-grow">{sub}{you}</span>"#
        );
        if owner {
            let _ = write!(
                out,
                r#"<select aria-label="Role of {sub}" data-act="role" data-sub="{sub}">{}</select>"#,
                role_options(member.role, Role::Owner)
            );
        } else {
            let _ = write!(
                out,
                r#"<span class="hh-muted">{}</span>"#,
                member.role.as_str()
            );
        }
        if owner && !own {
            let _ = write!(
                out,
                r#"<button type="button" class="hh-danger" aria-label="Remove {sub}" data-act="ask" data-sub="{sub}">Remove</button>"#
            );
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    out
}

/// The confirmation of a removal, or of leaving when `sub` is the caller.
fn confirmation(out: &mut String, sub: &str, leaving: bool) {
    let sub = esc(sub);
    let (text, label) = if leaving {
        (
            "Leave this household? You lose access at once, until an owner lets you in again."
                .to_owned(),
            "Leave",
        )
    } else {
        (
            format!("Remove {sub} from this household? They lose access at once."),
            "Remove",
        )
    };
    let _ = write!(
        out,
        r#"<div class="hh-confirm" role="alertdialog" aria-label="Confirm: {label}"><p>{text}</p><button type="button" class="hh-danger" data-act="remove" data-sub="{sub}">{label}</button> <button type="button" data-act="cancel">Cancel</button></div>"#
    );
}

/// Owners: the pending join requests, with approve and deny.
fn requests(requests: &[JoinRequest]) -> String {
    let mut out = String::from(
        r#"<section class="hh-section" aria-labelledby="hh-requests"><header class="hh-section-head"><h2 id="hh-requests">Join requests</h2></header>"#,
    );
    if requests.is_empty() {
        out.push_str(r#"<p class="hh-empty">Nobody is waiting to join.</p>"#);
    }
    out.push_str(r#"<ul class="hh-list">"#);
    for request in requests {
        let sub = esc(&request.requester_sub);
        let _ = write!(
            out,
            r#"<li class="hh-row"><span class="hh-grow">{sub} asks to join as {} ({})</span><button type="button" class="hh-primary" aria-label="Approve {sub}" data-act="approve" data-sub="{sub}">Approve</button><button type="button" class="hh-danger" aria-label="Deny {sub}" data-act="deny" data-sub="{sub}">Deny</button></li>"#,
            request.role.as_str(),
            request.requested_at.date_naive()
        );
    }
    out.push_str("</ul></section>");
    out
}

/// The roles up to `highest` (nobody grants a role above their own), `selected` chosen.
fn role_options(selected: Role, highest: Role) -> String {
    [Role::Owner, Role::Member, Role::Viewer]
        .into_iter()
        .filter(|r| r.rank() <= highest.rank())
        .map(|r| {
            let chosen = if r == selected { " selected" } else { "" };
            format!(r#"<option value="{0}"{chosen}>{0}</option>"#, r.as_str())
        })
        .collect()
}

/// Copies `code` and says on `button` whether that worked. Pages that are not a secure
/// context (plain http off loopback) have no clipboard: calling into it would throw.
fn copy(button: Element, code: String) {
    let clipboard = js_sys::Reflect::get(&window().navigator(), &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined() && !c.is_null())
        .map(|c| c.unchecked_into::<web_sys::Clipboard>());
    let written = clipboard.map(|c| JsFuture::from(c.write_text(&code)));
    spawn_local(async move {
        let done = match written {
            Some(written) => written.await.is_ok(),
            None => false,
        };
        button.set_text_content(Some(if done {
            "Copied"
        } else {
            "Copy failed: select the code"
        }));
    });
}
