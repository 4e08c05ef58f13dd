/**
 * Runs fake-apiserver conformance tests both in process (`server.fetch`) and
 * over real HTTP on 127.0.0.1, with raw requests (no client library), and
 * reads watch streams line by line.
 *
 * @module
 */

import { FakeApiServer, type FakeApiServerOptions } from "../../src/testing/mod.ts";
import { assertEquals, fail } from "./assert.ts";

/** How a test reaches the server. */
export type Mode = "fetch" | "http";

/** Both modes; conformance tests run once per mode. */
export const MODES: readonly Mode[] = ["fetch", "http"];

/** A server plus a way to send raw requests to it. */
export interface Harness {
  /** The server. */
  readonly server: FakeApiServer;
  /** Which transport. */
  readonly mode: Mode;
  /** Sends a request; `path` may carry a query. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Sends a request and parses the JSON body. */
  json<T = Record<string, unknown>>(
    path: string,
    init?: RequestInit,
  ): Promise<{ status: number; body: T; headers: Headers }>;
  /** Opens a watch (or any streaming GET). */
  watch(path: string, init?: RequestInit): Promise<WatchReader>;
  /** Closes every open watch reader and the server. */
  close(): Promise<void>;
}

/** A decoded watch line: the parsed event, or the raw text when it is not JSON. */
export interface WatchLine {
  /** `type` of the event (undefined for a malformed line). */
  type?: string;
  /** `object` of the event. */
  // deno-lint-ignore no-explicit-any -- tests inspect arbitrary JSON
  object?: any;
  /** The raw line (without the newline). */
  raw: string;
}

const decoder = new TextDecoder();

/** Reads a watch response line by line, with timeouts. */
export class WatchReader {
  readonly response: Response;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #abort: AbortController;
  #buffer = "";
  #lines: string[] = [];
  #pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  #done = false;
  /** Chunks received so far (to check batching). */
  chunks = 0;

  constructor(response: Response, abort: AbortController) {
    this.response = response;
    this.#abort = abort;
    if (response.body === null) throw new Error("watch response has no body");
    this.#reader = response.body.getReader();
  }

  /** True once the server ended the stream. */
  get ended(): boolean {
    return this.#done && this.#lines.length === 0;
  }

  /**
   * The next line, or undefined when the stream ends; fails the test after
   * `timeoutMs`.
   */
  async next(timeoutMs = 3000): Promise<WatchLine | undefined> {
    const line = await this.#nextRaw(timeoutMs);
    if (line === "timeout") fail(`no watch event within ${timeoutMs} ms`);
    if (line === undefined) return undefined;
    try {
      const parsed = JSON.parse(line);
      return { type: parsed.type, object: parsed.object, raw: line };
    } catch {
      return { raw: line };
    }
  }

  /** The next `count` events. */
  async take(count: number, timeoutMs = 3000): Promise<WatchLine[]> {
    const out: WatchLine[] = [];
    for (let i = 0; i < count; i++) {
      const line = await this.next(timeoutMs);
      if (line === undefined) fail(`stream ended after ${i} of ${count} events`);
      out.push(line);
    }
    return out;
  }

  /** Asserts that nothing arrives (and the stream does not end) for `ms`. */
  async expectQuiet(ms = 100): Promise<void> {
    const line = await this.#nextRaw(ms);
    if (line !== "timeout") {
      fail(`expected no watch event, got ${line === undefined ? "end of stream" : line}`);
    }
  }

  /** Asserts that the stream ends (after any remaining events, which are returned). */
  async expectEnd(timeoutMs = 3000): Promise<WatchLine[]> {
    const rest: WatchLine[] = [];
    while (true) {
      const line = await this.next(timeoutMs);
      if (line === undefined) return rest;
      rest.push(line);
    }
  }

  async #nextRaw(timeoutMs: number): Promise<string | undefined | "timeout"> {
    while (this.#lines.length === 0) {
      if (this.#done) return undefined;
      this.#pending ??= this.#reader.read();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      const result = await Promise.race([this.#pending, timeout]);
      clearTimeout(timer);
      if (result === "timeout") return "timeout";
      this.#pending = undefined;
      if (result.done) {
        this.#done = true;
        if (this.#buffer !== "") {
          this.#lines.push(this.#buffer);
          this.#buffer = "";
        }
        continue;
      }
      this.chunks++;
      this.#buffer += decoder.decode(result.value, { stream: true });
      const parts = this.#buffer.split("\n");
      this.#buffer = parts.pop()!;
      this.#lines.push(...parts);
    }
    return this.#lines.shift()!;
  }

  /** Cancels the stream (the client goes away). */
  async close(): Promise<void> {
    this.#abort.abort();
    if (!this.#done) {
      await this.#reader.cancel().catch(() => {});
      this.#done = true;
    }
    await this.#pending?.catch(() => {});
  }
}

/** Starts a server in the given mode. */
export async function harness(mode: Mode, options: FakeApiServerOptions = {}): Promise<Harness> {
  const server = mode === "http" ? await FakeApiServer.start(options) : new FakeApiServer(options);
  const base = mode === "http" ? server.url : "http://fake.test";
  const readers = new Set<WatchReader>();
  const send = (path: string, init: RequestInit = {}): Promise<Response> => {
    const request = new Request(base + path, init);
    return mode === "http" ? fetch(request) : server.fetch(request);
  };
  return {
    server,
    mode,
    request: send,
    async json<T>(path: string, init?: RequestInit) {
      const res = await send(path, init);
      const text = await res.text();
      let body: T;
      try {
        body = JSON.parse(text) as T;
      } catch {
        body = text as unknown as T;
      }
      return { status: res.status, body, headers: res.headers };
    },
    async watch(path: string, init: RequestInit = {}) {
      const abort = new AbortController();
      const res = await send(path, { ...init, signal: abort.signal });
      const reader = new WatchReader(res, abort);
      readers.add(reader);
      return reader;
    },
    async close() {
      for (const reader of readers) await reader.close();
      await server.close();
    },
  };
}

/** Runs `fn` against a fresh server in each mode, as one test step per mode. */
export function conformance(
  name: string,
  fn: (h: Harness) => Promise<void>,
  options: FakeApiServerOptions = {},
): void {
  for (const mode of MODES) {
    Deno.test(`${name} (${mode})`, async () => {
      const h = await harness(mode, options);
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    });
  }
}

/** JSON request init. */
export function jsonBody(
  method: string,
  body: unknown,
  contentType = "application/json",
): RequestInit {
  return {
    method,
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "Content-Type": contentType },
  };
}

/** Asserts a Status body: code, reason and (optionally) exact message. */
export function assertStatus(
  res: { status: number; body: unknown },
  code: number,
  reason: string,
  message?: string,
): void {
  const body = res.body as {
    kind?: string;
    code?: number;
    reason?: string;
    message?: string;
    status?: string;
  };
  assertEquals(res.status, code, `HTTP status (body: ${JSON.stringify(res.body)})`);
  assertEquals(body.kind, "Status");
  assertEquals(body.status, "Failure");
  assertEquals(body.code, code);
  assertEquals(body.reason, reason);
  if (message !== undefined) assertEquals(body.message, message);
}
