import { FakeApiServer } from "../../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "../_helpers/assert.ts";

const TOKEN = "t0ken";
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const PODS = "/api/v1/namespaces/default/pods";
const DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends one request as raw HTTP/1.1 bytes, for what `fetch` refuses to send. */
async function raw(
  server: FakeApiServer,
  requestLine: string,
  headers: Record<string, string> = {},
  body = "",
): Promise<RawResponse> {
  const url = new URL(server.url);
  const conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port) });
  const head = Object.entries({ Host: url.host, Connection: "close", ...headers })
    .map(([name, value]) => `${name}: ${value}\r\n`).join("");
  await conn.write(new TextEncoder().encode(`${requestLine}\r\n${head}\r\n${body}`));
  const bytes: Uint8Array[] = [];
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await conn.read(buffer);
    if (n === null) break;
    bytes.push(buffer.slice(0, n));
  }
  conn.close();
  const text = new TextDecoder().decode(new Uint8Array(bytes.flatMap((b) => [...b])));
  const [headText, ...rest] = text.split("\r\n\r\n");
  const [statusLine, ...headerLines] = headText!.split("\r\n");
  const parsed: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    parsed[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(statusLine!.split(" ")[1]),
    headers: parsed,
    body: rest.join("\r\n\r\n"),
  };
}

/** Asserts a Kubernetes Status of the given code and reason; returns its message. */
function assertStatusBody(body: string, code: number, reason: string): string {
  const status = JSON.parse(body);
  assertEquals([status.kind, status.apiVersion, status.status], ["Status", "v1", "Failure"]);
  assertEquals([status.code, status.reason], [code, reason]);
  return status.message;
}

async function assertStillServing(server: FakeApiServer): Promise<void> {
  const res = await fetch(`${server.url}${PODS}`, { headers: AUTH });
  assertEquals(res.status, 200);
  assertEquals((await res.json()).kind, "PodList");
}

Deno.test("the fake apiserver answers TRACE, TRACK and lowercase get with 401, then 405 as a Status", async () => {
  await using server = await FakeApiServer.start({ token: TOKEN });
  for (const method of ["TRACE", "TRACK", "get", "Get"]) {
    for (const extra of [{}, { "Content-Length": "0" }]) {
      const anonymous = await raw(server, `${method} ${PODS} HTTP/1.1`, extra);
      assertEquals(anonymous.status, 401, `${method} ${JSON.stringify(extra)}`);
      assertStatusBody(anonymous.body, 401, "Unauthorized");
      const authorized = await raw(server, `${method} ${PODS} HTTP/1.1`, { ...AUTH, ...extra });
      assertEquals(authorized.status, 405, `${method} ${JSON.stringify(extra)}`);
      assertEquals(authorized.headers["content-type"], "application/json");
      assertStatusBody(authorized.body, 405, "MethodNotAllowed");
    }
  }
  const connect = await raw(server, `CONNECT ${new URL(server.url).host} HTTP/1.1`);
  assertEquals(connect.status, 401);
  assertStatusBody(connect.body, 401, "Unauthorized");
  await assertStillServing(server);
});

Deno.test("the fake apiserver answers a path with a bad percent-escape with a 400 Status, before authentication", async () => {
  await using server = await FakeApiServer.start({ token: TOKEN });
  const res = await raw(server, `GET ${PODS}/%ZZ HTTP/1.1`, AUTH);
  assertEquals(res.status, 400);
  assertEquals(res.headers["content-type"], "application/json");
  assertStringIncludes(assertStatusBody(res.body, 400, "BadRequest"), "%-escape");
  // Before authentication, as on a real server (whose HTTP layer refuses the request line).
  const anonymous = await raw(server, `GET ${PODS}/%ZZ HTTP/1.1`);
  assertEquals(anonymous.status, 400);
  assertStatusBody(anonymous.body, 400, "BadRequest");
  await assertStillServing(server);
});

Deno.test("the fake apiserver refuses JSON nested deeper than 10,000 levels with a 400 Status", async () => {
  await using server = await FakeApiServer.start({ token: TOKEN });
  const json = { ...AUTH, "Content-Type": "application/json" };
  const arrays = "[".repeat(100_000) + "]".repeat(100_000);
  const created = await fetch(`${server.url}${PODS}`, {
    method: "POST",
    headers: json,
    body: `{"metadata":{"name":"deep"},"spec":{"x":${arrays}}}`,
  });
  assertEquals(created.status, 400);
  // kube-apiserver 1.37's message, measured.
  assertEquals(
    assertStatusBody(await created.text(), 400, "BadRequest"),
    "the object provided is unrecognized (must be of type Pod): couldn't get version/kind; " +
      `json parse error: invalid character '[' exceeded max depth ({"metadata":{"name":"deep"},"s ...)`,
  );
  const ok = await fetch(`${server.url}${PODS}`, {
    method: "POST",
    headers: json,
    body: '{"metadata":{"name":"p"}}',
  });
  assertEquals(ok.status, 201);
  await ok.body?.cancel();
  const objects = '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000);
  for (
    const type of [
      "application/merge-patch+json",
      "application/strategic-merge-patch+json",
      "application/json-patch+json",
    ]
  ) {
    const body = type === "application/json-patch+json"
      ? `[{"op":"add","path":"/metadata/labels","value":${objects}}]`
      : `{"metadata":${objects}}`;
    const patched = await fetch(`${server.url}${PODS}/p`, {
      method: "PATCH",
      headers: { ...AUTH, "Content-Type": type },
      body,
    });
    assertEquals(patched.status, 400, type);
    assertEquals(assertStatusBody(await patched.text(), 400, "BadRequest"), "invalid JSON patch");
  }
  await assertStillServing(server);
});

Deno.test("the fake apiserver stores, patches and serves deeply nested objects, and never fails them with a 500", async () => {
  await using server = await FakeApiServer.start({ token: TOKEN });
  const send = (method: string, path: string, type: string, body: string) =>
    fetch(`${server.url}${DEPLOYMENTS}${path}`, {
      method,
      headers: { ...AUTH, "Content-Type": type },
      body,
    });
  const nestedOf = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  // 4,000 levels: every request path handles it (nothing recurses per level in JavaScript).
  const nested = nestedOf(4_000);
  const created = await send(
    "POST",
    "",
    "application/json",
    `{"metadata":{"name":"d"},"spec":{"x":${nested}}}`,
  );
  assertEquals(created.status, 201);
  await created.body?.cancel();
  for (const type of ["application/merge-patch+json", "application/strategic-merge-patch+json"]) {
    const patched = await send("PATCH", "/d", type, `{"spec":{"y":${nested}}}`);
    assertEquals(patched.status, 200, type);
    await patched.body?.cancel();
  }
  const applied = await send(
    "PATCH",
    "/applied?fieldManager=test",
    "application/apply-patch+yaml",
    `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"applied"},"spec":{"x":${nested}}}`,
  );
  assertEquals(applied.status, 201);
  await applied.body?.cancel();
  const got = await fetch(`${server.url}${DEPLOYMENTS}/d`, { headers: AUTH });
  assertEquals(got.status, 200);
  assert((await got.text()).includes('{"a":'.repeat(4_000)));
  // Up to the 10,000 limit the engine's own JSON serialiser may run out of stack
  // (it recurses once an object is in dictionary mode): a 400, never a 500.
  const deeper = await send(
    "POST",
    "",
    "application/json",
    `{"metadata":{"name":"deeper"},"spec":{"x":${nestedOf(9_990)}}}`,
  );
  assert(deeper.status === 201 || deeper.status === 400, `status ${deeper.status}`);
  await deeper.body?.cancel();
  await assertStillServing(server);
});

Deno.test("the fake apiserver refuses a body over 3 MiB with a 413 Status, with or without Content-Length", async () => {
  await using server = await FakeApiServer.start({ token: TOKEN });
  const big = `{"metadata":{"name":"big"},"data":{"x":"${"a".repeat(3 * 1024 * 1024)}"}}`;
  const sized = await fetch(`${server.url}/api/v1/namespaces/default/configmaps`, {
    method: "POST",
    headers: { ...AUTH, "Content-Type": "application/json" },
    body: big,
  });
  assertEquals(sized.status, 413);
  assertStatusBody(await sized.text(), 413, "RequestEntityTooLarge");
  const bytes = new TextEncoder().encode(big);
  const streamed = await fetch(`${server.url}/api/v1/namespaces/default/configmaps`, {
    method: "POST",
    headers: { ...AUTH, "Content-Type": "application/json" },
    body: new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 256 * 1024) {
          controller.enqueue(bytes.subarray(i, i + 256 * 1024));
        }
        controller.close();
      },
    }),
  });
  assertEquals(streamed.status, 413);
  assertStatusBody(await streamed.text(), 413, "RequestEntityTooLarge");
  await assertStillServing(server);
});

Deno.test("a watch with timeoutSeconds beyond what a timer holds stays open", async () => {
  await using server = new FakeApiServer();
  const controller = new AbortController();
  // 34.7 days: more than the 2^31-1 ms a timer holds, which used to fire at once.
  const query = `watch=1&timeoutSeconds=3000000&resourceVersion=${server.resourceVersion}`;
  const res = await server.fetch(
    new Request(`http://fake.invalid${PODS}?${query}`, { signal: controller.signal }),
  );
  const reader = res.body!.getReader();
  const first = reader.read();
  const within = async (ms: number) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const result = await Promise.race([
      first.then((r) => r.done ? "ended" : new TextDecoder().decode(r.value)),
      new Promise<string>((resolve) => timer = setTimeout(() => resolve("nothing"), ms)),
    ]);
    clearTimeout(timer);
    return result;
  };
  assertEquals(await within(300), "nothing");
  const created = await server.fetch(
    new Request(`http://fake.invalid${PODS}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"metadata":{"name":"w"}}',
    }),
  );
  await created.body?.cancel();
  assertStringIncludes(await within(5_000), '"type":"ADDED"');
  controller.abort();
  await reader.cancel().catch(() => {});
});
