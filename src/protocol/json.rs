//! Reading fields of decoded JSON the way the configuration names them
//! (aliases, dotted paths, loose scalars), and the encoded request body.

use serde_json::{Map, Value};

/// An encoded request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    pub content_type: &'static str,
    pub body: String,
}

pub(crate) fn first<'a>(map: &'a Map<String, Value>, names: &[String]) -> Option<&'a Value> {
    names.iter().find_map(|n| lookup(map, n))
}

/// A field by name; a dotted name (`data.author.name`) walks nested
/// objects, unless the object has a key spelled with the dots itself.
pub(crate) fn lookup<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    if let Some(v) = map.get(name) {
        return Some(v);
    }
    let (head, rest) = name.split_once('.')?;
    match map.get(head)? {
        Value::Object(inner) => lookup(inner, rest),
        _ => None,
    }
}

/// Strings as they are; numbers and booleans as their JSON spelling.
pub(crate) fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
