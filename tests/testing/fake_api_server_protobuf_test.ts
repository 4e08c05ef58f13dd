import { assertEquals, assertMatch } from "../_helpers/assert.ts";
import { assertStatus, conformance } from "../_helpers/fake_server_harness.ts";

// deno-lint-ignore no-explicit-any -- response bodies
type Any = any;

const fixtures = JSON.parse(
  await Deno.readTextFile(new URL("../_fixtures/kubectl_protobuf_bodies.json", import.meta.url)),
) as { name: string; body: string; dryRun: Any }[];

function body(name: string, length?: number): Uint8Array<ArrayBuffer> {
  const fixture = fixtures.find((f) => f.name === name)!;
  const bytes = Uint8Array.from(atob(fixture.body), (c) => c.charCodeAt(0));
  return length === undefined ? bytes : bytes.slice(0, length);
}

// What kubectl's typed clients send: a protobuf body, protobuf preferred back but JSON accepted.
const KUBECTL_HEADERS = {
  "Content-Type": "application/vnd.kubernetes.protobuf",
  Accept: "application/vnd.kubernetes.protobuf, */*",
};

conformance("protobuf create bodies are decoded and stored as JSON", async (h) => {
  const created = await h.json<Any>("/apis/apps/v1/namespaces/default/deployments", {
    method: "POST",
    body: body("deployment"),
    headers: KUBECTL_HEADERS,
  });
  assertEquals(created.status, 201);
  assertEquals([created.body.kind, created.body.metadata.name], ["Deployment", "web"]);
  // replicas 0 is a set *int32 and survives the decoding.
  assertEquals(created.body.spec.replicas, 0);
  const stored = await h.json<Any>("/apis/apps/v1/namespaces/default/deployments/web");
  assertEquals(stored.body.spec.template.spec.containers, [{
    name: "nginx",
    image: "nginx:1.27",
    ports: [{ containerPort: 8080 }],
    resources: {},
  }]);
  const secret = await h.json<Any>("/api/v1/namespaces/default/secrets", {
    method: "POST",
    body: body("secret"),
    headers: KUBECTL_HEADERS,
  });
  assertEquals([secret.status, secret.body.data], [201, { pass: "czNjcjN0", user: "YWRtaW4=" }]);
});

conformance("a protobuf body of another kind than the path is 400 like a JSON one", async (h) => {
  const res = await h.json<Any>("/api/v1/namespaces/default/pods", {
    method: "POST",
    body: body("secret"),
    headers: KUBECTL_HEADERS,
  });
  assertStatus(res, 400, "BadRequest");
  assertEquals(h.server.resourceVersion, "1");
});

conformance("a truncated protobuf body is 400 BadRequest saying where it broke", async (h) => {
  const res = await h.json<Any>("/api/v1/namespaces/default/secrets", {
    method: "POST",
    body: body("secret", 40),
    headers: KUBECTL_HEADERS,
  });
  assertStatus(res, 400, "BadRequest");
  assertMatch(res.body.message, /^the protobuf request body cannot be decoded: .* at byte \d+$/);
});
