import { assert, assertEquals } from "../_helpers/assert.ts";
import { FakeApiServer } from "../../src/testing/mod.ts";
import { pods } from "../../src/api/resources.ts";
import { ApiError, ExpiredError } from "../../src/api/errors.ts";
import type { Pod } from "../../src/api/core_v1.ts";
import type { WatchEvent } from "../../src/api/watch_event.ts";

for (const mode of ["in process", "over HTTP"] as const) {
  Deno.test(`server.client() reads and writes through the KubeClient (${mode})`, async () => {
    const server = mode === "over HTTP"
      ? await FakeApiServer.start({ token: "tok" })
      : new FakeApiServer();
    const client = server.client();
    try {
      const api = client.resource(pods, "default");
      const created = await api.create({ metadata: { name: "a", labels: { app: "x" } } });
      assertEquals(created.metadata?.resourceVersion, "2");
      assertEquals((await api.get("a")).metadata?.uid, created.metadata?.uid);
      server.create(pods, { metadata: { name: "b", namespace: "default" } });
      const list = await api.list();
      assertEquals(list.items.map((p) => p.metadata?.name), ["a", "b"]);
      assertEquals(list.items[0]?.kind, "Pod");
      const all: string[] = [];
      for await (const pod of client.resource(pods).listAll({ limit: 1 })) {
        all.push(pod.metadata!.name!);
      }
      assertEquals(all, ["a", "b"]);
      const patched = await api.patch("a", { metadata: { labels: { app: "y" } } }, {
        type: "merge",
      });
      assertEquals(patched.metadata?.labels, { app: "y" });
      let err: unknown;
      try {
        await api.get("missing");
      } catch (e) {
        err = e;
      }
      assert(err instanceof ApiError);
      assertEquals([err.code, err.reason, err.message], [
        404,
        "NotFound",
        '404 NotFound: pods "missing" not found',
      ]);
      await api.delete("a");
      assertEquals(server.list(pods).map((p) => p.metadata?.name), ["b"]);
      if (mode === "over HTTP") {
        assert(server.requests.length > 0);
      }
    } finally {
      client.close();
      await server.close();
    }
  });

  Deno.test(`server.client() watches with bookmarks and sees a 410 after compaction (${mode})`, async () => {
    const server = mode === "over HTTP"
      ? await FakeApiServer.start()
      : new FakeApiServer({ bookmarkIntervalMs: 0 });
    const client = server.client();
    const abort = new AbortController();
    try {
      server.create(pods, { metadata: { name: "a", namespace: "default" } });
      const rv = server.resourceVersion;
      const events: WatchEvent<Pod>[] = [];
      const watch = (async () => {
        for await (
          const ev of client.resource(pods).watch({
            resourceVersion: rv,
            allowWatchBookmarks: true,
            signal: abort.signal,
          })
        ) {
          events.push(ev);
          if (events.length === 2) break;
        }
      })();
      while (server.watchCount === 0) await new Promise((r) => setTimeout(r, 5));
      server.create(pods, { metadata: { name: "b", namespace: "default" } });
      server.bookmark();
      await watch;
      assertEquals(events.map((e) => e.type), ["ADDED", "BOOKMARK"]);
      server.compact();
      let sawExpired = false;
      try {
        for await (
          const ev of client.resource(pods).watch({ resourceVersion: rv, signal: abort.signal })
        ) {
          assert(
            ev.type === "ERROR" && ev.error instanceof ExpiredError,
            `unexpected ${ev.type} event`,
          );
          sawExpired = true;
        }
      } catch (e) {
        assert(e instanceof ExpiredError, `expected ExpiredError, got ${e}`);
        sawExpired = true;
      }
      assert(sawExpired, "the watch from a compacted resourceVersion did not report 410");
    } finally {
      abort.abort();
      client.close();
      await server.close();
    }
  });
}
