//! Rules every text a client sends must keep, whatever its field: what PostgreSQL cannot
//! store (a NUL character) or a person would never type (other control characters) is a
//! field error before it reaches the database, and subjects have one shape everywhere.

use crate::problem::FieldError;

/// The longest subject (`sub`) stored: the columns' `char_length(…) BETWEEN 1 AND 255`.
pub const SUBJECT_MAX: usize = 255;

/// `field` holds a control character (`multiline` fields may hold line breaks and tabs).
pub fn control_character(field: &str) -> FieldError {
    FieldError::new(field, "must not contain control characters")
}

/// Whether `value` holds a control character; a `multiline` value may hold `\n`, `\r`
/// and `\t`.
pub fn has_control(value: &str, multiline: bool) -> bool {
    value
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// Pushes `field`'s control-character error when `value` holds one.
pub fn check_controls(field: &str, value: &str, multiline: bool, errors: &mut Vec<FieldError>) {
    if has_control(value, multiline) {
        errors.push(control_character(field));
    }
}

/// A subject (`sub`, in a path or a token) that has no place in the database: empty,
/// longer than [`SUBJECT_MAX`], or holding a control character.
pub fn check_subject(field: &str, sub: &str) -> Result<(), FieldError> {
    let len = sub.chars().count();
    if len == 0 || len > SUBJECT_MAX {
        Err(FieldError::new(
            field,
            format!("must be 1 to {SUBJECT_MAX} characters"),
        ))
    } else if has_control(sub, false) {
        Err(control_character(field))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_and_line_breaks_only_where_multiline() {
        for bad in ["a\u{0}b", "\u{7}", "tab\there", "\u{9b}"] {
            assert!(has_control(bad, false), "{bad:?}");
        }
        assert!(has_control("a\u{0}b", true));
        assert!(!has_control("two\nlines\tand a tab", true));
        assert!(!has_control("Zoë's 🚗", false));
    }

    #[test]
    fn a_subject_is_1_to_255_characters_without_controls() {
        assert!(check_subject("sub", "auth0|alice").is_ok());
        assert!(check_subject("sub", &"é".repeat(SUBJECT_MAX)).is_ok());
        assert!(check_subject("sub", "").is_err());
        assert!(check_subject("sub", &"a".repeat(SUBJECT_MAX + 1)).is_err());
        assert_eq!(
            check_subject("sub", "auth0|\u{0}").unwrap_err(),
            control_character("sub")
        );
    }
}
