import { pods } from "../../src/api/resources.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { assertEquals } from "../_helpers/assert.ts";

Deno.test("FakeApiServer with cors answers preflights and allows the requesting origin", async () => {
  const server = new FakeApiServer({ cors: true, token: "t" });
  const preflight = await server.fetch(
    new Request("http://x/api/v1/pods", {
      method: "OPTIONS",
      headers: {
        Origin: "http://page.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
      },
    }),
  );
  assertEquals(preflight.status, 204);
  assertEquals(preflight.headers.get("access-control-allow-origin"), "http://page.example");
  assertEquals(preflight.headers.get("access-control-allow-headers"), "authorization");
  server.create(pods, { metadata: { name: "a", namespace: "default" } });
  const list = await server.fetch(
    new Request("http://x/api/v1/pods", {
      headers: { Origin: "http://page.example", Authorization: "Bearer t" },
    }),
  );
  assertEquals(list.status, 200);
  assertEquals(list.headers.get("access-control-allow-origin"), "http://page.example");
  assertEquals((await list.json()).items.length, 1);
  await server.close();
});

Deno.test("FakeApiServer without cors sends no CORS headers", async () => {
  const server = new FakeApiServer();
  const response = await server.fetch(
    new Request("http://x/api/v1/pods", { headers: { Origin: "http://page.example" } }),
  );
  assertEquals(response.headers.get("access-control-allow-origin"), null);
  await response.body?.cancel();
  await server.close();
});
