//! Pieces every form shares: its state and how it sends, a labelled field with its
//! messages, parsing of typed input, and today's date.
//!
//! Forms run the shared `validate()` before sending, so most mistakes never reach the
//! server; the server's 422 uses the same field names, so its messages land in the same
//! place.

use std::future::Future;

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::problem::FieldError;

use super::context::Garage;
use crate::api::{ApiError, HouseholdApi};

/// The field messages of one form, from `validate()` or the server.
pub type Errors = RwSignal<Vec<FieldError>>;

/// What a form keeps besides its inputs: the field messages, a failure no field explains,
/// whether a save is running, and how to close.
#[derive(Clone, Copy)]
pub struct FormState {
    pub errors: Errors,
    pub failure: RwSignal<Option<String>>,
    pub saving: RwSignal<bool>,
    /// Called after a successful save, or on cancel.
    pub on_done: Callback<()>,
}

impl FormState {
    pub fn new(on_done: Callback<()>) -> Self {
        Self {
            errors: RwSignal::new(Vec::new()),
            failure: RwSignal::new(None),
            saving: RwSignal::new(false),
            on_done,
        }
    }

    /// Submits `checked`, the request or the field errors that stop it, with `send`. While
    /// it runs, Save says so; success bumps `rev`, so the views of that data reload, and
    /// closes the form; a failure shows in the form.
    pub fn submit<R, T, F>(
        self,
        garage: Garage,
        rev: RwSignal<u64>,
        checked: Result<R, Vec<FieldError>>,
        send: impl FnOnce(HouseholdApi, R) -> F + 'static,
    ) where
        R: 'static,
        F: Future<Output = Result<T, ApiError>> + 'static,
    {
        self.failure.set(None);
        let request = match checked {
            Ok(request) => request,
            Err(invalid) => return self.errors.set(invalid),
        };
        self.errors.set(Vec::new());
        let api = garage.api_untracked();
        self.saving.set(true);
        spawn_local(async move {
            match garage.observe(send(api, request).await) {
                Ok(_) => {
                    rev.update(|n| *n += 1);
                    // `try_run`: the form may be gone if its list reloaded first.
                    let _ = self.on_done.try_run(());
                }
                Err(error) => self.show_failure(&error),
            }
            self.saving.try_set(false);
        });
    }

    /// Field messages next to their fields, anything else above them.
    fn show_failure(&self, error: &ApiError) {
        let fields = error.field_errors().to_vec();
        if fields.is_empty() {
            self.failure
                .try_set((!matches!(error, ApiError::Cancelled)).then(|| error.title()));
        } else {
            self.failure.try_set(None);
        }
        self.errors.try_set(fields);
    }
}

/// A label, its control, and the messages for `field`.
#[component]
pub fn Field(
    label: &'static str,
    /// The request field this control fills, as `validate()` and the server name it.
    field: &'static str,
    errors: Errors,
    children: Children,
) -> impl IntoView {
    let message = move || {
        errors.with(|list| {
            list.iter()
                .filter(|e| e.field == field)
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        })
    };
    view! {
        <label class="hh-field" class:hh-invalid=move || !message().is_empty()>
            <span>{label}</span>
            {children()}
            <small class="hh-field-error" aria-live="polite">
                {message}
            </small>
        </label>
    }
}

/// Save and Cancel, as every form ends: Save is disabled and says so while saving.
#[component]
pub fn FormActions(saving: RwSignal<bool>, on_done: Callback<()>) -> impl IntoView {
    view! {
        <div class="hh-actions">
            <button type="submit" class="hh-primary" disabled=move || saving.get()>
                {move || if saving.get() { "Saving…" } else { "Save" }}
            </button>
            <button type="button" on:click=move |_| on_done.run(())>
                "Cancel"
            </button>
        </div>
    }
}

/// The button that opens an add form, for those who may write, while that form is closed.
#[component]
pub fn AddButton(label: &'static str, adding: RwSignal<bool>) -> impl IntoView {
    let garage = Garage::expect();
    move || {
        (garage.can_write() && !adding.get()).then(|| {
            view! {
                <button type="button" class="hh-primary" on:click=move |_| adding.set(true)>
                    {label}
                </button>
            }
        })
    }
}

/// A failure that no field explains: a non-422 error, or a field this form does not show.
#[component]
pub fn FormError(
    errors: Errors,
    failure: RwSignal<Option<String>>,
    /// The fields this form shows; messages for others are listed here.
    fields: &'static [&'static str],
) -> impl IntoView {
    let others = move || {
        errors.with(|list| {
            list.iter()
                .filter(|e| !fields.contains(&e.field.as_str()))
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="hh-form-error" role="alert">
            {move || failure.get().map(|f| view! { <p>{f}</p> })}
            {move || others().into_iter().map(|o| view! { <p>{o}</p> }).collect_view()}
        </div>
    }
}

/// Parse errors, then `validate()`'s for the fields that did parse: a field that is not a
/// number needs one message, not two.
pub fn merge(mut parsed: Vec<FieldError>, checked: Vec<FieldError>) -> Vec<FieldError> {
    let unparsed: Vec<String> = parsed.iter().map(|e| e.field.clone()).collect();
    parsed.extend(checked.into_iter().filter(|e| !unparsed.contains(&e.field)));
    parsed
}

/// A number typed by a person: blank or not a number is a field error. A decimal comma is
/// accepted, since many locales write one.
pub fn number(field: &str, text: &str, errors: &mut Vec<FieldError>) -> f64 {
    decimal(text.trim()).unwrap_or_else(|| {
        errors.push(FieldError::new(field, "must be a number"));
        f64::NAN
    })
}

/// A plain decimal, `[+-]digits[(.|,)digits]`, with no exponent: what people type into a
/// form. Not `str::parse::<f64>`, whose general algorithm and tables cost some 15 KB of the
/// gzipped bundle. Digits and a power of ten below 2^53 are exact doubles, so one division
/// rounds correctly and the result is the same double `parse` gives; longer numbers than
/// that (16 or more significant digits) are refused rather than rounded differently.
fn decimal(text: &str) -> Option<f64> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = unsigned.split_once(['.', ',']).unwrap_or((unsigned, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    // Trailing zeros change nothing but the scale, which must stay exact.
    let fraction = fraction.trim_end_matches('0');
    let mut digits: u64 = 0;
    let mut scale: u64 = 1;
    for (i, byte) in whole.bytes().chain(fraction.bytes()).enumerate() {
        if !byte.is_ascii_digit() {
            return None;
        }
        digits = digits * 10 + u64::from(byte - b'0');
        if i >= whole.len() {
            scale *= 10;
        }
        if digits >= 1 << 53 || scale >= 1 << 53 {
            return None;
        }
    }
    let value = digits as f64 / scale as f64;
    Some(if negative { -value } else { value })
}

/// An optional whole number: blank is `None`.
pub fn optional_integer(field: &str, text: &str, errors: &mut Vec<FieldError>) -> Option<i32> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    text.parse().map_or_else(
        |_| {
            errors.push(FieldError::new(field, "must be a whole number"));
            None
        },
        Some,
    )
}

/// A date from `<input type="date">` (always `YYYY-MM-DD`).
pub fn date(field: &str, text: &str, errors: &mut Vec<FieldError>) -> NaiveDate {
    // `jsvalue`'s strict parser rather than chrono's `FromStr` (see `jsvalue::dates`).
    jsvalue::dates::parse_date(text).unwrap_or_else(|| {
        errors.push(FieldError::new(field, "must be a date"));
        NaiveDate::MIN
    })
}

/// Today in the browser's time zone, which is the user's idea of "today".
pub fn today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    NaiveDate::from_ymd_opt(
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_accept_a_decimal_comma_and_reject_blanks() {
        let mut errors = Vec::new();
        assert_eq!(number("volume", " 42,5 ", &mut errors), 42.5);
        assert!(errors.is_empty());
        assert!(number("volume", "", &mut errors).is_nan());
        assert!(number("cost", "inf", &mut errors).is_nan());
        assert!(number("cost", "1.2.3", &mut errors).is_nan());
        assert!(number("cost", ".", &mut errors).is_nan());
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["volume", "cost", "cost", "cost"]);
    }

    #[test]
    fn plain_decimals_give_the_same_double_as_the_standard_parser() {
        for text in [
            "0",
            "-0",
            "+7",
            "41.5",
            "61.20",
            ".5",
            "5.",
            "0.1",
            "0.3",
            "2.675",
            "123456.789",
            "9999999.99",
            "0.000000000000001",
            "1.10000000000000000000",
            "99999.9999999999",
        ] {
            let mut errors = Vec::new();
            assert_eq!(
                number("x", text, &mut errors).to_bits(),
                text.parse::<f64>().map(f64::to_bits).unwrap_or_default(),
                "{text}"
            );
            assert!(errors.is_empty(), "{text}");
        }
        // Beyond what a double holds exactly: refused rather than rounded another way.
        assert!(decimal("12345678901234567").is_none());
        assert!(decimal("1e3").is_none());
    }

    #[test]
    fn a_field_that_did_not_parse_gets_one_message() {
        let merged = merge(
            vec![FieldError::new("volume", "must be a number")],
            vec![
                FieldError::new("volume", "must be greater than 0"),
                FieldError::new("cost", "must be greater than 0"),
            ],
        );
        let messages: Vec<_> = merged.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["must be a number", "must be greater than 0"]);
        assert_eq!(merged[1].field, "cost");
    }

    #[test]
    fn a_blank_year_is_none_and_a_word_is_an_error() {
        let mut errors = Vec::new();
        assert_eq!(optional_integer("year", "  ", &mut errors), None);
        assert_eq!(optional_integer("year", "2019", &mut errors), Some(2019));
        assert_eq!(optional_integer("year", "soon", &mut errors), None);
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn dates_come_from_date_inputs() {
        let mut errors = Vec::new();
        assert_eq!(
            date("filled_at", "2026-03-01", &mut errors),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default()
        );
        date("filled_at", "", &mut errors);
        assert_eq!(errors.len(), 1);
    }
}
