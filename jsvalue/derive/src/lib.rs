//! `#[derive(Decode)]` and `#[derive(Encode)]` for `jsvalue`, read from the type's
//! `#[serde(...)]` attributes with serde's own parser (`serde_derive_internals`), so a wire
//! name, a rename rule or a default means exactly what it means to serde and is written once.
//!
//! Supported: structs with named fields (field names, `rename`, `rename_all`, `default`,
//! `default = "path"`, `skip_serializing_if`, `skip_serializing`) and enums of unit variants
//! (written as strings, with `rename` and `rename_all`). Every other serde attribute that
//! would change the wire form (`flatten`, `alias`, tags, `with`, …) is a compile error
//! rather than something the browser would silently read differently from the server.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_derive_internals::ast::{Container, Data, Field, Style, Variant};
use serde_derive_internals::{Ctxt, Derive, attr};
use syn::{DeriveInput, parse_macro_input, parse_quote};

/// `jsvalue::Decode`: reads the type from a parsed JSON value as serde would.
#[proc_macro_derive(Decode, attributes(serde))]
pub fn derive_decode(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, Derive::Deserialize)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `jsvalue::Encode`: writes the type as a JS value that `JSON.stringify` turns into what
/// the server's serde reads back.
#[proc_macro_derive(Encode, attributes(serde))]
pub fn derive_encode(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, Derive::Serialize)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// The impl for `input`, or every problem with it at once.
fn expand(input: &DeriveInput, derive: Derive) -> syn::Result<TokenStream> {
    let cx = Ctxt::new();
    // serde's path to its private module, which the parser puts only into code for `with`
    // and borrowed fields, both refused below.
    let private = Ident::new("__private", Span::call_site());
    let expanded = Container::from_ast(&cx, input, derive, &private).map(|container| {
        check(&cx, &container, derive);
        match derive {
            Derive::Deserialize => decode(&container),
            Derive::Serialize => encode(&container),
        }
    });
    cx.check()?;
    Ok(expanded.unwrap_or_default())
}

/// Reports what the derived code would not do as serde does.
fn check(cx: &Ctxt, container: &Container, derive: Derive) {
    let attrs = &container.attrs;
    let unsupported = |what: &str| {
        cx.error_spanned_by(
            &container.original.ident,
            format!("jsvalue: `{what}` is not supported"),
        );
    };
    if attrs.transparent() {
        unsupported("transparent");
    }
    if !matches!(attrs.tag(), attr::TagType::External) {
        unsupported("tag/untagged");
    }
    if !attrs.default().is_none() {
        unsupported("default on the container");
    }
    if attrs.type_from().is_some() || attrs.type_try_from().is_some() || attrs.type_into().is_some()
    {
        unsupported("from/try_from/into");
    }
    if matches!(derive, Derive::Deserialize) && attrs.deny_unknown_fields() {
        // The readers ignore unknown fields; a type that refuses them is a request type,
        // which the browser writes but never reads.
        unsupported("deny_unknown_fields with Decode");
    }
    match &container.data {
        Data::Struct(Style::Struct, fields) => {
            for field in fields {
                check_field(cx, field);
            }
        }
        Data::Struct(..) => cx.error_spanned_by(
            &container.original.ident,
            "jsvalue: only structs with named fields are supported",
        ),
        Data::Enum(variants) => {
            for variant in variants {
                check_variant(cx, variant);
            }
        }
    }
}

fn check_field(cx: &Ctxt, field: &Field) {
    let attrs = &field.attrs;
    let mut unsupported = Vec::new();
    if attrs.flatten() {
        unsupported.push("flatten");
    }
    if attrs.skip_deserializing() {
        unsupported.push("skip_deserializing");
    }
    if attrs.serialize_with().is_some() || attrs.deserialize_with().is_some() {
        unsupported.push("with/serialize_with/deserialize_with");
    }
    if attrs.aliases().len() > 1 {
        // serde counts the field's own wire name among its aliases.
        unsupported.push("alias");
    }
    if attrs.getter().is_some() {
        unsupported.push("getter");
    }
    for what in unsupported {
        cx.error_spanned_by(
            field.original,
            format!("jsvalue: `{what}` is not supported"),
        );
    }
}

fn check_variant(cx: &Ctxt, variant: &Variant) {
    if !matches!(variant.style, Style::Unit) {
        cx.error_spanned_by(
            variant.original,
            "jsvalue: only unit variants (written as strings) are supported",
        );
    }
    let attrs = &variant.attrs;
    if attrs.skip_deserializing()
        || attrs.skip_serializing()
        || attrs.other()
        || attrs.untagged()
        || attrs.serialize_with().is_some()
        || attrs.deserialize_with().is_some()
        || attrs.aliases().len() > 1
    {
        cx.error_spanned_by(
            variant.original,
            "jsvalue: skip, other, untagged, with and alias are not supported on variants",
        );
    }
}

/// `impl Decode`: a struct field by field, a unit enum from its variant names.
fn decode(container: &Container) -> TokenStream {
    let ident = &container.ident;
    let generics = bounded(container, parse_quote!(::jsvalue::Decode));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let body = match &container.data {
        Data::Struct(_, fields) => {
            let fields = fields.iter().map(|field| {
                let member = &field.member;
                let name = field.attrs.name().deserialize_name();
                let read = match field.attrs.default() {
                    attr::Default::None => quote!(fields.required(#name)),
                    attr::Default::Default => {
                        quote!(fields.or_else(#name, ::core::default::Default::default))
                    }
                    attr::Default::Path(path) => quote!(fields.or_else(#name, #path)),
                };
                quote!(#member: #read?)
            });
            quote! {
                let fields = ::jsvalue::Fields::of(value)?;
                ::core::result::Result::Ok(Self { #(#fields),* })
            }
        }
        Data::Enum(variants) => {
            let arms = variants.iter().map(|variant| {
                let variant_ident = &variant.ident;
                let name = variant.attrs.name().deserialize_name();
                quote!(#name => ::core::option::Option::Some(Self::#variant_ident))
            });
            quote! {
                ::jsvalue::text(value, |text| match text {
                    #(#arms,)*
                    _ => ::core::option::Option::None,
                })
            }
        }
    };
    quote! {
        #[automatically_derived]
        impl #impl_generics ::jsvalue::Decode for #ident #ty_generics #where_clause {
            fn decode(
                value: &::jsvalue::wasm_bindgen::JsValue,
            ) -> ::core::result::Result<Self, ::jsvalue::DecodeError> {
                #body
            }
        }
    }
}

/// `impl Encode`: a struct as an object of its serialized fields, a unit enum as its name.
fn encode(container: &Container) -> TokenStream {
    let ident = &container.ident;
    let generics = bounded(container, parse_quote!(::jsvalue::Encode));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let body = match &container.data {
        Data::Struct(_, fields) => {
            let fields = fields
                .iter()
                .filter(|field| !field.attrs.skip_serializing())
                .map(|field| {
                    let member = &field.member;
                    let name = field.attrs.name().serialize_name();
                    let set = quote! {
                        ::jsvalue::set(&object, #name, ::jsvalue::Encode::encode(&self.#member));
                    };
                    match field.attrs.skip_serializing_if() {
                        Some(skip) => quote!(if !#skip(&self.#member) { #set }),
                        None => set,
                    }
                });
            quote! {
                let object = ::jsvalue::JsObject::new();
                #(#fields)*
                object.into()
            }
        }
        Data::Enum(variants) => {
            let arms = variants.iter().map(|variant| {
                let variant_ident = &variant.ident;
                let name = variant.attrs.name().serialize_name();
                quote!(Self::#variant_ident => #name)
            });
            quote! {
                ::jsvalue::wasm_bindgen::JsValue::from_str(match self { #(#arms,)* })
            }
        }
    };
    quote! {
        #[automatically_derived]
        impl #impl_generics ::jsvalue::Encode for #ident #ty_generics #where_clause {
            fn encode(&self) -> ::jsvalue::wasm_bindgen::JsValue {
                #body
            }
        }
    }
}

/// The container's generics with `bound` on every type parameter (`Page<T>` reads its
/// items when `T` can be read).
fn bounded(container: &Container, bound: syn::TraitBound) -> syn::Generics {
    let mut generics = container.generics.clone();
    for param in generics.type_params_mut() {
        param.bounds.push(syn::TypeParamBound::Trait(bound.clone()));
    }
    generics
}

#[cfg(test)]
mod tests;
