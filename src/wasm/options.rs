//! The option bag of `evaluate`, `test`, `scan` and `Scanner`, and the
//! detectors compiled for it.
//!
//! `test` may be called millions of times with no options or with the
//! same ones: those calls reuse a detector without reading the bag in
//! full again (compiling the queries costs more than judging a record).

use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use super::{get, is_plain_object, keys_of, kind_of, with_caret, JsResult};
use crate::detect::{self, Detector};
use crate::scan::Scanner as CoreScanner;

#[wasm_bindgen(module = "/src/wasm/object.js")]
extern "C" {
    #[wasm_bindgen(js_name = optionsSnapshot)]
    fn options_snapshot(bag: &JsValue) -> JsValue;

    #[wasm_bindgen(js_name = sameOptions)]
    fn same_options(bag: &JsValue, snapshot: &JsValue) -> bool;
}

thread_local! {
    /// The detector without options.
    static DEFAULT: OnceCell<Rc<Detector>> = const { OnceCell::new() };
    /// The values of the last option bag read, and its detector: a bag
    /// that reads the same needs no checking again.
    static LAST_BAG: RefCell<Option<(Rc<JsValue>, Rc<Detector>)>> =
        const { RefCell::new(None) };
    /// The detector of the options last read, for bags that differ but
    /// ask for the same.
    static DETECTOR: RefCell<Option<(detect::Options, Rc<Detector>)>> =
        const { RefCell::new(None) };
}

/// The detector for an option bag (`None`: no options, or null).
pub(super) fn detector(options: Option<JsValue>) -> JsResult<Rc<Detector>> {
    match options {
        None => default_detector(),
        Some(bag) => detector_for(bag),
    }
}

fn default_detector() -> JsResult<Rc<Detector>> {
    if let Some(detector) = DEFAULT.with(|made| made.get().cloned()) {
        return Ok(detector);
    }
    let detector = compiled(detect::Options::default())?;
    DEFAULT.with(|made| made.set(detector.clone()).ok());
    Ok(detector)
}

fn detector_for(bag: JsValue) -> JsResult<Rc<Detector>> {
    let last = LAST_BAG.with_borrow(Clone::clone);
    if let Some((snapshot, detector)) = last {
        if same_options(&bag, &snapshot) {
            return Ok(detector);
        }
    }
    let options = read_options(Some(bag.clone()))?;
    let cached = DETECTOR.with_borrow(|last| match last {
        Some((used, detector)) if *used == options => Some(detector.clone()),
        _ => None,
    });
    let detector = match cached {
        Some(detector) => detector,
        None => compiled(options.clone())?,
    };
    DETECTOR.set(Some((options, detector.clone())));
    let snapshot = options_snapshot(&bag);
    if !snapshot.is_undefined() {
        LAST_BAG.set(Some((Rc::new(snapshot), detector.clone())));
    }
    Ok(detector)
}

fn compiled(options: detect::Options) -> JsResult<Rc<Detector>> {
    Ok(Rc::new(Detector::new(options).map_err(syntax_error)?))
}

pub(super) fn core_scanner(options: Option<JsValue>) -> JsResult<CoreScanner> {
    CoreScanner::new(read_options(options)?).map_err(syntax_error)
}

fn syntax_error(error: crate::kql::SyntaxError) -> JsError {
    JsError::new(&format!("in option `query`: {}", with_caret(&error)))
}

/// Reads the option bag, refusing unknown keys and wrong types so that a
/// typo never silently falls back to the default.
fn read_options(options: Option<JsValue>) -> JsResult<detect::Options> {
    let Some(bag) = options.filter(|value| !value.is_undefined()) else {
        return Ok(detect::Options::default());
    };
    if !is_plain_object(&bag) {
        let got = kind_of(&bag);
        return Err(JsError::new(&format!(
            "expected options to be an object, got {got}"
        )));
    }
    check_option_keys(&bag)?;
    Ok(detect::Options {
        strict: bool_option(&bag, "strict", false)?,
        query: string_option(&bag, "query")?,
        index: string_option(&bag, "index")?,
        sha256: bool_option(&bag, "sha256", true)?,
    })
}

fn check_option_keys(bag: &JsValue) -> JsResult<()> {
    let keys = keys_of(bag);
    if let Some(why) = keys.as_string() {
        return Err(JsError::new(&format!("cannot read the options: {why}")));
    }
    for key in Array::from(&keys).iter() {
        let key = key.as_string().unwrap_or_default();
        if !matches!(key.as_str(), "strict" | "query" | "index" | "sha256") {
            return Err(JsError::new(&format!(
                "unknown option `{key}`: expected `strict`, `query`, `index` \
                 or `sha256`"
            )));
        }
    }
    Ok(())
}

fn bool_option(bag: &JsValue, key: &str, absent: bool) -> JsResult<bool> {
    let value = get(bag, key, "options")?;
    if value.is_undefined() {
        return Ok(absent);
    }
    value.as_bool().ok_or_else(|| {
        let got = kind_of(&value);
        JsError::new(&format!(
            "expected option `{key}` to be a boolean, got {got}"
        ))
    })
}

fn string_option(bag: &JsValue, key: &str) -> JsResult<Option<String>> {
    let value = get(bag, key, "options")?;
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    match value.as_string() {
        Some(text) => Ok(Some(text)),
        None => Err(JsError::new(&format!(
            "expected option `{key}` to be a string, got {}",
            kind_of(&value)
        ))),
    }
}
