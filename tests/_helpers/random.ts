/**
 * Deterministic randomness for tests.
 *
 * @module
 */

export { seededRandom } from "../../src/_internal/seeded_random.ts";
