//! Data for a view: fetched when the view mounts and again whenever what the fetch reads
//! changes.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;

/// `None` until the first answer, then the latest one.
pub type Loaded<T> = ReadSignal<Option<Result<T, ApiError>>>;

/// Runs `fetch` and holds its answer; runs it again whenever a signal it read changes. The
/// last answer stays until the next one arrives, so a reload leaves the old rows on screen,
/// and an answer overtaken by a newer fetch is dropped.
///
/// This is the part of `LocalResource` these views use. `LocalResource` also serves
/// `<Suspense>` and transitions, which the garage does without (see `status`), and that
/// support costs several kilobytes of wasm for each type loaded.
pub fn load<T, F>(fetch: impl Fn() -> F + 'static) -> Loaded<T>
where
    T: Send + Sync + 'static,
    F: Future<Output = Result<T, ApiError>> + 'static,
{
    let (value, set_value) = signal(None);
    let latest = StoredValue::new(0_u64);
    Effect::new(move || {
        let answer = fetch();
        let this = latest.get_value().wrapping_add(1);
        latest.set_value(this);
        spawn_local(async move {
            let answer = answer.await;
            // `try_`: the view may have been unmounted while the call was in flight.
            if latest.try_get_value() == Some(this) {
                set_value.try_set(Some(answer));
            }
        });
    });
    value
}
