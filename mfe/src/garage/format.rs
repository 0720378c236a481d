//! Numbers as the garage shows them. Missing figures (economy needs two fill-ups) show as
//! a dash rather than 0, which would read as a real value.
//!
//! Rounding is done in integers rather than with `format!("{:.2}")`, which keeps core's
//! float formatter (some 15 KB of wasm) out of the bundle.

const DASH: &str = "–";

/// `value` rounded to `decimals` places; a dash for values that are not finite or too large
/// to show exactly.
pub fn fixed(value: f64, decimals: u32) -> String {
    let scale = 10u64.pow(decimals);
    let scaled = (value.abs() * scale as f64).round();
    if !(scaled.is_finite() && scaled < 9.0e15) {
        return DASH.to_owned();
    }
    let scaled = scaled as u64;
    let sign = if value < 0.0 && scaled != 0 { "-" } else { "" };
    let (whole, fraction) = (scaled / scale, scaled % scale);
    match decimals {
        0 => format!("{sign}{whole}"),
        width => format!("{sign}{whole}.{fraction:0width$}", width = width as usize),
    }
}

/// `value` with `decimals` places, digits grouped in thousands.
pub fn number(value: f64, decimals: u32) -> String {
    let text = fixed(value, decimals);
    let (sign, digits) = text.split_at(usize::from(text.starts_with('-')));
    let (whole, fraction) = digits.split_at(digits.find('.').unwrap_or(digits.len()));
    if !whole.bytes().all(|b| b.is_ascii_digit()) {
        return text;
    }
    let mut grouped = String::with_capacity(text.len() + whole.len() / 3);
    grouped.push_str(sign);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped.push_str(fraction);
    grouped
}

/// An optional figure; `None` is a dash.
pub fn maybe(value: Option<f64>, decimals: u32) -> String {
    value.map_or_else(|| DASH.to_owned(), |v| number(v, decimals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_rounded_half_away_from_zero() {
        assert_eq!(fixed(7.25, 1), "7.3");
        assert_eq!(fixed(0.125, 3), "0.125");
        assert_eq!(fixed(-2.5, 0), "-3");
        assert_eq!(fixed(0.04, 2), "0.04");
    }

    #[test]
    fn thousands_are_grouped_and_decimals_kept() {
        assert_eq!(number(1_234_567.891, 1), "1,234,567.9");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(1000.0, 2), "1,000.00");
        assert_eq!(number(-1234.5, 1), "-1,234.5");
        assert_eq!(number(-0.01, 1), "0.0");
    }

    #[test]
    fn missing_figures_are_a_dash() {
        assert_eq!(maybe(None, 1), DASH);
        assert_eq!(number(f64::NAN, 1), DASH);
        assert_eq!(number(f64::INFINITY, 0), DASH);
        assert_eq!(maybe(Some(7.25), 2), "7.25");
    }
}
