//! The session cookie. It remembers who signed in and when, as Auth0's session cookie does,
//! so that signing in again (after a reload of the app, or silently with `prompt=none`)
//! skips the user picker until the user signs out, and `max_age` can ask for a fresh sign-in.
//! It names a demo user, whom anyone may pick on this issuer's page anyway, so it needs no
//! signature; it is HttpOnly, `SameSite=Lax` and scoped to the issuer's path (`/` under
//! `server dev`). Cookies ignore ports, so on 127.0.0.1 the API's port receives it too, as a
//! tenant's custom domain shares its site's cookies; the API reads no cookie.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use url::Url;

use super::{DevIdpConfig, DevUser};

const SESSION_COOKIE: &str = "dev_idp_session";

/// A signed-in user and when they signed in (seconds since the epoch).
pub(super) struct Session<'a> {
    pub(super) user: &'a DevUser,
    pub(super) auth_time: u64,
}

/// The session the cookie holds (`<auth_time>.<sub>`), if it names a demo user.
pub(super) fn current<'a>(config: &'a DevIdpConfig, jar: &CookieJar) -> Option<Session<'a>> {
    let (auth_time, sub) = jar.get(SESSION_COOKIE)?.value().split_once('.')?;
    Some(Session {
        user: config.user(sub)?,
        auth_time: auth_time.parse().ok()?,
    })
}

/// `jar` with a session for `sub`, signed in at `auth_time`.
pub(super) fn start(config: &DevIdpConfig, jar: CookieJar, sub: &str, auth_time: u64) -> CookieJar {
    jar.add(cookie(config, format!("{auth_time}.{sub}")))
}

/// `jar` with the session cleared, whether or not the request carried one.
pub(super) fn end(config: &DevIdpConfig, jar: CookieJar) -> CookieJar {
    let mut removal = cookie(config, String::new());
    removal.make_removal();
    jar.add(removal)
}

fn cookie(config: &DevIdpConfig, value: String) -> Cookie<'static> {
    let path = Url::parse(&config.issuer).map_or_else(|_| "/".to_owned(), |u| u.path().to_owned());
    Cookie::build((SESSION_COOKIE, value))
        .path(path)
        .http_only(true)
        .same_site(SameSite::Lax)
        .build()
}
