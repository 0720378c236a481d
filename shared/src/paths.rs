//! The API's URL paths, built in one place. The micro-frontend and the tests call these;
//! the server's routes are the `#[utoipa::path]` strings, and a server test checks every
//! builder here against the OpenAPI document, so a renamed route fails that test.

use uuid::Uuid;

use crate::invitations::Decision;

pub const EXCHANGE: &str = "/exchange";
pub const JWKS: &str = "/.well-known/jwks.json";
pub const MY_HOUSEHOLDS: &str = "/api/me/households";
pub const HOUSEHOLDS: &str = "/api/households";
/// The identity provider's settings for browser code (the standalone page reads them).
pub const CONFIG: &str = "/config.json";

pub fn vehicles(household: Uuid) -> String {
    format!("{HOUSEHOLDS}/{household}/vehicles")
}

pub fn vehicle(household: Uuid, vehicle: Uuid) -> String {
    format!("{HOUSEHOLDS}/{household}/vehicles/{vehicle}")
}

pub fn fuel_logs(household: Uuid, vehicle: Uuid) -> String {
    format!("{HOUSEHOLDS}/{household}/vehicles/{vehicle}/fuel-logs")
}

pub fn summary(household: Uuid) -> String {
    format!("{HOUSEHOLDS}/{household}/summary")
}

pub fn members(household: Uuid) -> String {
    format!("{HOUSEHOLDS}/{household}/members")
}

/// One member: the subject is percent-encoded (`auth0|alice` → `auth0%7Calice`).
pub fn member(household: Uuid, sub: &str) -> String {
    format!("{HOUSEHOLDS}/{household}/members/{}", segment(sub))
}

pub fn invitations(household: Uuid) -> String {
    format!("{HOUSEHOLDS}/{household}/invitations")
}

/// Redeeming an invitation code, with the Auth0 token.
pub fn redeem(code: &str) -> String {
    format!("/api/invitations/{}", segment(code))
}

pub fn join_requests(household: Uuid) -> String {
    format!("{HOUSEHOLDS}/{household}/join-requests")
}

/// Approving or denying one person's request.
pub fn join_request(household: Uuid, sub: &str, decision: Decision) -> String {
    format!(
        "{HOUSEHOLDS}/{household}/join-requests/{}/{}",
        segment(sub),
        decision.as_str()
    )
}

pub fn audit_events(household: Uuid) -> String {
    format!("{HOUSEHOLDS}/{household}/audit-events")
}

/// The host wrapper page that owns the element for one household.
pub fn host_page(household: Uuid) -> String {
    format!("/household/{household}/mfe")
}

/// Percent-encodes one path segment: every byte but RFC 3986's unreserved characters.
// Hand-written: a few lines, where a crate (or `format!`'s hex) adds to the element's bundle.
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
