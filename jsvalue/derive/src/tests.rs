//! The expansion, checked natively: wire names and defaults come from serde's attributes,
//! and a serde attribute the derive cannot honour is an error, not a silent difference.

use super::*;

fn expanded(input: DeriveInput, derive: Derive) -> String {
    expand(&input, derive)
        .expect("supported")
        .to_string()
        .split_whitespace()
        .collect()
}

fn refused(input: DeriveInput, derive: Derive) -> String {
    expand(&input, derive)
        .expect_err("refused")
        .into_iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn readers_take_wire_names_and_defaults_from_serde() {
    let code = expanded(
        parse_quote! {
            #[serde(rename_all = "camelCase")]
            struct Answer {
                plain_name: String,
                #[serde(rename = "type")]
                kind: String,
                maybe: Option<u32>,
                #[serde(default)]
                listed: Vec<String>,
                #[serde(default = "seven")]
                count: u32,
            }
        },
        Derive::Deserialize,
    );
    for read in [
        r#"plain_name:fields.required("plainName")?"#,
        r#"kind:fields.required("type")?"#,
        r#"maybe:fields.required("maybe")?"#,
        r#"listed:fields.or_else("listed",::core::default::Default::default)?"#,
        r#"count:fields.or_else("count",seven)?"#,
    ] {
        assert!(code.contains(read), "{read} in {code}");
    }
}

#[test]
fn writers_take_wire_names_and_skips_from_serde() {
    let code = expanded(
        parse_quote! {
            struct Request {
                #[serde(rename = "type")]
                kind: String,
                #[serde(skip_serializing_if = "Option::is_none")]
                year: Option<i32>,
                #[serde(skip_serializing)]
                local: bool,
            }
        },
        Derive::Serialize,
    );
    assert!(
        code.contains(r#"::jsvalue::set(&object,"type",::jsvalue::Encode::encode(&self.kind));"#),
        "{code}"
    );
    assert!(
        code.contains(r#"if!Option::is_none(&self.year){::jsvalue::set(&object,"year","#),
        "{code}"
    );
    assert!(!code.contains("local"), "{code}");
}

#[test]
fn unit_enums_are_strings_by_serde_rename_rules() {
    let input: DeriveInput = parse_quote! {
        #[serde(rename_all = "snake_case")]
        enum Unit { Litres, UsGallons, #[serde(rename = "kWh")] KilowattHours }
    };
    let read = expanded(input.clone(), Derive::Deserialize);
    let write = expanded(input, Derive::Serialize);
    for (name, variant) in [
        ("litres", "Litres"),
        ("us_gallons", "UsGallons"),
        ("kWh", "KilowattHours"),
    ] {
        let arm = format!(r#""{name}"=>::core::option::Option::Some(Self::{variant})"#);
        assert!(read.contains(&arm), "{arm} in {read}");
        let arm = format!(r#"Self::{variant}=>"{name}""#);
        assert!(write.contains(&arm), "{arm} in {write}");
    }
}

#[test]
fn type_parameters_are_bounded() {
    let code = expanded(
        parse_quote! { struct Page<T> { items: Vec<T> } },
        Derive::Deserialize,
    );
    assert!(
        code.contains("impl<T:::jsvalue::Decode>::jsvalue::DecodeforPage<T>"),
        "{code}"
    );
}

#[test]
fn what_serde_would_read_differently_is_refused() {
    let cases: [(DeriveInput, &str); 7] = [
        (
            parse_quote! { struct A { #[serde(flatten)] inner: B } },
            "`flatten`",
        ),
        (
            parse_quote! { struct A { #[serde(alias = "old")] name: String } },
            "`alias`",
        ),
        (
            parse_quote! { struct A { #[serde(with = "m")] name: String } },
            "`with/serialize_with/deserialize_with`",
        ),
        (
            parse_quote! { #[serde(tag = "kind")] enum A { B } },
            "`tag/untagged`",
        ),
        (
            parse_quote! { #[serde(default)] struct A { b: u32 } },
            "`default on the container`",
        ),
        (
            parse_quote! { #[serde(deny_unknown_fields)] struct A { b: u32 } },
            "`deny_unknown_fields with Decode`",
        ),
        (parse_quote! { enum A { B(u32) } }, "only unit variants"),
    ];
    for (input, error) in cases {
        let errors = refused(input, Derive::Deserialize);
        assert!(errors.contains(error), "{error} in {errors}");
    }
    assert!(refused(parse_quote! { struct A(u32); }, Derive::Serialize).contains("named fields"));
}

#[test]
fn serde_attribute_errors_are_reported_as_serde_would() {
    let errors = refused(
        parse_quote! { struct A { #[serde(rename_al = "x")] b: u32 } },
        Derive::Deserialize,
    );
    assert!(errors.contains("rename_al"), "{errors}");
}
