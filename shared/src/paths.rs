//! The API's URL paths, built in one place. The micro-frontend and the tests call these;
//! the server's routes are the `#[utoipa::path]` strings, and a server test checks every
//! builder here against the OpenAPI document, so a renamed route fails that test.

use uuid::Uuid;

use crate::invitations::Decision;

pub const EXCHANGE: &str = "/exchange";
pub const JWKS: &str = "/.well-known/jwks.json";
pub const MY_HOUSEHOLDS: &str = "/api/me/households";
/// The caller's profile and memberships; `DELETE` erases the caller.
pub const ME: &str = "/api/me";
/// Everything held of the caller that is theirs, as a download.
pub const MY_EXPORT: &str = "/api/me/export";
pub const HOUSEHOLDS: &str = "/api/households";
/// Redeeming an invitation code, with the Auth0 token; the code travels in the body
/// ([`crate::invitations::RedeemInvitation`]), never in a URL that proxies log.
pub const REDEEM: &str = "/api/invitations/redeem";
/// The identity provider's settings for browser code (the standalone page reads them).
pub const CONFIG: &str = "/config.json";

/// The routes of one household below an API base, its root written once: what the
/// micro-frontend holds for the household it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household(String);

impl Household {
    /// `{api_base}/api/households/{household}`; an empty base is the page's own origin.
    pub fn at(api_base: &str, household: Uuid) -> Self {
        Self(format!("{api_base}{HOUSEHOLDS}/{household}"))
    }

    /// The household itself: renamed by PATCH.
    pub fn url(&self) -> &str {
        &self.0
    }

    /// Everything the household holds, as one JSON document.
    pub fn export(&self) -> String {
        format!("{}/export", self.0)
    }

    /// One of its tables as CSV (`fuel_logs`, `vehicles`, `audit_events`).
    pub fn export_csv(&self, table: &str) -> String {
        format!("{}/export.csv?table={table}", self.0)
    }

    pub fn vehicles(&self) -> String {
        format!("{}/vehicles", self.0)
    }

    pub fn vehicle(&self, vehicle: Uuid) -> String {
        format!("{}/vehicles/{vehicle}", self.0)
    }

    pub fn fuel_logs(&self, vehicle: Uuid) -> String {
        format!("{}/vehicles/{vehicle}/fuel-logs", self.0)
    }

    pub fn summary(&self) -> String {
        format!("{}/summary", self.0)
    }

    pub fn members(&self) -> String {
        format!("{}/members", self.0)
    }

    /// One member: the subject is percent-encoded (`auth0|alice` → `auth0%7Calice`).
    pub fn member(&self, sub: &str) -> String {
        format!("{}/members/{}", self.0, segment(sub))
    }

    pub fn invitations(&self) -> String {
        format!("{}/invitations", self.0)
    }

    /// One invitation, by its id (never its code).
    pub fn invitation(&self, invitation: Uuid) -> String {
        format!("{}/invitations/{invitation}", self.0)
    }

    pub fn join_requests(&self) -> String {
        format!("{}/join-requests", self.0)
    }

    /// Approving or denying one person's request.
    pub fn join_request(&self, sub: &str, decision: Decision) -> String {
        format!(
            "{}/join-requests/{}/{}",
            self.0,
            segment(sub),
            decision.as_str()
        )
    }

    pub fn audit_events(&self) -> String {
        format!("{}/audit-events", self.0)
    }
}

// The same paths on the API's own origin, one call each (the tests' way in).

pub fn household(household: Uuid) -> String {
    Household::at("", household).url().to_owned()
}

pub fn export(household: Uuid) -> String {
    Household::at("", household).export()
}

pub fn export_csv(household: Uuid, table: &str) -> String {
    Household::at("", household).export_csv(table)
}

pub fn vehicles(household: Uuid) -> String {
    Household::at("", household).vehicles()
}

pub fn vehicle(household: Uuid, vehicle: Uuid) -> String {
    Household::at("", household).vehicle(vehicle)
}

pub fn fuel_logs(household: Uuid, vehicle: Uuid) -> String {
    Household::at("", household).fuel_logs(vehicle)
}

pub fn summary(household: Uuid) -> String {
    Household::at("", household).summary()
}

pub fn members(household: Uuid) -> String {
    Household::at("", household).members()
}

pub fn member(household: Uuid, sub: &str) -> String {
    Household::at("", household).member(sub)
}

pub fn invitations(household: Uuid) -> String {
    Household::at("", household).invitations()
}

pub fn invitation(household: Uuid, invitation: Uuid) -> String {
    Household::at("", household).invitation(invitation)
}

pub fn join_requests(household: Uuid) -> String {
    Household::at("", household).join_requests()
}

pub fn join_request(household: Uuid, sub: &str, decision: Decision) -> String {
    Household::at("", household).join_request(sub, decision)
}

pub fn audit_events(household: Uuid) -> String {
    Household::at("", household).audit_events()
}

/// The host wrapper page that owns the element for one household.
pub fn host_page(household: Uuid) -> String {
    format!("/household/{household}/mfe")
}

/// Percent-encodes one path segment: every byte but RFC 3986's unreserved characters.
#[cfg(not(all(feature = "js", target_arch = "wasm32")))]
pub fn segment(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// In the browser, `encodeURIComponent`, which leaves `!'()*` as they are (a server
/// decodes either), and keeps an encoder out of the element's bundle.
#[cfg(all(feature = "js", target_arch = "wasm32"))]
pub fn segment(text: &str) -> String {
    js_sys::encode_uri_component(text).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_is_one_escaped_segment() {
        let h = Uuid::nil();
        assert_eq!(
            member(h, "auth0|alice/../x"),
            format!("/api/households/{h}/members/auth0%7Calice%2F..%2Fx")
        );
        assert_eq!(segment("é"), "%C3%A9");
    }

    #[test]
    fn ids_are_written_hyphenated_and_lower_case() {
        let (h, v) = (Uuid::from_u128(0xA), Uuid::from_u128(0xB));
        assert_eq!(
            fuel_logs(h, v),
            "/api/households/00000000-0000-0000-0000-00000000000a\
             /vehicles/00000000-0000-0000-0000-00000000000b/fuel-logs"
        );
    }

    #[test]
    fn a_decision_is_the_last_segment() {
        let h = Uuid::nil();
        assert!(join_request(h, "a", Decision::Deny).ends_with("/join-requests/a/deny"));
    }
}
