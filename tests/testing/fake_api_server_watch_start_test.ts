import { pods } from "../../src/api/resources.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { assertStringIncludes } from "../_helpers/assert.ts";

/** Reads the first chunk of a watch body, or "timeout" after `ms`. */
async function firstChunk(body: ReadableStream<Uint8Array>, ms: number): Promise<string> {
  const reader = body.getReader();
  try {
    const result = await Promise.race([
      reader.read(),
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), ms)),
    ]);
    if (result === "timeout") return result;
    return new TextDecoder().decode(result.value);
  } finally {
    await reader.cancel();
  }
}

for (
  const query of ["resourceVersion=0&timeoutSeconds=30", "timeoutSeconds=30", "resourceVersion=0"]
) {
  Deno.test(`a watch with ${query} on an empty collection delivers the next change`, async () => {
    for (const transport of ["in process", "HTTP"] as const) {
      const server = transport === "HTTP" ? await FakeApiServer.start() : new FakeApiServer();
      try {
        const url = `${
          transport === "HTTP" ? server.url : "http://fake.invalid"
        }/api/v1/pods?watch=1&${query}`;
        const response = transport === "HTTP"
          ? await fetch(url)
          : await server.fetch(new Request(url));
        const first = firstChunk(response.body!, 5_000);
        server.create(pods, { metadata: { namespace: "default", name: "a" } });
        assertStringIncludes(await first, '"type":"ADDED"', `${transport}: the change arrived`);
      } finally {
        await server.close();
      }
    }
  });
}
