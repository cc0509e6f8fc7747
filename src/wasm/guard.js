// Looks at values a caller handed to the module, for its checks and its
// error messages, without letting anything they run throw into it.
//
// A getter, a proxy's trap or a `toJSON` can throw, and so can a revoked
// proxy asked whether it is an array. An exception that crosses into the
// module unwinds its frames without their cleanup: the module's own stack
// is left a little lower each time, and a few thousand such calls break
// the instance for good. So every look here that can run the caller's
// code catches, and the module asks only these, or `Reflect.get`, which
// wasm-bindgen catches for it.

const isArray = Array.isArray;
const isView = ArrayBuffer.isView;
const getPrototypeOf = Object.getPrototypeOf;
const objectKeys = Object.keys;
const from = Array.from;

// The engine's own accessors for a typed array's slots, which run none
// of the caller's code and answer undefined for what is not one.
const accessor = (prototype, key) =>
  Object.getOwnPropertyDescriptor(prototype, key).get;
const TYPED_ARRAY = getPrototypeOf(Uint8Array.prototype);
const typedArrayName = accessor(TYPED_ARRAY, Symbol.toStringTag);
const viewBuffer = accessor(TYPED_ARRAY, "buffer");
const viewOffset = accessor(TYPED_ARRAY, "byteOffset");
const viewLength = accessor(TYPED_ARRAY, "byteLength");

/** Whether `value instanceof` one of the kinds; false when asking throws
 * (a proxy's trap).
 *
 * NOTE: not by calling a kind's own accessor and catching what it throws
 * for other values: `evaluate` asks this of every object it is given,
 * and three exceptions a call made it a third slower. */
function isInstance(value, ...kinds) {
  try {
    return kinds.some((kind) => value instanceof kind);
  } catch {
    return false;
  }
}

/** What a thrown value says: an Error's message, a string as it is, or
 * what kind of value it was. */
export function thrownMessage(value) {
  try {
    if (!(value instanceof Error)) {
      return typeof value === "string" ? value : `${kindName(value)} was thrown`;
    }
  } catch {
    return `${kindName(value)} was thrown`;
  }
  try {
    const message = value.message;
    if (typeof message === "string" && message.length > 0) return message;
    return `${String(value.name)} with no message`;
  } catch {
    return "an error whose message cannot be read was thrown";
  }
}

/** A value's kind, for messages: "a number", "null", "an array". */
export function kindName(value) {
  if (value === null) return "null";
  const type = typeof value;
  if (type === "undefined") return type;
  if (type !== "object") return `a ${type}`;
  try {
    return isArray(value) ? "an array" : "an object";
  } catch {
    return "a revoked proxy";
  }
}

/** "a Uint8Array", "an ArrayBuffer": the name of an object's
 * constructor, or its kind when that cannot be read. */
export function constructorName(value) {
  try {
    const name = value.constructor.name;
    if (typeof name === "string" && name.length > 0) {
      // NOTE: `U` left out: "a Uint8Array".
      return `${/^[AEIO]/.test(name) ? "an" : "a"} ${name}`;
    }
  } catch {
    // Fall through to the kind.
  }
  return kindName(value);
}

/** Whether a value is an object that is neither an array nor a function;
 * false for a revoked proxy. */
export function isPlainObject(value) {
  try {
    return typeof value === "object" && value !== null && !isArray(value);
  } catch {
    return false;
  }
}

/** Whether a value is bytes rather than a record: a typed array (a Node
 * `Buffer` is one), a `DataView` or an `ArrayBuffer`. */
export function isBinary(value) {
  return isView(value) || isInstance(value, ArrayBuffer);
}

/** Whether a value is a `Map` or a `Set`, which `JSON.stringify` writes
 * as `{}`. */
export function isCollection(value) {
  return isInstance(value, Map, Set);
}

/** Whether a value is an array; false for a revoked proxy. */
export function isList(value) {
  try {
    return isArray(value);
  } catch {
    return false;
  }
}

/** A `Uint8Array` or an `ArrayBuffer` as a new `Uint8Array` over the same
 * memory, whose reads run none of the caller's code; undefined for
 * anything else (a proxy of one included). */
export function bytesOf(value) {
  try {
    if (typedArrayName.call(value) === "Uint8Array") {
      const buffer = viewBuffer.call(value);
      return new Uint8Array(buffer, viewOffset.call(value), viewLength.call(value));
    }
    if (isInstance(value, ArrayBuffer)) return new Uint8Array(value);
  } catch {
    // A detached buffer: not bytes that can be read.
  }
  return undefined;
}

/** A copy of an array's items; undefined when `value` is not an array;
 * the message of what was thrown, as a string, when reading it threw. */
export function itemsOf(value) {
  try {
    return isArray(value) ? from(value) : undefined;
  } catch (error) {
    return thrownMessage(error);
  }
}

/** An object's own enumerable keys; the message of what was thrown, as a
 * string, when listing them threw. */
export function keysOf(value) {
  try {
    return objectKeys(value);
  } catch (error) {
    return thrownMessage(error);
  }
}
