/**
 * Watches against a real kube-apiserver: event order, selectors, bookmarks, timeouts, streaming
 * lists and large events.
 *
 * Part of the library suite (`library_suite.ts`); every test works in a namespace of its own.
 *
 * @module
 */

import {
  ApiError,
  type ConfigMap,
  configMaps,
  INITIAL_EVENTS_END_ANNOTATION,
  namespaces,
  type WatchEvent,
} from "../../mod.ts";
import {
  assert,
  assertBetween,
  assertEquals,
  assertExists,
  assertRejects,
} from "../_helpers/assert.ts";
import { clusterTest, collect, configMap, objectEvents } from "./library_common.ts";

clusterTest(
  "ResourceClient.watch yields create, update and delete events in order",
  async (client, namespace) => {
    const cms = client.resource(configMaps, namespace);
    const start = (await cms.list()).metadata.resourceVersion;
    const watching = collect<ConfigMap>(
      (signal) => cms.watch({ resourceVersion: start, signal }),
      (event) => event.type === "DELETED" && event.object.metadata?.name === "w2",
    );
    await cms.create(configMap("w1"));
    await cms.create(configMap("w2"));
    await cms.patch("w1", { data: { changed: "1" } });
    // A replace without resourceVersion is unconditional for ConfigMaps.
    await cms.replace({ metadata: { name: "w1" }, data: { replaced: "yes" } });
    await cms.delete("w1");
    await cms.delete("w2");
    const { events } = await watching;
    assertEquals(objectEvents(events), [
      ["ADDED", "w1"],
      ["ADDED", "w2"],
      ["MODIFIED", "w1"],
      ["MODIFIED", "w1"],
      ["DELETED", "w1"],
      ["DELETED", "w2"],
    ]);
    const versions = events.map((e) => BigInt(e.object.metadata?.resourceVersion ?? "0"));
    assert(
      versions.every((v, i) => i === 0 || v > versions[i - 1]!),
      `resourceVersions rise: ${versions}`,
    );
    const modified = events[2]!;
    assert(modified.type === "MODIFIED");
    assertEquals((modified.object as ConfigMap).data, { name: "w1", changed: "1" });
    assertEquals(modified.object.kind, "ConfigMap");
  },
);

clusterTest(
  "ResourceClient.watch with a label selector sees objects enter and leave it",
  async (client, namespace) => {
    const cms = client.resource(configMaps, namespace);
    const start = (await cms.list()).metadata.resourceVersion;
    await cms.create(configMap("sel", { watched: "no" }));
    await cms.patch("sel", { metadata: { labels: { watched: "yes" } } });
    await cms.patch("sel", { metadata: { labels: { watched: "no" } } });
    const { events } = await collect<ConfigMap>(
      (signal) => cms.watch({ resourceVersion: start, labelSelector: { watched: "yes" }, signal }),
      (event) => event.type === "DELETED",
    );
    // Entering the selector is ADDED, leaving it is DELETED (with the object's new labels).
    assertEquals(objectEvents(events), [["ADDED", "sel"], ["DELETED", "sel"]]);
  },
);

clusterTest(
  "ResourceClient.watch with bookmarks gets one before timeoutSeconds ends the stream cleanly",
  async (client, namespace) => {
    const cms = client.resource(configMaps, namespace);
    // The server only sends a bookmark newer than the last event the watch delivered, so the
    // watch starts at b1 while the ConfigMap watch cache already knows a later resourceVersion:
    // a write elsewhere, then a consistent list, which brings the cache up to date.
    const start = (await cms.create(configMap("b1"))).metadata?.resourceVersion ?? "";
    await client.resource(namespaces).create({ metadata: { name: `${namespace}-later` } });
    await cms.list();
    const began = performance.now();
    const { events, ended } = await collect<ConfigMap>(
      (signal) =>
        cms.watch({ resourceVersion: start, allowWatchBookmarks: true, timeoutSeconds: 3, signal }),
      () => false,
      20_000,
    );
    const seconds = (performance.now() - began) / 1000;
    assert(ended, "the server ends the stream");
    assertBetween(seconds, 2, 10, "the stream lasts about timeoutSeconds");
    assertEquals(objectEvents(events), []);
    const bookmarks = events.filter((e) => e.type === "BOOKMARK");
    assert(bookmarks.length >= 1, `at least one bookmark, got ${events.map((e) => e.type)}`);
    for (const bookmark of bookmarks) {
      assertEquals(bookmark.object.kind, "ConfigMap");
      const rv = bookmark.object.metadata.resourceVersion;
      assertExists(rv);
      assert(BigInt(rv) >= BigInt(start), `bookmark ${rv} is not before ${start}`);
      assertEquals(
        bookmark.object.metadata.annotations?.[INITIAL_EVENTS_END_ANNOTATION],
        undefined,
      );
    }
  },
);

clusterTest(
  "ResourceClient.watch as a streaming list ends its initial events with the end bookmark",
  async (client, namespace, t) => {
    const cms = client.resource(configMaps, namespace);
    for (const name of ["s1", "s2", "s3"]) await cms.create(configMap(name));
    const isEnd = (event: WatchEvent<ConfigMap>) =>
      event.type === "BOOKMARK" &&
      event.object.metadata.annotations?.[INITIAL_EVENTS_END_ANNOTATION] === "true";

    await t.step("sendInitialEvents with NotOlderThan and bookmarks", async () => {
      const { events } = await collect<ConfigMap>(
        (signal) =>
          cms.watch({
            sendInitialEvents: true,
            resourceVersionMatch: "NotOlderThan",
            allowWatchBookmarks: true,
            signal,
          }),
        isEnd,
      );
      const end = events.at(-1)!;
      assert(isEnd(end));
      assertEquals(
        objectEvents(events).sort(),
        [["ADDED", "s1"], ["ADDED", "s2"], ["ADDED", "s3"]],
      );
      const endRv = BigInt(end.object.metadata?.resourceVersion ?? "0");
      for (const event of events) {
        if (event.type === "ADDED") {
          assert(BigInt(event.object.metadata?.resourceVersion ?? "0") <= endRv);
        }
      }
    });

    await t.step("then it goes on with changes after the bookmark", async () => {
      let created = false;
      const { events } = await collect<ConfigMap>(
        (signal) =>
          cms.watch({
            sendInitialEvents: true,
            resourceVersionMatch: "NotOlderThan",
            allowWatchBookmarks: true,
            signal,
          }),
        (event) => {
          if (isEnd(event) && !created) {
            created = true;
            cms.create(configMap("s4")).catch(() => {});
          }
          return event.type === "ADDED" && event.object.metadata?.name === "s4";
        },
      );
      const endAt = events.findIndex(isEnd);
      assertEquals(objectEvents(events.slice(endAt)), [["ADDED", "s4"]]);
    });

    await t.step(
      "a plain watch from resourceVersion 0 with bookmarks ends its ADDED events the same way",
      async () => {
        const { events } = await collect<ConfigMap>(
          (signal) => cms.watch({ resourceVersion: "0", allowWatchBookmarks: true, signal }),
          isEnd,
        );
        assertEquals(objectEvents(events).map(([, name]) => name).sort(), ["s1", "s2", "s3", "s4"]);
      },
    );

    await t.step("sendInitialEvents without resourceVersionMatch is 422", async () => {
      const refused = await assertRejects(async () => {
        for await (const _ of cms.watch({ sendInitialEvents: true, timeoutSeconds: 1 })) break;
      }, ApiError);
      assertEquals(refused.code, 422);
      assertEquals(refused.reason, "Invalid");
    });
  },
);

clusterTest(
  "ResourceClient.watch decodes large objects with multi-byte characters split across chunks",
  async (client, namespace) => {
    const cms = client.resource(configMaps, namespace);
    const start = (await cms.list()).metadata.resourceVersion;
    // About 450 KB per event: many chunks, and 2-, 3- and 4-byte characters across their edges.
    const text = "é漢🙂x".repeat(40_000);
    await cms.create({ metadata: { name: "big" }, data: { text } });
    await cms.patch("big", { data: { text: `${text}!` } });
    await cms.create({ metadata: { name: "small" }, data: { text: "ü" } });
    const { events } = await collect<ConfigMap>(
      (signal) => cms.watch({ resourceVersion: start, signal }),
      (event) => event.type === "ADDED" && event.object.metadata?.name === "small",
    );
    assertEquals(objectEvents(events), [["ADDED", "big"], ["MODIFIED", "big"], ["ADDED", "small"]]);
    const [added, modified, small] = events as { object: ConfigMap }[];
    assert(added!.object.data?.text === text, "the ADDED object arrives intact");
    assert(modified!.object.data?.text === `${text}!`, "the MODIFIED object arrives intact");
    assertEquals(small!.object.data, { text: "ü" });
  },
);
