//! The session cookie. It remembers who signed in, as Auth0's session cookie does, so that
//! signing in again (after a reload of the app, say) skips the user picker until the user
//! signs out. It names a demo user, whom anyone may pick on this issuer's page anyway, so
//! it needs no signature; it is HttpOnly, `SameSite=Lax` and scoped to the issuer's path.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use url::Url;

use super::{DevIdpConfig, DevUser};

const SESSION_COOKIE: &str = "dev_idp_session";

/// The demo user the session cookie names, if it names one.
pub(super) fn user<'a>(config: &'a DevIdpConfig, jar: &CookieJar) -> Option<&'a DevUser> {
    config.user(jar.get(SESSION_COOKIE)?.value())
}

/// `jar` with a session for `sub`.
pub(super) fn start(config: &DevIdpConfig, jar: CookieJar, sub: &str) -> CookieJar {
    jar.add(cookie(config, sub.to_owned()))
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
