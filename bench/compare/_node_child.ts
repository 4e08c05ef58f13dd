/**
 * Runs the client-node side under Node, driven by `_remote_side.ts` over
 * stdin/stdout, one JSON object per line. Started as
 * `node --experimental-strip-types bench/compare/_node_child.ts <file URL of client-node's dist/index.js>`.
 *
 * Requests `{ id, op, ... }` with op `create` (`options`), `start`, `cache`,
 * `timestampType` (`key`) or `stop` are answered with `{ id, value }` or
 * `{ id, error }`; handler calls and errors are pushed as they happen, as
 * `{ call }` and `{ error }` lines, before any later answer.
 *
 * @module
 */

import { clientNodeSide, loadClientNode } from "./_client_node_side.ts";
import type { Side, SideOptions } from "./_side.ts";

interface NodeProcess {
  argv: string[];
  stdin: {
    setEncoding(encoding: string): void;
    on(event: string, listener: (chunk: string) => void): void;
  };
  stdout: { write(text: string): boolean };
  exit(code?: number): never;
}

const proc = (globalThis as unknown as { process: NodeProcess }).process;
const k8s = await loadClientNode(proc.argv[2]);
let side: Side | undefined;

function send(message: unknown): void {
  proc.stdout.write(JSON.stringify(message) + "\n");
}

interface Request {
  id: number;
  op: "create" | "start" | "cache" | "timestampType" | "stop";
  options?: SideOptions;
  key?: string;
}

async function answer(request: Request): Promise<unknown> {
  switch (request.op) {
    case "create":
      side = clientNodeSide(k8s, {
        ...request.options!,
        record: false,
        onCall: (call) => send({ call }),
        onError: (error) => send({ error }),
      });
      return null;
    case "start":
      return await side!.start();
    case "cache":
      return [...(await side!.cache())];
    case "timestampType":
      return await side!.timestampType(request.key!);
    case "stop":
      await side?.stop();
      return null;
  }
}

let buffered = "";
proc.stdin.setEncoding("utf8");
proc.stdin.on("data", (chunk) => {
  buffered += chunk;
  for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
    const request = JSON.parse(buffered.slice(0, nl)) as Request;
    buffered = buffered.slice(nl + 1);
    answer(request).then(
      (value) => {
        send({ id: request.id, value });
        if (request.op === "stop") setTimeout(() => proc.exit(0), 10);
      },
      (err: unknown) => send({ id: request.id, error: String(err) }),
    );
  }
});
