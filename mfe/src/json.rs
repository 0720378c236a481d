//! JSON in and out of the wire types: [`Decode`] reads `Response.json()`'s value and
//! [`Encode`] builds the JS object that `JSON.stringify` writes, both derived in `shared`
//! from its serde attributes (see `jsvalue` for why not serde itself in the bundle). The
//! browser tests check every reader against serde's own encoding, and every writer against
//! the server's serde decoding.

pub use jsvalue::{Decode, DecodeError, Encode};
