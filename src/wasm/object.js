// Reads a JavaScript object for the wasm module the way its JSON text
// would show it, one question at a time, without turning it into text:
// `test` and `matches` read the few members a query needs here, which
// costs far less than `JSON.stringify` of the whole record.
//
// JSON shows an object's own enumerable members, leaves out those whose
// value is `undefined`, a function or a symbol, writes NaN and the
// infinities as null, and calls `toJSON` where there is one. Each reader
// answers a number: what it found, or UNSURE where the JSON text could
// hold something it does not read the same way (an object with
// `toJSON`, a Date, a boxed string, a BigInt, a string JSON cannot
// encode, arrays nested or long past the limits, an object from another
// realm), and the module then reads the record in full. A getter or a
// proxy that throws makes the reader answer THREW; the exception waits
// in `takeThrown`.
//
// The paths are read as Elasticsearch flattens a document: nested
// objects and dotted keys alike (`event.action` is `event` then
// `action`, or the key `event.action`), arrays flattened at any depth.

const NO = 0;
const YES = 1;
const UNSURE = 2;
const THREW = 3;

// What a member holds, three bits each in `shape`.
const ABSENT = 0;
const NULL = 1;
const BOOLEAN = 2;
const NUMBER = 3;
const STRING = 4;
const ARRAY = 5;
const OBJECT = 6;
const ODD = 7;

// How deep the readers go, and how many array elements one question
// reads, before they leave the record to the full path (which refuses
// JSON nested deeper than 128 levels).
const MAX_DEPTH = 128;
const MAX_ITEMS = 100000;

const OBJECT_PROTOTYPE = Object.prototype;
const ARRAY_PROTOTYPE = Array.prototype;
const isEnumerable = Object.prototype.propertyIsEnumerable;
const hasOwn = Object.prototype.hasOwnProperty;
const getPrototypeOf = Object.getPrototypeOf;
const isArray = Array.isArray;
const LONE_SURROGATE = /\p{Surrogate}/u;

let thrown;
let budget = MAX_ITEMS;
let last;
let found = [];

// The members read since `shape` last read a record, each with its kind:
// every question walks from the record's top, and a rule asks for
// `event` in several of them.
// NOTE: what the last record held stays referenced here until the next
// one is read.
const MEMO = 16;
const memoObjects = new Array(MEMO);
const memoKeys = new Array(MEMO);
const memoValues = new Array(MEMO);
const memoKinds = new Array(MEMO);
let memoCount = 0;
let recordRead;
// What `lookUp` found.
let gotValue;
let gotKind = ABSENT;

function forget(record) {
  memoCount = 0;
  recordRead = record;
}

/** Sets `gotValue` and `gotKind` to a member and its kind, read once per
 * record. */
function lookUp(object, key) {
  for (let index = 0; index < memoCount; index++) {
    if (memoKeys[index] === key && memoObjects[index] === object) {
      gotValue = memoValues[index];
      gotKind = memoKinds[index];
      return;
    }
  }
  gotValue = member(object, key);
  gotKind = kindOf(gotValue);
  if (memoCount < MEMO) {
    memoObjects[memoCount] = object;
    memoKeys[memoCount] = key;
    memoValues[memoCount] = gotValue;
    memoKinds[memoCount] = gotKind;
    memoCount += 1;
  }
}

/** What the last reader that answered THREW caught. */
export function takeThrown() {
  const error = thrown;
  thrown = undefined;
  return error;
}

/** An object JSON writes as its members: no `toJSON`, our realm's. */
function plainObject(value) {
  const prototype = getPrototypeOf(value);
  const plain = prototype === OBJECT_PROTOTYPE || prototype === null;
  return plain && typeof value.toJSON !== "function";
}

function plainArray(value) {
  return getPrototypeOf(value) === ARRAY_PROTOTYPE &&
    typeof value.toJSON !== "function";
}

/** NOTE: JSON.stringify writes a lone surrogate as an escape that the
 * module's JSON reader reads as U+FFFD, which compares unlike the string
 * here, so such a string is read in full. */
function wellFormed(text) {
  return typeof text.isWellFormed === "function"
    ? text.isWellFormed()
    : !LONE_SURROGATE.test(text);
}

/** A member as JSON shows it: undefined unless own and enumerable. */
function member(object, key) {
  const value = object[key];
  return value !== undefined && isEnumerable.call(object, key)
    ? value
    : undefined;
}

function kindOf(value) {
  switch (typeof value) {
    case "string":
      return wellFormed(value) ? STRING : ODD;
    case "number":
      return Number.isFinite(value) ? NUMBER : NULL;
    case "boolean":
      return BOOLEAN;
    case "object":
      if (value === null) return NULL;
      if (isArray(value)) return plainArray(value) ? ARRAY : ODD;
      return plainObject(value) ? OBJECT : ODD;
    case "function":
      return typeof value.toJSON === "function" ? ODD : ABSENT;
    case "undefined":
    case "symbol":
      return ABSENT;
    default:
      return ODD;
  }
}

/**
 * The members that tell a record's shape, three bits each, in the order
 * of `shapeKeys` (which the module checks against its own list); -1
 * when it threw, -2 when `object` is not a plain object.
 *
 * NOTE: found among the keys `for...in` lists, which are the enumerable
 * ones, rather than read by name: a raw record has four of the ten, and
 * asking whether each is enumerable (`propertyIsEnumerable`, a call
 * into the engine's runtime) took a third of `test` on raw records.
 * `for...in` also lists inherited keys, which `hasOwnProperty` (inlined
 * by V8) leaves out.
 */
export function shape(object) {
  forget(undefined);
  try {
    if (typeof object !== "object" || object === null) return -2;
    if (isArray(object) || !plainObject(object)) return -2;
    forget(object);
    let code = 0;
    for (const key in object) {
      const shift = shapeShift(key);
      if (shift >= 0 && hasOwn.call(object, key)) {
        code |= kindOf(object[key]) << shift;
      }
    }
    return code;
  } catch (error) {
    thrown = error;
    return -1;
  }
}

/** Where a member's three bits go in `shape`; -1 for any other key.
 *
 * NOTE: a switch rather than a `Map` of the list in `shapeKeys`: looking
 * each key up in a `Map` made `test` 6-10% slower. */
function shapeShift(key) {
  switch (key) {
    case "o365audit": return 0;
    case "auditData": return 3;
    case "AuditData": return 6;
    case "_source": return 9;
    case "_index": return 12;
    case "event.kind": return 15;
    case "Workload": return 18;
    case "Operation": return 21;
    case "RecordType": return 24;
    case "CreationTime": return 27;
    default: return -1;
  }
}

/** The members `shape` reads, in its order: those whose bits
 * `shapeShift` puts at their place in the list, so that if the two ever
 * part, the module's check of this list fails and it reads every record
 * in full. */
export function shapeKeys() {
  const keys = [
    "o365audit", "auditData", "AuditData", "_source", "_index", "event.kind",
    "Workload", "Operation", "RecordType", "CreationTime",
  ];
  return keys.filter((key, at) => shapeShift(key) === 3 * at);
}

/** Whether `event` is an object holding `kind` (null counts). */
export function eventHoldsKind(object) {
  try {
    const event = member(object, "event");
    const kind = kindOf(event);
    if (kind === ODD) return UNSURE;
    if (kind !== OBJECT) return NO;
    const inner = kindOf(member(event, "kind"));
    return inner === ODD ? UNSURE : inner === ABSENT ? NO : YES;
  } catch (error) {
    thrown = error;
    return THREW;
  }
}

/** The value of a member, for the module to take (an object or a
 * string its caller saw in `shape`); undefined when it threw. */
export function memberValue(object, key) {
  try {
    return member(object, key);
  } catch (error) {
    thrown = error;
    return undefined;
  }
}

/** The kind of a member, kept for `lastNumber` and `lastText`; -1 when
 * it threw. */
export function field(object, key) {
  try {
    last = member(object, key);
    return kindOf(last);
  } catch (error) {
    thrown = error;
    return -1;
  }
}

export function lastNumber() {
  return last;
}

/** The text of the member `field` read: a string, or a number's JSON
 * text. */
export function lastText() {
  return String(last);
}

/**
 * A dotted path made ready for the readers: `keys[i]` holds the keys
 * that may follow the first `i` parts (`a`, `a.b`, ... from part `i`).
 * Split as the module's `FieldPath` splits, at every dot.
 */
export function compilePath(dotted) {
  const parts = dotted.split(".");
  const keys = parts.map((_, from) =>
    parts.slice(from).map((_, more) =>
      internalized(parts.slice(from, from + more + 1).join("."))));
  return { parts: parts.length, keys, dotted };
}

/** The engine's own copy of a property name: V8 looks a key up by
 * address when it has one, and hashes any other string first. */
function internalized(key) {
  return Object.keys({ [key]: 0 })[0];
}

// What `walk` does at each value it reaches.
const MATCH_TEXT = 0;
const ANY_VALUE = 1;
const COLLECT = 2;

/** Whether a value at `path` has `text` as its JSON text: the string
 * itself, a number's digits, `true` or `false`. */
export function anyText(object, path, text) {
  return ask(object, path, MATCH_TEXT, text);
}

/** Whether any value sits at `path`. */
export function hasValue(object, path) {
  return ask(object, path, ANY_VALUE, undefined);
}

/** The values at `path`, kept for `foundKind`, `foundNumber` and
 * `foundText`: how many, or -1 when it threw and -2 when unsure. */
export function collect(object, path) {
  const values = [];
  const answer = ask(object, path, COLLECT, values);
  found = values;
  if (answer === THREW) return -1;
  return answer === UNSURE ? -2 : values.length;
}

/** The kind of a value `collect` kept; ODD, which sends the record down
 * the full path, when looking at it again throws (a proxy's trap may
 * throw the second time only). */
export function foundKind(index) {
  try {
    return kindOf(found[index]);
  } catch (error) {
    thrown = error;
    return ODD;
  }
}

export function foundNumber(index) {
  return found[index];
}

export function foundText(index) {
  return String(found[index]);
}

function ask(object, path, mode, text) {
  try {
    budget = MAX_ITEMS;
    const kind = object === recordRead ? OBJECT : kindOf(object);
    return walk(object, kind, path, 0, 0, mode, text);
  } catch (error) {
    thrown = error;
    return THREW;
  }
}

/** The answer for the values at `path` from part `at` on: YES as soon as
 * one answers YES, else UNSURE if one did, else NO. */
function walk(value, kind, path, at, depth, mode, text) {
  if (kind === ARRAY) return walkItems(value, path, at, depth, mode, text);
  if (at === path.parts) return visit(value, kind, mode, text);
  if (kind !== OBJECT) return kind === ODD ? UNSURE : NO;
  if (depth >= MAX_DEPTH) return UNSURE;
  const keys = path.keys[at];
  let answer = NO;
  for (let more = 0; more < keys.length; more++) {
    lookUp(value, keys[more]);
    if (gotKind === ABSENT) continue;
    const found = walk(gotValue, gotKind, path, at + more + 1, depth + 1,
      mode, text);
    if (found === YES) return YES;
    if (found === UNSURE) answer = UNSURE;
  }
  return answer;
}

function walkItems(items, path, at, depth, mode, text) {
  if (depth >= MAX_DEPTH) return UNSURE;
  const length = items.length;
  budget -= length;
  if (budget < 0) return UNSURE;
  let answer = NO;
  for (let index = 0; index < length; index++) {
    const item = items[index];
    const found = walk(item, kindOf(item), path, at, depth + 1, mode, text);
    if (found === YES) return YES;
    if (found === UNSURE) answer = UNSURE;
  }
  return answer;
}

function visit(value, kind, mode, text) {
  switch (kind) {
    case ODD:
      return UNSURE;
    case ABSENT:
    case NULL:
    case OBJECT:
      return NO;
    default:
      break;
  }
  if (mode === MATCH_TEXT) return jsonText(value, kind) === text ? YES : NO;
  if (mode === ANY_VALUE) return YES;
  text.push(value);
  return NO;
}

function jsonText(value, kind) {
  switch (kind) {
    case STRING:
      return value;
    case BOOLEAN:
      return value ? "true" : "false";
    default:
      return String(value);
  }
}

/** Whether a non-null value sits at `path` or under it, as an `exists`
 * query sees it (`""` counts). */
export function exists(object, path) {
  return askUnder(object, path, false);
}

/** Whether a value other than null and `""` sits strictly under `path`:
 * in an object there, or under a key that runs past it. */
export function under(object, path) {
  return askUnder(object, path, true);
}

function askUnder(object, path, strictly) {
  try {
    budget = MAX_ITEMS;
    return existsUnder(object, path.dotted, 0, strictly);
  } catch (error) {
    thrown = error;
    return THREW;
  }
}

/** Mirrors `exists_under` of the module's `doc.rs`: a key equal to the
 * rest of the path, or running past it, holds what is looked for; a key
 * that the rest starts with leads on. */
function existsUnder(value, rest, depth, strictly) {
  if (depth >= MAX_DEPTH) return UNSURE;
  const kind = kindOf(value);
  if (kind === ARRAY) {
    return anyItem(value, depth, (item) =>
      existsUnder(item, rest, depth + 1, strictly));
  }
  if (kind !== OBJECT) return kind === ODD ? UNSURE : NO;
  let answer = NO;
  for (const key of Object.keys(value)) {
    let found = NO;
    if (key === rest) {
      found = strictly
        ? inside(value[key], depth + 1)
        : holds(value[key], depth + 1, false);
    } else if (key.startsWith(rest) && key.charCodeAt(rest.length) === 46) {
      found = holds(value[key], depth + 1, strictly);
    } else if (rest.startsWith(key) && rest.charCodeAt(key.length) === 46) {
      const tail = rest.slice(key.length + 1);
      found = existsUnder(value[key], tail, depth + 1, strictly);
    }
    if (found === YES) return YES;
    if (found === UNSURE) answer = UNSURE;
  }
  return answer;
}

/** Whether a value is, or holds anywhere inside, a non-null scalar;
 * `filled`: one other than `""`. */
function holds(value, depth, filled) {
  switch (kindOf(value)) {
    case ABSENT:
    case NULL:
      return NO;
    case ODD:
      return UNSURE;
    case STRING:
      return filled && value === "" ? NO : YES;
    case ARRAY:
      return anyItem(value, depth, (item) => holds(item, depth + 1, filled));
    case OBJECT:
      return anyItem(Object.values(value), depth,
        (item) => holds(item, depth + 1, filled));
    default:
      return YES;
  }
}

/** Whether a value other than null and `""` lies strictly below a
 * value's own path: in its members, or in those of its arrays'
 * objects. */
function inside(value, depth) {
  switch (kindOf(value)) {
    case ODD:
      return UNSURE;
    case ARRAY:
      return anyItem(value, depth, (item) => inside(item, depth + 1));
    case OBJECT:
      return anyItem(Object.values(value), depth,
        (item) => holds(item, depth + 1, true));
    default:
      return NO;
  }
}

function anyItem(items, depth, answer) {
  if (depth >= MAX_DEPTH) return UNSURE;
  budget -= items.length;
  if (budget < 0) return UNSURE;
  let result = NO;
  for (let index = 0; index < items.length; index++) {
    const found = answer(items[index]);
    if (found === YES) return YES;
    if (found === UNSURE) result = UNSURE;
  }
  return result;
}

/** The options last read, as `sameOptions` compares them. */
export function optionsSnapshot(bag) {
  try {
    return {
      strict: bag.strict, query: bag.query, index: bag.index,
      sha256: bag.sha256,
    };
  } catch {
    return undefined;
  }
}

const OPTION_KEYS = new Set(["strict", "query", "index", "sha256"]);

/** Whether an option bag reads as the one `snapshot` was taken of: only
 * known keys, each value the same. */
export function sameOptions(bag, snapshot) {
  try {
    if (typeof bag !== "object" || bag === null || isArray(bag)) return false;
    for (const key of Object.keys(bag)) {
      if (!OPTION_KEYS.has(key)) return false;
    }
    return bag.strict === snapshot.strict && bag.query === snapshot.query &&
      bag.index === snapshot.index && bag.sha256 === snapshot.sha256;
  } catch {
    return false;
  }
}
