import { assertEquals } from "../_helpers/assert.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import {
  configMaps,
  KUBERNETES_RESOURCES,
  networkPolicies,
  roles,
} from "../../src/api/resources.ts";
import { resourcePath } from "../../src/client/request_path.ts";

Deno.test("the fake apiserver answers a LIST of every generated resource that lists", async () => {
  const server = new FakeApiServer();
  const failed: string[] = [];
  for (const d of KUBERNETES_RESOURCES) {
    if (!d.verbs.includes("list")) continue;
    const response = await server.fetch(
      new Request(`http://fake${resourcePath(d)}`, { headers: { accept: "application/json" } }),
    );
    const body = await response.json();
    if (response.status !== 200 || body.kind !== `${d.kind}List`) {
      failed.push(`${d.apiVersion}/${d.plural}: ${response.status} ${body.kind}`);
    }
  }
  assertEquals(failed, []);
  await server.close();
});

Deno.test("generated kinds keep metadata.generation as a real 1.37 server does", async () => {
  const server = new FakeApiServer();
  const client = server.client();
  const policy = await client.resource(networkPolicies, "default").create({
    metadata: { name: "p" },
    spec: { podSelector: {} },
  });
  const role = await client.resource(roles, "default").create({ metadata: { name: "r" } });
  const config = await client.resource(configMaps, "default").create({ metadata: { name: "c" } });
  assertEquals(
    [policy, role, config].map((o) => o.metadata?.generation),
    [1, undefined, undefined],
  );
  const api = client.resource(networkPolicies, "default");
  const labelled = await api.patch("p", { metadata: { labels: { a: "b" } } }, { type: "merge" });
  assertEquals(labelled.metadata?.generation, 1);
  const changed = await api.patch("p", { spec: { podSelector: { matchLabels: { x: "y" } } } }, {
    type: "merge",
  });
  assertEquals(changed.metadata?.generation, 2);
  await server.close();
});
