//! Invitation codes and the join requests they lead to.
//!
//! A code is 16 bytes of its household's id and 20 random bytes (160 bits) from the
//! operating system's generator, base64url: the household part lets the redeemer's
//! transaction look for the invitation within one household, the random part is the
//! secret. Only the code's SHA-256 is stored, so the table never holds a usable code.

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use shared::Role;
use shared::invitations::{Decision, JoinRequest, OpenInvitation};
use uuid::Uuid;

use super::quota::OPEN_INVITATION as OPEN;
use super::read::{HouseholdRead, in_household};
use super::tenant::{HouseholdTx, RedemptionTx};
use crate::error::AppError;

/// How long a code may be redeemed.
pub const LIFETIME: chrono::Duration = chrono::Duration::days(7);

const SECRET_BYTES: usize = 20;

/// A fresh code for `household_id`.
pub fn new_code(household_id: Uuid) -> String {
    let mut bytes = [0u8; 16 + SECRET_BYTES];
    bytes[..16].copy_from_slice(household_id.as_bytes());
    rand::rngs::OsRng.fill_bytes(&mut bytes[16..]);
    B64.encode(bytes)
}

/// The household a code names, if it has the shape of one.
pub fn household_of(code: &str) -> Option<Uuid> {
    let bytes = B64.decode(code).ok()?;
    (bytes.len() == 16 + SECRET_BYTES).then(|| Uuid::from_slice(&bytes[..16]).ok())?
}

/// What is stored: SHA-256 of the code, hex.
pub fn hash(code: &str) -> String {
    Sha256::digest(code.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The open invitations of the household, the soonest to expire first, in one statement
/// ([`super::read`]).
pub async fn open(read: &HouseholdRead) -> Result<Vec<OpenInvitation>, AppError> {
    static QUERY: LazyLock<String> = LazyLock::new(|| {
        in_household(&format!(
            "SELECT id, role, created_by, expires_at FROM invitations WHERE {OPEN} \
             ORDER BY expires_at, id"
        ))
    });
    Ok(read.fetch(&QUERY, |q| q).await?.all()?)
}

/// Revokes the open invitation `id` of the current household; its role, or `None` when
/// it has no such open invitation (unknown, another household's, used, revoked, expired).
pub async fn revoke(tx: &mut HouseholdTx, id: Uuid) -> sqlx::Result<Option<Role>> {
    static QUERY: LazyLock<String> = LazyLock::new(|| {
        format!("UPDATE invitations SET revoked_at = now() WHERE id = $1 AND {OPEN} RETURNING role")
    });
    sqlx::query_scalar(&QUERY)
        .bind(id)
        .fetch_optional(tx.conn())
        .await
}

/// Stores an invitation of the current household; returns its id and expiry.
pub async fn create(
    tx: &mut HouseholdTx,
    code: &str,
    role: Role,
) -> sqlx::Result<(Uuid, DateTime<Utc>)> {
    sqlx::query_as(
        "INSERT INTO invitations (code_hash, role, created_by, expires_at) \
         VALUES ($1, $2, app.current_user_sub(), now() + $3) RETURNING id, expires_at",
    )
    .bind(hash(code))
    .bind(role)
    .bind(LIFETIME)
    .fetch_one(tx.conn())
    .await
}

/// What a redemption found.
pub enum Redeemed {
    /// The code is unknown, used or expired (not told apart).
    Unusable,
    /// The caller already belongs to the household.
    AlreadyMember,
    /// A join request now awaits an owner.
    Requested,
}

/// Marks the invitation used by the caller and files the join request, in the redemption
/// transaction. A second pending request of the same person fails with
/// `join_requests_one_pending_per_requester`.
pub async fn redeem(tx: &mut RedemptionTx, sub: &str) -> sqlx::Result<Redeemed> {
    let member: Option<Role> = sqlx::query_scalar(
        "SELECT role FROM household_members WHERE household_id = $1 AND user_sub = $2",
    )
    .bind(tx.household_id())
    .bind(sub)
    .fetch_optional(tx.conn())
    .await?;
    if member.is_some() {
        return Ok(Redeemed::AlreadyMember);
    }
    let used: Option<(Uuid, Role)> = sqlx::query_as(
        "UPDATE invitations SET used_by = $1, used_at = now() \
         WHERE used_by IS NULL AND expires_at > now() RETURNING id, role",
    )
    .bind(sub)
    .fetch_optional(tx.conn())
    .await?;
    let Some((invitation, role)) = used else {
        return Ok(Redeemed::Unusable);
    };
    sqlx::query(
        "INSERT INTO join_requests (household_id, invitation_id, requester_sub, role) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(tx.household_id())
    .bind(invitation)
    .bind(sub)
    .bind(role)
    .execute(tx.conn())
    .await?;
    Ok(Redeemed::Requested)
}

/// The current household's pending requests, oldest first.
pub async fn pending(tx: &mut HouseholdTx) -> sqlx::Result<Vec<JoinRequest>> {
    sqlx::query_as(PENDING).fetch_all(tx.conn()).await
}

/// [`pending`] for a read request, in one statement ([`super::read`]).
pub async fn pending_read(read: &HouseholdRead) -> Result<Vec<JoinRequest>, AppError> {
    static QUERY: LazyLock<String> = LazyLock::new(|| in_household(PENDING));
    Ok(read.fetch(&QUERY, |q| q).await?.all()?)
}

const PENDING: &str = "SELECT j.requester_sub, j.role, j.status, j.requested_at, p.name, p.email \
                       FROM join_requests j LEFT JOIN profiles p ON p.user_sub = j.requester_sub \
                       WHERE j.status = 'pending' ORDER BY j.requested_at, j.requester_sub";

/// Decides `sub`'s pending request; the role it asked for, or `None` when there is none.
pub async fn decide(
    tx: &mut HouseholdTx,
    sub: &str,
    decision: Decision,
) -> sqlx::Result<Option<Role>> {
    sqlx::query_scalar(
        "UPDATE join_requests SET status = $2, decided_by = app.current_user_sub(), decided_at = now() \
         WHERE requester_sub = $1 AND status = 'pending' RETURNING role",
    )
    .bind(sub)
    .bind(decision.status())
    .fetch_optional(tx.conn())
    .await
}
