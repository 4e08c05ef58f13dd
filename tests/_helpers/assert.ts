/**
 * Small assertion helpers for kubesnap's own tests (no external imports).
 *
 * @module
 */

/** Thrown when an assertion fails. */
export class AssertionError extends Error {
  /**
   * Creates an assertion error.
   *
   * @param message What did not hold.
   */
  constructor(message: string) {
    super(message);
    this.name = "AssertionError";
  }
}

function show(value: unknown): string {
  try {
    return Deno.inspect(value, { depth: 6, colors: false, sorted: true, strAbbreviateSize: 400 });
  } catch {
    return String(value);
  }
}

/** Deep structural equality for JSON-like values, Maps, Sets, Dates and typed arrays. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (a instanceof Map) {
    const bm = b as Map<unknown, unknown>;
    if (a.size !== bm.size) return false;
    for (const [k, v] of a) {
      if (!bm.has(k) || !deepEqual(v, bm.get(k))) return false;
    }
    return true;
  }
  if (a instanceof Set) {
    const bs = b as Set<unknown>;
    if (a.size !== bs.size) return false;
    for (const v of a) if (!bs.has(v)) return false;
    return true;
  }
  if (ArrayBuffer.isView(a)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const bv = b as ArrayBufferView;
    const y = new Uint8Array(bv.buffer, bv.byteOffset, bv.byteLength);
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  if (Array.isArray(a)) {
    const ba = b as unknown[];
    if (a.length !== ba.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], ba[i])) return false;
    return true;
  }
  const ak = Object.keys(a as object).filter((k) =>
    (a as Record<string, unknown>)[k] !== undefined
  );
  const bk = Object.keys(b as object).filter((k) =>
    (b as Record<string, unknown>)[k] !== undefined
  );
  if (ak.length !== bk.length) return false;
  for (const k of ak) {
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) {
      return false;
    }
  }
  return true;
}

/** Asserts that a value is truthy. */
export function assert(condition: unknown, message = "expected a truthy value"): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Asserts deep equality (JSON-like values, Maps, Sets). */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  if (!deepEqual(actual, expected)) {
    throw new AssertionError(
      `${message ? `${message}\n` : ""}values differ\n  actual:   ${show(actual)}\n  expected: ${
        show(expected)
      }`,
    );
  }
}

/** Asserts deep inequality. */
export function assertNotEquals(actual: unknown, expected: unknown, message?: string): void {
  if (deepEqual(actual, expected)) {
    throw new AssertionError(
      `${message ? `${message}\n` : ""}expected values to differ: ${show(actual)}`,
    );
  }
}

/** Asserts strict (`Object.is`) identity. */
export function assertStrictEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  if (!Object.is(actual, expected)) {
    throw new AssertionError(
      `${message ? `${message}\n` : ""}not the same value\n  actual:   ${
        show(actual)
      }\n  expected: ${show(expected)}`,
    );
  }
}

/** Asserts that a value is neither null nor undefined, and narrows it. */
export function assertExists<T>(actual: T, message?: string): asserts actual is NonNullable<T> {
  if (actual === null || actual === undefined) {
    throw new AssertionError(message ?? `expected a value, got ${String(actual)}`);
  }
}

/** Asserts that a string contains a substring. */
export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  if (!actual.includes(expected)) {
    throw new AssertionError(
      `${message ? `${message}\n` : ""}expected ${show(actual)} to include ${show(expected)}`,
    );
  }
}

/** Asserts that a string matches a regular expression. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  if (!pattern.test(actual)) {
    throw new AssertionError(
      `${message ? `${message}\n` : ""}expected ${show(actual)} to match ${pattern}`,
    );
  }
}

/** Asserts that a number is within `[min, max]`. */
export function assertBetween(actual: number, min: number, max: number, message?: string): void {
  if (!(actual >= min && actual <= max)) {
    throw new AssertionError(
      `${message ? `${message}\n` : ""}expected ${actual} to be within [${min}, ${max}]`,
    );
  }
}

// deno-lint-ignore no-explicit-any -- error classes have arbitrary constructor signatures
type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;

function checkError<E extends Error>(
  err: unknown,
  ErrorClass: ErrorClass<E> | undefined,
  includes: string | undefined,
): E {
  if (ErrorClass && !(err instanceof ErrorClass)) {
    throw new AssertionError(
      `expected error of class ${ErrorClass.name}, got ${
        err instanceof Error ? `${err.name}: ${err.message}` : show(err)
      }`,
    );
  }
  if (includes !== undefined) {
    const message = err instanceof Error ? err.message : String(err);
    if (!message.includes(includes)) {
      throw new AssertionError(
        `expected error message ${show(message)} to include ${show(includes)}`,
      );
    }
  }
  return err as E;
}

/** Asserts that a function throws (optionally a given class, with a message part); returns the error. */
export function assertThrows<E extends Error = Error>(
  fn: () => unknown,
  ErrorClass?: ErrorClass<E>,
  includes?: string,
): E {
  try {
    fn();
  } catch (err) {
    return checkError(err, ErrorClass, includes);
  }
  throw new AssertionError("expected function to throw");
}

/** Asserts that a promise (or async function) rejects; returns the error. */
export async function assertRejects<E extends Error = Error>(
  fn: (() => PromiseLike<unknown>) | PromiseLike<unknown>,
  ErrorClass?: ErrorClass<E>,
  includes?: string,
): Promise<E> {
  try {
    await (typeof fn === "function" ? fn() : fn);
  } catch (err) {
    return checkError(err, ErrorClass, includes);
  }
  throw new AssertionError("expected promise to reject");
}

/** Fails the test with a message. */
export function fail(message: string): never {
  throw new AssertionError(message);
}
