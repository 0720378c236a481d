//! Dates on the wire, and how the browser build reads them.
//!
//! The server writes dates as `YYYY-MM-DD` and timestamps as RFC 3339 in UTC
//! (`2026-03-01T08:30:00.123456Z`), both with chrono's own `Serialize`, and reads them with
//! chrono's `Deserialize`. The micro-frontend reads them with the small, strict parsers here
//! instead (the `Decode` impls, and its forms), because chrono's general format-string parser is
//! the largest part of chrono in a wasm bundle (some 7 KB gzipped). The tests below check
//! that the two agree on everything chrono writes.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// `YYYY-MM-DD`, as the server writes dates and `<input type="date">` reports them.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let [year, month, day] = fields(text, b'-', [4, 2, 2])?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// RFC 3339: `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, then `Z` or `±HH:MM`.
pub fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let (date, rest) = text.split_at_checked(10)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (time, rest) = rest.split_at_checked(8)?;
    let [hour, minute, second] = fields(time, b':', [2, 2, 2])?;
    let (nanos, offset) = match rest.strip_prefix('.') {
        Some(rest) => {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let (digits, offset) = rest.split_at(end);
            (fraction_nanos(digits)?, offset)
        }
        None => (0, rest),
    };
    let offset_minutes = match offset {
        "Z" | "z" => 0,
        _ => {
            let (sign, hours_minutes) = offset.split_at_checked(1)?;
            let [hours, minutes] = fields(hours_minutes, b':', [2, 2])?;
            let minutes = i64::from(hours * 60 + minutes);
            match sign {
                "+" => minutes,
                "-" => -minutes,
                _ => return None,
            }
        }
    };
    let local = parse_date(date)?.and_hms_nano_opt(hour, minute, second, nanos)?;
    let utc = local.checked_sub_signed(TimeDelta::try_minutes(offset_minutes)?)?;
    Some(utc.and_utc())
}

/// Numbers of exactly the given widths, separated by `separator`.
fn fields<const N: usize>(text: &str, separator: u8, widths: [usize; N]) -> Option<[u32; N]> {
    let mut values = [0; N];
    let mut rest = text.as_bytes();
    for (i, width) in widths.into_iter().enumerate() {
        if i > 0 {
            rest = rest.strip_prefix(&[separator])?;
        }
        let (digits, tail) = rest.split_at_checked(width)?;
        for &digit in digits {
            if !digit.is_ascii_digit() {
                return None;
            }
            values[i] = values[i] * 10 + u32::from(digit - b'0');
        }
        rest = tail;
    }
    rest.is_empty().then_some(values)
}

/// Fractional-second digits as nanoseconds; digits past the ninth are dropped, as chrono does.
fn fraction_nanos(digits: &str) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    let padded = digits.bytes().chain(std::iter::repeat(b'0')).take(9);
    Some(padded.fold(0, |nanos, digit| nanos * 10 + u32::from(digit - b'0')))
}

#[cfg(test)]
mod tests {
    use chrono::SecondsFormat;

    use super::*;

    #[test]
    fn dates_read_back_what_chrono_writes() {
        for text in ["2026-03-01", "1900-01-01", "2024-02-29", "0001-12-31"] {
            assert_eq!(parse_date(text), text.parse().ok(), "{text}");
            assert_eq!(
                parse_date(text).map(|d| d.to_string()).as_deref(),
                Some(text)
            );
        }
    }

    #[test]
    fn malformed_or_impossible_dates_are_refused() {
        for text in [
            "2026-02-30",
            "2026-3-01",
            "2026-03-01x",
            "",
            "20260301",
            "2026/03/01",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn timestamps_read_back_what_chrono_writes() {
        let written = [
            "2026-03-01T08:30:00Z",
            "2026-03-01T08:30:00.120Z",
            "2026-03-01T08:30:00.123456Z",
            "2026-03-01T08:30:00.123456789Z",
        ];
        for text in written {
            let parsed = parse_timestamp(text);
            assert_eq!(parsed, text.parse().ok(), "{text}");
            let again = parsed.map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
            assert_eq!(again.as_deref(), Some(text));
        }
        // Offsets other than Z, as any RFC 3339 writer may send.
        assert_eq!(
            parse_timestamp("2026-03-01T10:30:00+02:00"),
            parse_timestamp("2026-03-01T08:30:00Z")
        );
        assert_eq!(
            parse_timestamp("2026-02-28T23:00:00.5-09:30"),
            "2026-03-01T08:30:00.5Z".parse().ok()
        );
    }

    #[test]
    fn malformed_timestamps_are_refused() {
        for text in [
            "2026-03-01",
            "2026-03-01T08:30Z",
            "2026-03-01T08:30:00",
            "2026-03-01T25:00:00Z",
            "2026-03-01T08:30:00.Z",
            "2026-03-01T08:30:00+0200",
        ] {
            assert_eq!(parse_timestamp(text), None, "{text}");
        }
    }
}
