//! JavaScript objects read in place, for `test` and `matches`: the reader
//! the core judges a record through (`detect::in_place`), each question
//! one call into `object.js`, which reads the object as its JSON text
//! would show it.
//!
//! Values are compared where they lie: a query's text crosses once, as a
//! JavaScript string kept here, and a record's strings are copied in only
//! when a question needs their text (a wildcard, a range, a raw field the
//! view rewrites).
//!
//! TODO: each question is still one call into JavaScript and a walk
//! from the record's top. On the benchmark's mix of raw records and ECS
//! documents `test` judges 1.1 to 2.8 million a second, past the million
//! aimed at, but the crossings take much of that time; asking all the
//! terms of a query in one call, with the shape, would save most of them.

use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;
use std::thread::LocalKey;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::{js_message, JsResult};
use crate::detect::in_place::{InPlace, Shape, SHAPE_KEYS};
use crate::doc::{Document, FieldPath, Scalar, Term};
use crate::o365::fields::Raw;
use crate::o365::view::{RawFields, RawKey, RawPath};
use crate::skim::ValueKind;

#[wasm_bindgen(module = "/src/wasm/object.js")]
extern "C" {
    #[wasm_bindgen(js_name = takeThrown)]
    fn take_thrown() -> JsValue;
    #[wasm_bindgen(js_name = shapeKeys)]
    fn shape_keys() -> Array;
    fn shape(object: &JsValue) -> i32;
    #[wasm_bindgen(js_name = eventHoldsKind)]
    fn event_holds_kind(object: &JsValue) -> u32;
    #[wasm_bindgen(js_name = memberValue)]
    fn member_value(object: &JsValue, key: &JsValue) -> JsValue;
    fn field(object: &JsValue, key: &JsValue) -> i32;
    #[wasm_bindgen(js_name = lastNumber)]
    fn last_number() -> f64;
    #[wasm_bindgen(js_name = lastText)]
    fn last_text() -> String;
    #[wasm_bindgen(js_name = compilePath)]
    fn compile_path(dotted: &str) -> JsValue;
    #[wasm_bindgen(js_name = anyText)]
    fn any_text(object: &JsValue, path: &JsValue, text: &JsValue) -> u32;
    #[wasm_bindgen(js_name = hasValue)]
    fn has_value(object: &JsValue, path: &JsValue) -> u32;
    fn collect(object: &JsValue, path: &JsValue) -> i32;
    #[wasm_bindgen(js_name = foundKind)]
    fn found_kind(index: u32) -> i32;
    #[wasm_bindgen(js_name = foundNumber)]
    fn found_number(index: u32) -> f64;
    #[wasm_bindgen(js_name = foundText)]
    fn found_text(index: u32) -> String;
    fn exists(object: &JsValue, path: &JsValue) -> u32;
    fn under(object: &JsValue, path: &JsValue) -> u32;
}

// The answers of `object.js`.
const NO: u32 = 0;
const YES: u32 = 1;
const THREW: u32 = 3;
/// `shape`'s answer when reading the object threw.
const SHAPE_THREW: i32 = -1;

/// What `object.js` says a value is; 7 is a value JSON writes otherwise
/// than it reads (see there), and anything else no kind at all.
fn kind(code: i32) -> Option<ValueKind> {
    Some(match code {
        0 => ValueKind::Absent,
        1 => ValueKind::Null,
        2 => ValueKind::Bool,
        3 => ValueKind::Number,
        4 => ValueKind::Str,
        5 => ValueKind::Array,
        6 => ValueKind::Object,
        _ => return None,
    })
}

/// Judges `event` in place with `judge`; `None` when it is not an object
/// read that way, or when the reader could not tell (the caller then
/// reads it in full). A getter or a proxy that throws is an error.
pub(super) fn judge<T>(
    event: &JsValue,
    judge: impl FnOnce(JsRecord<'_>) -> Option<T>,
) -> JsResult<Option<T>> {
    if !shape_keys_agree() {
        return Ok(None);
    }
    let flags = Flags::default();
    let answer = judge(JsRecord::new(Held::Borrowed(event), &flags));
    if flags.threw.get() {
        return Err(unreadable());
    }
    Ok(answer)
}

/// An error when reading the members that tell `event`'s shape throws
/// (a revoked proxy, a throwing getter), as `judge` words it; for the
/// paths that read a record in full, whose own checks would otherwise
/// let the engine's bare `TypeError` through.
pub(super) fn check_readable(event: &JsValue) -> JsResult<()> {
    match shape(event) {
        SHAPE_THREW => Err(unreadable()),
        _ => Ok(()),
    }
}

/// What `object.js` last caught, as the error for the caller.
fn unreadable() -> JsError {
    let why = js_message(&take_thrown());
    JsError::new(&format!("cannot read the record: {why}"))
}

thread_local! {
    static SHAPE_KEYS_AGREE: OnceCell<bool> = const { OnceCell::new() };
}

/// Whether `object.js` reads the members the core names, in its order;
/// if the two lists ever part, every record is read in full.
fn shape_keys_agree() -> bool {
    SHAPE_KEYS_AGREE.with(|agree| {
        *agree.get_or_init(|| {
            let keys: Vec<String> = shape_keys().iter().filter_map(|k| k.as_string()).collect();
            keys.iter().map(String::as_str).eq(SHAPE_KEYS)
        })
    })
}

/// What the reads of one record came to, shared by the objects read in
/// it.
#[derive(Default)]
pub(super) struct Flags {
    unsure: Cell<bool>,
    threw: Cell<bool>,
}

pub(super) enum Held<'a> {
    Borrowed(&'a JsValue),
    Owned(JsValue),
}

/// One object of a record, read in place.
pub(super) struct JsRecord<'a> {
    object: Held<'a>,
    flags: &'a Flags,
    shape: Cell<Option<Shape>>,
    /// raw fields read so far, by [`RawKey::index`]
    fields: OnceCell<Box<[OnceCell<Field>; RawKey::ALL.len()]>>,
    /// the last answer of `anyText` for this object, by the ids of the
    /// path and the term: the rule's query and the alert-name query both
    /// ask first for the provider, and most records are judged on it
    last_asked: Cell<Option<(u64, u64, u32)>>,
}

/// A raw field, copied in.
enum Field {
    Absent,
    Null,
    Bool(bool),
    Number(String),
    Str(String),
    List,
    Object,
}

impl Field {
    fn raw(&self) -> Raw<'_> {
        match self {
            Field::Absent => Raw::Absent,
            Field::Null => Raw::Null,
            Field::Bool(flag) => Raw::Bool(*flag),
            Field::Number(text) => Raw::Number(text),
            Field::Str(text) => Raw::Str(text),
            Field::List => Raw::List,
            Field::Object => Raw::Object,
        }
    }
}

impl<'a> JsRecord<'a> {
    fn new(object: Held<'a>, flags: &'a Flags) -> JsRecord<'a> {
        JsRecord {
            object,
            flags,
            shape: Cell::new(None),
            fields: OnceCell::new(),
            last_asked: Cell::new(None),
        }
    }

    fn object(&self) -> &JsValue {
        match &self.object {
            Held::Borrowed(object) => object,
            Held::Owned(object) => object,
        }
    }

    fn unsure(&self) -> bool {
        self.flags.unsure.set(true);
        false
    }

    fn threw(&self) -> bool {
        self.flags.threw.set(true);
        self.unsure()
    }

    /// An answer of `object.js` as a boolean, noting the others.
    fn answer(&self, code: u32) -> bool {
        match code {
            YES => true,
            NO => false,
            THREW => self.threw(),
            _ => self.unsure(),
        }
    }

    /// The kind of a value, noting one that is none.
    fn kind(&self, code: i32) -> ValueKind {
        kind(code).unwrap_or_else(|| {
            self.unsure();
            ValueKind::Absent
        })
    }

    fn read_field(&self, key: RawKey) -> Field {
        let code = field(self.object(), &key_name(key));
        if code < 0 {
            self.threw();
        }
        match self.kind(code) {
            ValueKind::Absent => Field::Absent,
            ValueKind::Null => Field::Null,
            ValueKind::Bool => Field::Bool(last_text() == "true"),
            ValueKind::Number => Field::Number(number_text(last_number(), last_text)),
            ValueKind::Str => Field::Str(last_text()),
            ValueKind::Array => Field::List,
            ValueKind::Object => Field::Object,
        }
    }

    /// Visits the values `collect` found: `count` of them, or an answer
    /// that there are none to trust.
    fn visit_found(&self, count: i32, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        let Ok(count) = u32::try_from(count) else {
            return if count == -1 {
                self.threw()
            } else {
                self.unsure()
            };
        };
        (0..count).any(|index| match self.kind(found_kind(index)) {
            ValueKind::Str => visit(Scalar::Str(&found_text(index))),
            ValueKind::Number => {
                let text = number_text(found_number(index), || found_text(index));
                visit(Scalar::Number(&text))
            }
            ValueKind::Bool => visit(Scalar::Bool(found_text(index) == "true")),
            _ => false,
        })
    }

    fn values_at(&self, path: &JsValue, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        self.visit_found(collect(self.object(), path), visit)
    }

    /// Whether a value at a path has the term's text; `path_id` names the
    /// path to remember the answer by (when it has a name for that),
    /// `path` makes it.
    fn term_at(
        &self,
        path_id: Option<u64>,
        path: impl FnOnce() -> Rc<JsValue>,
        term: &Term,
    ) -> bool {
        let asked = path_id.map(|id| (id, term.id()));
        match self.last_asked.get() {
            Some((path, term, code)) if asked == Some((path, term)) => return self.answer(code),
            _ => {}
        }
        let text = by_id(term.id(), || JsValue::from_str(term.as_str()));
        let code = any_text(self.object(), &path(), &text);
        if let Some((path, term)) = asked {
            self.last_asked.set(Some((path, term, code)));
        }
        self.answer(code)
    }
}

/// A number's JSON text: an integer JavaScript writes digit for digit is
/// written here; any other is asked for.
fn number_text(number: f64, written: impl FnOnce() -> String) -> String {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if number.fract() == 0.0 && number.abs() < EXACT {
        // NOTE: below 2^53 every integer is exact, and `-0` is written
        // `0` by both.
        return format!("{}", number as i64);
    }
    written()
}

impl Document for JsRecord<'_> {
    fn any_value(&self, path: &FieldPath, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        self.values_at(&field_path(path), visit)
    }

    fn any_term(&self, path: &FieldPath, term: &Term) -> bool {
        self.term_at(Some(path.id()), || field_path(path), term)
    }

    fn has_value(&self, path: &FieldPath) -> bool {
        self.answer(has_value(self.object(), &field_path(path)))
    }

    fn exists(&self, path: &FieldPath) -> bool {
        self.answer(exists(self.object(), &field_path(path)))
    }

    /// Nested queries are not read in place.
    fn any_object(&self, _: &FieldPath, _: &mut dyn FnMut(&dyn Document) -> bool) -> bool {
        self.unsure()
    }

    /// Wildcard field names and free text are not read in place.
    fn any_leaf(&self, _: &mut dyn FnMut(&str, Scalar<'_>) -> bool) -> bool {
        self.unsure()
    }
}

impl RawFields for JsRecord<'_> {
    fn field(&self, key: RawKey) -> Raw<'_> {
        let fields = self
            .fields
            .get_or_init(|| Box::new(std::array::from_fn(|_| OnceCell::new())));
        match fields.get(key.index()) {
            Some(cell) => cell.get_or_init(|| self.read_field(key)).raw(),
            None => Raw::Absent,
        }
    }

    fn values(&self, path: RawPath<'_>, visit: &mut dyn FnMut(Scalar<'_>) -> bool) -> bool {
        self.values_at(&raw_path(path), visit)
    }

    fn under(&self, path: RawPath<'_>) -> bool {
        self.answer(under(self.object(), &raw_path(path)))
    }

    /// The marks of a raw record are known from its shape.
    fn present(&self, key: RawKey) -> bool {
        let marked = SHAPE_KEYS.iter().position(|mark| *mark == key.name());
        let shape = self.shape.get();
        match marked.zip(shape) {
            Some((at, shape)) => !matches!(
                shape.0.get(at),
                None | Some(ValueKind::Absent | ValueKind::Null)
            ),
            None => self.field(key).is_some(),
        }
    }

    fn any_term(&self, path: RawPath<'_>, term: &Term) -> bool {
        let id = match path {
            RawPath::Key(key) => Some(raw_key_id(key)),
            RawPath::Kept(_) => None,
        };
        self.term_at(id, || raw_path(path), term)
    }
}

impl InPlace for JsRecord<'_> {
    fn shape(&self) -> Shape {
        let code = shape(self.object());
        if code == SHAPE_THREW {
            self.threw();
        }
        let mut kinds = [ValueKind::Absent; SHAPE_KEYS.len()];
        if code < 0 {
            self.unsure();
            return Shape(kinds);
        }
        for (at, kind) in kinds.iter_mut().enumerate() {
            *kind = self.kind((code >> (3 * at)) & 7);
        }
        self.shape.set(Some(Shape(kinds)));
        Shape(kinds)
    }

    fn event_holds_kind(&self) -> bool {
        self.answer(event_holds_kind(self.object()))
    }

    fn member(&self, key: &'static str) -> Option<Self> {
        let value = self.member_value(key)?;
        Some(JsRecord::new(Held::Owned(value), self.flags))
    }

    fn text(&self, key: &'static str) -> Option<String> {
        let text = self.member_value(key)?.as_string();
        if text.is_none() {
            self.unsure();
        }
        text
    }

    fn was_unsure(&self) -> bool {
        self.flags.unsure.get()
    }
}

impl JsRecord<'_> {
    /// A member's value, taken whole (a wrapper's record, an index).
    fn member_value(&self, key: &str) -> Option<JsValue> {
        let value = member_value(self.object(), &name(key));
        if !value.is_undefined() {
            return Some(value);
        }
        match take_thrown().is_undefined() {
            true => self.unsure(),
            false => self.threw(),
        };
        None
    }
}

/// JavaScript values made once from the core's paths and terms, kept by
/// their ids: a table a lookup reads one slot of.
struct ById {
    slots: Vec<Option<(u64, Rc<JsValue>)>>,
}

/// Slots of [`ById`]: more than the paths and terms of a few queries.
const BY_ID_SLOTS: usize = 256;

thread_local! {
    static BY_ID: RefCell<ById> = RefCell::new(ById {
        slots: vec![None; BY_ID_SLOTS],
    });
    static KEY_PATHS: [OnceCell<Rc<JsValue>>; RawKey::ALL.len()] =
        std::array::from_fn(|_| OnceCell::new());
    static KEY_NAMES: [OnceCell<Rc<JsValue>>; RawKey::ALL.len()] =
        std::array::from_fn(|_| OnceCell::new());
    static NAMES: RefCell<Interned> = RefCell::default();
    static KEPT_PATHS: RefCell<Interned> = RefCell::default();
}

/// The value made for `id`, made once (again when another id took its
/// slot).
///
/// NOTE: no borrow is held while `make` runs, nor while the value is
/// used: a getter may call back into the module.
fn by_id(id: u64, make: impl FnOnce() -> JsValue) -> Rc<JsValue> {
    let slot = (id % BY_ID_SLOTS as u64) as usize;
    let kept = BY_ID.with_borrow(|table| match table.slots.get(slot) {
        Some(Some((kept, value))) if *kept == id => Some(value.clone()),
        _ => None,
    });
    if let Some(value) = kept {
        return value;
    }
    let value = Rc::new(make());
    BY_ID.with_borrow_mut(|table| {
        if let Some(entry) = table.slots.get_mut(slot) {
            *entry = Some((id, value.clone()));
        }
    });
    value
}

fn field_path(path: &FieldPath) -> Rc<JsValue> {
    by_id(path.id(), || compile_path(path.as_str()))
}

/// A raw field's path, or a path under `o365.audit` the view reads.
fn raw_path(path: RawPath<'_>) -> Rc<JsValue> {
    match path {
        RawPath::Key(key) => by_key(&KEY_PATHS, key, || compile_path(key.name())),
        RawPath::Kept(path) => interned(&KEPT_PATHS, path, compile_path),
    }
}

/// An id for a raw field's path, apart from the ids of query paths,
/// which count up from zero.
fn raw_key_id(key: RawKey) -> u64 {
    u64::MAX - key.index() as u64
}

fn key_name(key: RawKey) -> Rc<JsValue> {
    by_key(&KEY_NAMES, key, || JsValue::from_str(key.name()))
}

type ByKey = [OnceCell<Rc<JsValue>>; RawKey::ALL.len()];

fn by_key(
    table: &'static LocalKey<ByKey>,
    key: RawKey,
    make: impl FnOnce() -> JsValue,
) -> Rc<JsValue> {
    let kept = table.with(|table| table.get(key.index()).and_then(|cell| cell.get().cloned()));
    if let Some(value) = kept {
        return value;
    }
    let value = Rc::new(make());
    table.with(|table| table.get(key.index()).map(|cell| cell.set(value.clone())));
    value
}

/// JavaScript values made once from other texts: the names of members,
/// and paths the view reads by name.
#[derive(Default)]
struct Interned {
    entries: Vec<(Box<str>, Rc<JsValue>)>,
}

/// Past this many, the values are made afresh.
const MAX_INTERNED: usize = 256;

fn interned(
    cache: &'static LocalKey<RefCell<Interned>>,
    text: &str,
    make: fn(&str) -> JsValue,
) -> Rc<JsValue> {
    let kept = cache.with_borrow(|cache| {
        let entry = cache.entries.iter().find(|(known, _)| **known == *text);
        entry.map(|(_, value)| value.clone())
    });
    if let Some(value) = kept {
        return value;
    }
    let value = Rc::new(make(text));
    cache.with_borrow_mut(|cache| {
        if cache.entries.len() >= MAX_INTERNED {
            cache.entries.clear();
        }
        cache.entries.push((text.into(), value.clone()));
    });
    value
}

fn name(text: &str) -> Rc<JsValue> {
    interned(&NAMES, text, JsValue::from_str)
}
