/**
 * Feature detection of the Deno namespace, shared by the runtime adapters.
 * Nothing here touches `Deno` at import time, so other runtimes can load it.
 *
 * @module
 */

/** The `Deno` namespace, or undefined on runtimes without it. */
export function denoNamespace(): typeof Deno | undefined {
  return (globalThis as { Deno?: typeof Deno }).Deno;
}

/** Whether `err` is Deno's "permission not granted" error (NotCapable; PermissionDenied before Deno 2). */
export function isPermissionError(err: unknown): boolean {
  const errors = denoNamespace()?.errors;
  if (!errors) return false;
  if (errors.NotCapable && err instanceof errors.NotCapable) return true;
  return err instanceof errors.PermissionDenied && /--allow-/.test(err.message);
}

/** Whether `err` is Deno's NotFound error. */
export function isNotFoundError(err: unknown): boolean {
  const errors = denoNamespace()?.errors;
  return errors !== undefined && err instanceof errors.NotFound;
}
