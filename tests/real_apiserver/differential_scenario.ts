/**
 * What a differential scenario is and the context it runs in: the same script runs once per
 * target and writes a transcript of normalised answers, step by step, that the suite compares.
 *
 * @module
 */

import type { KubeClient } from "../../mod.ts";
import type { DifferentialTarget } from "./differential_target.ts";
import { normaliseAnswer, ResourceVersionTokens } from "./differential_normaliser.ts";

// deno-lint-ignore no-explicit-any -- answers are arbitrary JSON
type Json = any;

/** A script sent to both servers. */
export interface Scenario {
  /** Names the scenario in test names and in known difference ids. */
  readonly id: string;
  /** What it checks. */
  readonly title: string;
  /** The script; it runs in a fresh namespace named `ctx.ns`. */
  run(ctx: ScenarioContext): Promise<void>;
}

/** Options of {@linkcode ScenarioContext.request}. */
export interface StepRequestOptions {
  /** Body, sent as JSON unless it is a string. */
  body?: unknown;
  /** Content type of the body. @default {"application/json"} */
  contentType?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Keeps part of the (normalised) body; the default keeps it all. */
  project?: (body: Json) => Json;
  /** Also record the media type of the answer. */
  recordContentType?: boolean;
}

/** An answer as a step saw it (before normalisation). */
export interface StepAnswer {
  /** HTTP status. */
  status: number;
  /** Parsed JSON body, the text when it is not JSON, undefined when empty. */
  body: Json;
}

/** Options of {@linkcode ScenarioContext.watch}. */
export interface StepWatchOptions {
  /** Runs once the watch answered (writes whose events the watch should see). */
  during?: () => Promise<void>;
  /** Stop reading once the events seen so far satisfy this. */
  until: (events: Json[]) => boolean;
  /** Give up waiting for `until` after this long. @default {5000} */
  timeoutMs?: number;
  /** Keeps part of each event object (not of bookmarks); the default keeps metadata. */
  project?: (object: Json) => Json;
}

const decoder = new TextDecoder();

/** Runs steps against one target and writes down their normalised answers. */
export class ScenarioContext {
  /** The target. */
  readonly target: DifferentialTarget;
  /** The scenario's namespace (the same name on both targets). */
  readonly ns: string;
  /** The normalised answers, by step label. */
  readonly transcript: Record<string, Json> = {};
  readonly #rvs = new ResourceVersionTokens();

  constructor(target: DifferentialTarget, ns: string) {
    this.target = target;
    this.ns = ns;
  }

  /** The library client of the target. */
  get client(): KubeClient {
    return this.target.client;
  }

  /** Records a value under `label` (normalised like an answer). */
  record(label: string, value: Json): void {
    if (label in this.transcript) throw new Error(`step ${label} recorded twice`);
    this.transcript[label] = normaliseAnswer(value, this.#rvs);
  }

  /** Records a value under `label` as is. */
  recordRaw(label: string, value: Json): void {
    if (label in this.transcript) throw new Error(`step ${label} recorded twice`);
    this.transcript[label] = value;
  }

  /** Normalises a list or bookmark resourceVersion (see {@linkcode ResourceVersionTokens.list}). */
  listRv(rv: unknown): string {
    return this.#rvs.list(rv);
  }

  /** Sends a raw request and records its status and normalised body under `label`. */
  async request(
    label: string,
    method: string,
    path: string,
    options: StepRequestOptions = {},
  ): Promise<StepAnswer> {
    const answer = await this.send(method, path, options);
    const entry: Record<string, Json> = { status: answer.status.status };
    if (options.recordContentType) {
      entry.contentType = answer.status.contentType;
    }
    const normalised = normaliseAnswer(answer.body, this.#rvs);
    entry.body = options.project ? options.project(normalised) : normalised;
    this.recordRaw(label, entry);
    return { status: answer.status.status, body: answer.body };
  }

  /** Sends a raw request without recording it. */
  async send(
    method: string,
    path: string,
    options: StepRequestOptions = {},
  ): Promise<{ status: { status: number; contentType: string | null }; body: Json }> {
    const headers = new Headers(options.headers);
    let body: BodyInit | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers.set("content-type", options.contentType ?? "application/json");
    }
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = body;
    const response = await this.target.fetch(path, init);
    const text = await response.text();
    let parsed: Json = undefined;
    if (text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    const contentType = response.headers.get("content-type");
    return {
      status: { status: response.status, contentType: contentType?.split(";")[0] ?? null },
      body: parsed,
    };
  }

  /** Creates an object without recording it; fails the scenario unless it is created. */
  async create(path: string, body: Json): Promise<Json> {
    const answer = await this.send("POST", path, { body });
    if (answer.status.status !== 201) {
      throw new Error(
        `setup create on ${path} answered ${answer.status.status}: ${JSON.stringify(answer.body)}`,
      );
    }
    this.#rvs.object(answer.body.metadata.resourceVersion);
    return answer.body;
  }

  /**
   * Opens a watch, runs `during`, reads events until `until` holds (or the timeout), cancels,
   * and records the status and the event sequence under `label`.
   */
  async watch(label: string, path: string, options: StepWatchOptions): Promise<Json[]> {
    const abort = new AbortController();
    // Deno's fetch holds back gzip-compressed watch events; the library asks for identity too.
    const response = await this.target.fetch(path, {
      signal: abort.signal,
      headers: { "accept-encoding": "identity" },
    });
    const events: Json[] = [];
    if (response.status !== 200 || response.body === null) {
      const text = await response.text();
      this.recordRaw(label, {
        status: response.status,
        body: normaliseAnswer(safeParse(text), this.#rvs),
      });
      return events;
    }
    const reader = response.body.getReader();
    let buffer = "";
    let ended = false;
    let wake: (() => void) | undefined;
    let notified = false;
    const notify = () => {
      notified = true;
      wake?.();
    };
    const pump = (async () => {
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let newline: number;
          while ((newline = buffer.indexOf("\n")) >= 0) {
            const line = buffer.slice(0, newline).trim();
            buffer = buffer.slice(newline + 1);
            if (line !== "") events.push(safeParse(line));
          }
          notify();
        }
      } catch (err) {
        if (Deno.env.get("KUBESNAP_DIFF_VERBOSE") === "1") console.log("watch read ended:", err);
      } finally {
        ended = true;
        notify();
      }
    })();
    try {
      await options.during?.();
      const deadline = Date.now() + (options.timeoutMs ?? 5000);
      while (!ended && !options.until(events) && Date.now() < deadline) {
        if (notified) {
          notified = false;
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        notified = false;
      }
    } finally {
      abort.abort();
      await reader.cancel().catch(() => {});
      await pump;
    }
    this.recordRaw(label, {
      status: response.status,
      events: events.map((event) => this.#normaliseEvent(event, options.project)),
    });
    return events;
  }

  #normaliseEvent(event: Json, project: StepWatchOptions["project"]): Json {
    if (typeof event !== "object" || event === null) return { malformed: event };
    const object = event.object ?? {};
    if (event.type === "BOOKMARK") {
      const { metadata, ...rest } = object;
      return {
        type: "BOOKMARK",
        resourceVersion: this.#rvs.list(metadata?.resourceVersion),
        initialEventsEnd: metadata?.annotations?.["k8s.io/initial-events-end"] === "true",
        object: { ...rest, metadataKeys: Object.keys(metadata ?? {}).sort() },
      };
    }
    const normalised = normaliseAnswer(object, this.#rvs);
    return {
      type: event.type,
      object: project ? project(normalised) : {
        kind: normalised.kind,
        name: normalised.metadata?.name,
        resourceVersion: normalised.metadata?.resourceVersion,
        reason: normalised.reason,
        code: normalised.code,
        message: normalised.message,
      },
    };
  }
}

function safeParse(text: string): Json {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
