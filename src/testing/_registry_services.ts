/**
 * What the registry's verbs need from it: the store, and the server's
 * sources of uids, generated names and timestamps (injectable for tests).
 *
 * @module
 */

import type { ObjectStore } from "./_object_store.ts";

/** The registry as its verbs see it. */
export interface RegistryServices {
  /** The objects and their history. */
  readonly store: ObjectStore;
  /** A new random uid. */
  uid(): string;
  /** A random suffix for `generateName`. */
  nameSuffix(): string;
  /** The current time as the server writes timestamps. */
  now(): string;
}
