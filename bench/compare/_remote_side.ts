/**
 * The client-node side running in a Node process (`_node_child.ts`), seen
 * from the Deno process that runs the scenarios. Handler calls arrive as they
 * happen and are timed on arrival.
 *
 * @module
 */

import { CallRecorder, type HandlerCall, type Side, type SideOptions } from "./_side.ts";

/** Where Node and the installed client-node are. */
export interface NodeRuntime {
  /** The `node` executable (22.19 or later: client-node 2.x needs it). */
  node: string;
  /** File URL of client-node's `dist/index.js`. */
  moduleUrl: string;
}

/** Starts a Node process running the client-node side; its informer starts on `start()`. */
export function remoteClientNodeSide(runtime: NodeRuntime, options: SideOptions): Side {
  const child = new Deno.Command(runtime.node, {
    args: [
      "--experimental-strip-types",
      "--no-warnings",
      new URL("./_node_child.ts", import.meta.url).pathname,
      runtime.moduleUrl,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const encoder = new TextEncoder();
  const recorder = new CallRecorder(options.record ?? true);
  const errors: string[] = [];
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let exited = false;

  const reading = (async () => {
    let buffered = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const message = JSON.parse(line) as {
          id?: number;
          value?: unknown;
          error?: string;
          call?: HandlerCall;
        };
        if (message.call !== undefined) {
          const c = message.call;
          recorder.call(c.type, c.key, c.resourceVersion, c.tombstone);
        } else if (message.id === undefined && message.error !== undefined) {
          errors.push(message.error);
        } else if (message.id !== undefined) {
          const waiter = pending.get(message.id);
          pending.delete(message.id);
          if (message.error !== undefined) waiter?.reject(new Error(message.error));
          else waiter?.resolve(message.value);
        }
      }
    }
  })();
  child.status.then(() => {
    exited = true;
    for (const waiter of pending.values()) waiter.reject(new Error("the Node process exited"));
    pending.clear();
  });

  async function call<R>(op: string, extra: Record<string, unknown> = {}): Promise<R> {
    if (exited) throw new Error("the Node process exited");
    const id = nextId++;
    const answer = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
    await writer.write(encoder.encode(JSON.stringify({ id, op, ...extra }) + "\n"));
    return await answer as R;
  }

  const { tweakListOptions: _unused, onCall: _c, onError: _e, ...serializable } = options;
  const created = call("create", { options: serializable });

  return {
    name: "client-node",
    mirror: recorder.mirror,
    calls: recorder.calls,
    counts: recorder.counts,
    updateTimes: recorder.updateTimes,
    errors,
    async ready() {
      await created;
    },
    async start() {
      await created;
      return await call<boolean>("start");
    },
    async cache() {
      return new Map(await call<[string, string][]>("cache"));
    },
    timestampType(key) {
      return call<string>("timestampType", { key });
    },
    async stop() {
      try {
        await call("stop");
      } catch {
        // already gone
      }
      await writer.close().catch(() => {});
      const timer = setTimeout(() => {
        try {
          child.kill();
        } catch {
          // exited meanwhile
        }
      }, 5000);
      await child.status;
      clearTimeout(timer);
      await reading.catch(() => {});
    },
  };
}
