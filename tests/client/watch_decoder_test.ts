import {
  decodeWatchStream,
  WatchDecoder,
  WatchDecoderStream,
} from "../../src/client/watch_decoder.ts";
import { ApiError, ExpiredError, WatchDecodeError } from "../../src/api/errors.ts";
import type { Status } from "../../src/api/meta.ts";
import type { Pod } from "../../src/api/core_v1.ts";
import type { WatchEvent } from "../../src/api/watch_event.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStrictEquals,
  assertStringIncludes,
  assertThrows,
  fail,
} from "../_helpers/assert.ts";
import { chunksOf, everyTwoWaySplit, randomChunks, splitAt, streamOf } from "../_helpers/chunks.ts";

const encoder = new TextEncoder();
const bytesOf = (text: string): Uint8Array => encoder.encode(text);

// A watch of pods as an API server sends it: a streaming list (ADDED events,
// then the initial-events-end bookmark), then changes, a periodic bookmark and
// finally a 410 ERROR. Labels and annotations carry multi-byte UTF-8 (2, 3 and
// 4 bytes), written raw and as JSON escapes.
const RECORDED_LINES: readonly string[] = [
  `{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"café-0","namespace":"default","uid":"0b5c3c57-2a1e-4f2b-9d0e-6c1f6e3f9a01","resourceVersion":"12740","creationTimestamp":"2024-05-14T09:30:00Z","labels":{"app":"café","région":"île-de-france"},"annotations":{"description":"日本のカフェ","emoji":"🚀☕"}},"spec":{"containers":[{"name":"app","image":"registry.example.com/cafe:1.2.3","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],"env":[{"name":"GREETING","value":"Grüß Gott"}],"resources":{"requests":{"cpu":"100m","memory":"128Mi"}}}],"nodeName":"node-a"},"status":{"phase":"Running","podIP":"10.0.0.5","podIPs":[{"ip":"10.0.0.5"}],"conditions":[{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-14T09:30:09Z"}]}}}`,
  `{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"api-7d9f8","namespace":"prod","uid":"6a1d2c3b-0000-4e5f-8a9b-112233445566","resourceVersion":"12702","labels":{"app":"api","team":"\\u65e5\\u672c"},"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"api-7d9f8","uid":"99999999-8888-4777-a666-555555555555","controller":true}]},"spec":{"containers":[{"name":"api","image":"api:2"}]},"status":{"phase":"Pending"}}}`,
  `{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12746","annotations":{"k8s.io/initial-events-end":"true"}}}}`,
  `{"type":"MODIFIED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"api-7d9f8","namespace":"prod","uid":"6a1d2c3b-0000-4e5f-8a9b-112233445566","resourceVersion":"12750","labels":{"app":"api","team":"\\u65e5\\u672c"},"annotations":{"note":"d\\u00e9ploy\\u00e9 \\ud83d\\ude80"}},"spec":{"containers":[{"name":"api","image":"api:2"}],"nodeName":"node-b"},"status":{"phase":"Running","podIP":"10.0.1.7","podIPs":[{"ip":"10.0.1.7"},{"ip":"fd00::7"}]}}}`,
  `{"type":"DELETED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"café-0","namespace":"default","uid":"0b5c3c57-2a1e-4f2b-9d0e-6c1f6e3f9a01","resourceVersion":"12755","deletionTimestamp":"2024-05-14T10:00:00Z","labels":{"app":"café","région":"île-de-france"}}}}`,
  `{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"12800"}}}`,
  `{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 12000 (12500)","reason":"Expired","code":410}}`,
];
const RECORDED_TEXT = RECORDED_LINES.map((line) => `${line}\n`).join("");
const RECORDED = bytesOf(RECORDED_TEXT);

const EXPIRED_STATUS: Status = {
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: "too old resource version: 12000 (12500)",
  reason: "Expired",
  code: 410,
};

const EXPECTED: readonly WatchEvent<Pod>[] = [
  {
    type: "ADDED",
    object: {
      kind: "Pod",
      apiVersion: "v1",
      metadata: {
        name: "café-0",
        namespace: "default",
        uid: "0b5c3c57-2a1e-4f2b-9d0e-6c1f6e3f9a01",
        resourceVersion: "12740",
        creationTimestamp: "2024-05-14T09:30:00Z",
        labels: { app: "café", "région": "île-de-france" },
        annotations: { description: "日本のカフェ", emoji: "🚀☕" },
      },
      spec: {
        containers: [{
          name: "app",
          image: "registry.example.com/cafe:1.2.3",
          ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
          env: [{ name: "GREETING", value: "Grüß Gott" }],
          resources: { requests: { cpu: "100m", memory: "128Mi" } },
        }],
        nodeName: "node-a",
      },
      status: {
        phase: "Running",
        podIP: "10.0.0.5",
        podIPs: [{ ip: "10.0.0.5" }],
        conditions: [{
          type: "Ready",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: "2024-05-14T09:30:09Z",
        }],
      },
    },
  },
  {
    type: "ADDED",
    object: {
      kind: "Pod",
      apiVersion: "v1",
      metadata: {
        name: "api-7d9f8",
        namespace: "prod",
        uid: "6a1d2c3b-0000-4e5f-8a9b-112233445566",
        resourceVersion: "12702",
        labels: { app: "api", team: "日本" },
        ownerReferences: [{
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "api-7d9f8",
          uid: "99999999-8888-4777-a666-555555555555",
          controller: true,
        }],
      },
      spec: { containers: [{ name: "api", image: "api:2" }] },
      status: { phase: "Pending" },
    },
  },
  {
    type: "BOOKMARK",
    object: {
      kind: "Pod",
      apiVersion: "v1",
      metadata: { resourceVersion: "12746", annotations: { "k8s.io/initial-events-end": "true" } },
    },
  },
  {
    type: "MODIFIED",
    object: {
      kind: "Pod",
      apiVersion: "v1",
      metadata: {
        name: "api-7d9f8",
        namespace: "prod",
        uid: "6a1d2c3b-0000-4e5f-8a9b-112233445566",
        resourceVersion: "12750",
        labels: { app: "api", team: "日本" },
        annotations: { note: "déployé 🚀" },
      },
      spec: { containers: [{ name: "api", image: "api:2" }], nodeName: "node-b" },
      status: {
        phase: "Running",
        podIP: "10.0.1.7",
        podIPs: [{ ip: "10.0.1.7" }, { ip: "fd00::7" }],
      },
    },
  },
  {
    type: "DELETED",
    object: {
      kind: "Pod",
      apiVersion: "v1",
      metadata: {
        name: "café-0",
        namespace: "default",
        uid: "0b5c3c57-2a1e-4f2b-9d0e-6c1f6e3f9a01",
        resourceVersion: "12755",
        deletionTimestamp: "2024-05-14T10:00:00Z",
        labels: { app: "café", "région": "île-de-france" },
      },
    },
  },
  {
    type: "BOOKMARK",
    object: { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: "12800" } },
  },
  { type: "ERROR", object: EXPIRED_STATUS, error: ApiError.fromStatus(EXPIRED_STATUS) },
];

/** Feeds every chunk to a fresh decoder, then ends it. */
function decodeChunks(
  chunks: readonly Uint8Array[],
  decoder: WatchDecoder<Pod> = new WatchDecoder<Pod>(),
): WatchEvent<Pod>[] {
  const events: WatchEvent<Pod>[] = [];
  for (const chunk of chunks) events.push(...decoder.push(chunk));
  events.push(...decoder.end());
  return events;
}

/** Feeds chunks until the decoder throws; returns the events before and the error. */
function decodeUntilError(
  chunks: readonly Uint8Array[],
  decoder: WatchDecoder<Pod> = new WatchDecoder<Pod>(),
): { events: WatchEvent<Pod>[]; error: WatchDecodeError } {
  const events: WatchEvent<Pod>[] = [];
  try {
    for (const chunk of chunks) events.push(...decoder.push(chunk));
    events.push(...decoder.end());
  } catch (err) {
    if (err instanceof WatchDecodeError) return { events, error: err };
    throw err;
  }
  return fail(`expected a WatchDecodeError, decoded ${events.length} events`);
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function showSplit(chunks: readonly Uint8Array[]): string {
  return `chunk sizes ${chunks.map((c) => c.length).join(",")}`;
}

Deno.test("WatchDecoder decodes a recorded watch payload into the expected events", () => {
  const decoder = new WatchDecoder<Pod>();
  const events = decoder.push(RECORDED);
  assertEquals(events, EXPECTED);
  assertEquals(decoder.end(), []);
  assertEquals(decoder.bytesRead, RECORDED.length);
  assertEquals(decoder.linesRead, RECORDED_LINES.length);
});

Deno.test("WatchDecoder gives the same events for every split of the payload into two chunks", () => {
  let splits = 0;
  for (const chunks of everyTwoWaySplit(RECORDED)) {
    assertEquals(decodeChunks(chunks), EXPECTED, showSplit(chunks));
    splits++;
  }
  assertEquals(splits, RECORDED.length);
});

Deno.test("WatchDecoder gives the same events for one-byte chunks", () => {
  const decoder = new WatchDecoder<Pod>();
  const events: WatchEvent<Pod>[] = [];
  let emptyPushes = 0;
  for (const chunk of chunksOf(RECORDED, 1)) {
    const got = decoder.push(chunk);
    if (got.length === 0) emptyPushes++;
    events.push(...got);
  }
  assertEquals(events, EXPECTED);
  assertEquals(emptyPushes, RECORDED.length - EXPECTED.length);
  assertEquals(decoder.end(), []);
  assertEquals(decoder.bytesRead, RECORDED.length);
});

Deno.test("WatchDecoder gives the same events for seeded random chunkings", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const chunks = randomChunks(RECORDED, { seed, maxChunk: 1 + (seed % 7) * 97 });
    assertEquals(decodeChunks(chunks), EXPECTED, `seed ${seed}, ${showSplit(chunks)}`);
  }
});

Deno.test("WatchDecoder returns each event from the push that completes its line", () => {
  const decoder = new WatchDecoder<Pod>();
  const first = RECORDED_LINES[0]!;
  const firstBytes = bytesOf(first).length;
  const [upToNewline, newline, rest] = splitAt(RECORDED, [firstBytes, firstBytes + 1]);
  assertEquals(decoder.push(upToNewline!), []);
  assertEquals(decoder.linesRead, 0);
  assertEquals(decoder.push(newline!), [EXPECTED[0]]);
  assertEquals(decoder.linesRead, 1);
  assertEquals(decoder.bytesRead, firstBytes + 1);
  assertEquals(decoder.push(rest!), EXPECTED.slice(1));
});

Deno.test("WatchDecoder accepts CRLF line endings", () => {
  const crlf = bytesOf(RECORDED_LINES.map((line) => `${line}\r\n`).join(""));
  assertEquals(decodeChunks([crlf]), EXPECTED);
  for (let seed = 1; seed <= 20; seed++) {
    assertEquals(decodeChunks(randomChunks(crlf, { seed, maxChunk: 50 })), EXPECTED);
  }
});

Deno.test("WatchDecoder skips blank and whitespace-only lines and counts them as lines", () => {
  const text = `\n\r\n${RECORDED_LINES[0]}\n   \n\t \r\n\n${RECORDED_LINES[5]}\n\n`;
  const decoder = new WatchDecoder<Pod>();
  assertEquals(decodeChunks([bytesOf(text)], decoder), [EXPECTED[0], EXPECTED[5]]);
  assertEquals(decoder.linesRead, 8);
});

Deno.test("WatchDecoder gives the same events for every split of a payload with CRLF, blank lines and no final newline", () => {
  const messy = bytesOf(
    `\r\n${RECORDED_LINES[0]}\r\n \r\n${RECORDED_LINES[2]}\n\n${RECORDED_LINES[3]}`,
  );
  const expected = [EXPECTED[0], EXPECTED[2], EXPECTED[3]];
  for (const chunks of everyTwoWaySplit(messy)) {
    assertEquals(decodeChunks(chunks), expected, showSplit(chunks));
  }
});

Deno.test("WatchDecoder.end decodes a final line that has no trailing newline", () => {
  const decoder = new WatchDecoder<Pod>();
  assertEquals(decoder.push(bytesOf(`${RECORDED_LINES[0]}\n${RECORDED_LINES[5]}`)), [EXPECTED[0]]);
  assertEquals(decoder.end(), [EXPECTED[5]]);
  assertEquals(decoder.linesRead, 2);
  assertEquals(decoder.end(), []);
});

Deno.test("WatchDecoder.end returns nothing for a trailing blank line or an empty stream", () => {
  const blankTail = new WatchDecoder<Pod>();
  assertEquals(blankTail.push(bytesOf(`${RECORDED_LINES[5]}\n  \r`)), [EXPECTED[5]]);
  assertEquals(blankTail.end(), []);
  assertEquals(new WatchDecoder<Pod>().end(), []);
});

Deno.test("WatchDecoder.end rejects a truncated final line as malformed-json", () => {
  const decoder = new WatchDecoder<Pod>();
  assertEquals(decoder.push(bytesOf(`${RECORDED_LINES[5]}\n{"type":"ADDED","object":{"me`)), [
    EXPECTED[5],
  ]);
  const err = assertThrows(() => decoder.end(), WatchDecodeError);
  assertEquals(err.kind, "malformed-json");
  assertEquals(err.message, "watch line 2 (29 bytes) is not valid JSON");
});

Deno.test("WatchDecoder reports a malformed line with its number and length, not its content, and stays failed", () => {
  const bad = '{"type":"ADDED","object":{"data":{"password":"hunter2"}}'; // one brace short
  const payload = bytesOf(`${RECORDED_LINES[0]}\n\n${bad}\n${RECORDED_LINES[5]}\n`);
  const decoder = new WatchDecoder<Pod>();
  const err = assertThrows(() => decoder.push(payload), WatchDecodeError);
  assertEquals(err.kind, "malformed-json");
  assertEquals(err.message, `watch line 3 (${bad.length} bytes) is not valid JSON`);
  assertEquals(err.cause, undefined);
  assertEquals(decoder.linesRead, 2);
  assertStrictEquals(assertThrows(() => decoder.push(bytesOf(`${RECORDED_LINES[5]}\n`))), err);
  assertStrictEquals(assertThrows(() => decoder.end()), err);
});

Deno.test("WatchDecoder reports the same malformed line for every split of the payload", () => {
  const payload = bytesOf(
    `${RECORDED_LINES[0]}\n${RECORDED_LINES[1]}\nnot json at all\n${RECORDED_LINES[5]}\n`,
  );
  for (const chunks of everyTwoWaySplit(payload)) {
    const { events, error } = decodeUntilError(chunks);
    assertEquals(error.kind, "malformed-json");
    assertEquals(error.message, "watch line 3 (15 bytes) is not valid JSON");
    assertEquals(events, EXPECTED.slice(0, events.length), showSplit(chunks));
  }
});

Deno.test("WatchDecoder rejects lines whose type is unknown, missing or not a string, and non-object lines", () => {
  const cases: [string, string][] = [
    ['{"type":"FOO","object":{}}', 'has an unknown event type "FOO"'],
    ['{"type":"added","object":{}}', 'has an unknown event type "added"'],
    ['{"object":{"metadata":{"name":"x"}}}', "has no event type"],
    ['{"type":3,"object":{}}', "has an event type that is not a string (number)"],
    ['{"type":null,"object":{}}', "has an event type that is not a string (object)"],
    [`{"type":"${"X".repeat(100)}","object":{}}`, "has an unknown event type (100 characters)"],
    ['[{"type":"ADDED","object":{}}]', "has no event type"],
    ["42", "is not a JSON object"],
    ['"ADDED"', "is not a JSON object"],
    ["null", "is not a JSON object"],
  ];
  for (const [line, what] of cases) {
    const decoder = new WatchDecoder<Pod>();
    const err = assertThrows(() => decoder.push(bytesOf(`\n${line}\n`)), WatchDecodeError);
    assertEquals(err.kind, "unknown-type", line);
    assertEquals(err.message, `watch line 2 (${line.length} bytes) ${what}`);
  }
});

Deno.test("WatchDecoder rejects events without an object as missing-object", () => {
  const objects = ["", ',"object":null', ',"object":[]', ',"object":"pod"', ',"object":7'];
  for (const type of ["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"]) {
    for (const object of objects) {
      const line = `{"type":"${type}"${object}}`;
      const decoder = new WatchDecoder<Pod>();
      const err = assertThrows(() => decoder.push(bytesOf(`${line}\n`)), WatchDecodeError);
      assertEquals(err.kind, "missing-object", line);
      assertEquals(err.message, `watch line 1 (${line.length} bytes) (${type}) has no object`);
    }
  }
});

Deno.test("WatchDecoder turns an ERROR 410 event into an ExpiredError carrying the Status", () => {
  const [event] = new WatchDecoder<Pod>().push(bytesOf(`${RECORDED_LINES[6]}\n`));
  assert(event?.type === "ERROR");
  assertEquals(event.object, EXPIRED_STATUS);
  assert(event.error instanceof ExpiredError);
  assertStrictEquals(event.error.status, event.object);
  assertEquals(event.error.code, 410);
  assertEquals(event.error.reason, "Expired");
});

Deno.test("WatchDecoder turns other ERROR events into a plain ApiError", () => {
  const line =
    '{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"etcdserver: leader changed","reason":"InternalError","code":500}}';
  const [event] = new WatchDecoder<Pod>().push(bytesOf(`${line}\n`));
  assert(event?.type === "ERROR");
  assert(event.error instanceof ApiError);
  assert(!(event.error instanceof ExpiredError));
  assertEquals(event.error.code, 500);
  assertEquals(event.error.message, "500 InternalError: etcdserver: leader changed");
});

Deno.test("WatchDecoder fails a line over maxLineBytes before its newline arrives", () => {
  const maxLineBytes = 1024;
  const decoder = new WatchDecoder<Pod>({ maxLineBytes });
  assertEquals(decoder.push(bytesOf(`${RECORDED_LINES[5]}\n`)), [EXPECTED[5]]);
  const start = decoder.bytesRead;
  const endless = bytesOf(`{"type":"ADDED","object":{"data":"${"x".repeat(2 * maxLineBytes)}`);
  let err: WatchDecodeError | undefined;
  for (const chunk of chunksOf(endless, 16)) {
    try {
      decoder.push(chunk);
    } catch (e) {
      if (!(e instanceof WatchDecodeError)) throw e;
      err = e;
      break;
    }
  }
  if (err === undefined) fail("no error while feeding twice maxLineBytes");
  assertEquals(err.kind, "line-too-long");
  const seen = decoder.bytesRead - start;
  assertEquals(seen, 1040); // the first 16-byte chunk that takes the line past 1024 bytes
  assertEquals(
    err.message,
    "watch line 2 has 1040 bytes and no newline yet, more than maxLineBytes (1024)",
  );
  assertStrictEquals(assertThrows(() => decoder.push(bytesOf("\n"))), err);
  assertStrictEquals(assertThrows(() => decoder.end()), err);
});

Deno.test("WatchDecoder accepts a line of exactly maxLineBytes and rejects one byte more", () => {
  const line = `{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"1"},"pad":"`;
  const exact = `${line}${"p".repeat(200 - line.length - 3)}"}}`;
  assertEquals(bytesOf(exact).length, 200);
  for (const chunks of everyTwoWaySplit(bytesOf(`${exact}\n${exact}\r\n`))) {
    const decoder = new WatchDecoder<Pod>({ maxLineBytes: 201 });
    assertEquals(decodeChunks(chunks, decoder).length, 2);
    const strict = new WatchDecoder<Pod>({ maxLineBytes: 200 });
    const { events, error } = decodeUntilError(chunks, strict);
    assertEquals(error.kind, "line-too-long", showSplit(chunks));
    assert(events.length <= 1); // push throws away the events of the chunk that fails
    assertEquals(events, decodeChunks([bytesOf(`${exact}\n`)]).slice(0, events.length));
    assertStringIncludes(error.message, "watch line 2 has 201 bytes");
    assertStringIncludes(error.message, ", more than maxLineBytes (200)");
  }
});

Deno.test("WatchDecoder finds a too-long line inside one large chunk after valid lines", () => {
  const long = `{"type":"ADDED","object":{"data":"${"y".repeat(600)}"}}`;
  const payload = bytesOf(
    `${RECORDED_LINES[5]}\n\n${RECORDED_LINES[5]}\n${long}\n${RECORDED_LINES[5]}\n`,
  );
  const { events, error } = decodeUntilError(
    [payload],
    new WatchDecoder<Pod>({ maxLineBytes: 500 }),
  );
  assertEquals(events, []); // push throws: the events before the line are not returned
  assertEquals(error.kind, "line-too-long");
  assertEquals(
    error.message,
    `watch line 4 has ${long.length} bytes, more than maxLineBytes (500)`,
  );
});

Deno.test("WatchDecoder counts bytes, not characters, against maxLineBytes", () => {
  const line = `{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"1","name":"${
    "日".repeat(40)
  }"}}}`;
  assertEquals(line.length, 115);
  assertEquals(bytesOf(line).length, 195);
  assertEquals(
    decodeChunks([bytesOf(`${line}\n`)], new WatchDecoder({ maxLineBytes: 195 })).length,
    1,
  );
  const { error } = decodeUntilError(
    [bytesOf(`${line}\n`)],
    new WatchDecoder({ maxLineBytes: 194 }),
  );
  assertEquals(error.kind, "line-too-long");
});

Deno.test("WatchDecoder rejects invalid UTF-8 with the number of the line that holds it", () => {
  const good = bytesOf(`${RECORDED_LINES[5]}\n`);
  const invalid: [string, number[]][] = [
    ["a 0xFF byte", [0xff]],
    ["a lone continuation byte", [0x80]],
    ["a truncated sequence before ASCII", [0xe6, 0x97, 0x41]],
    ["an overlong encoding", [0xc0, 0xaf]],
    ["an encoded surrogate", [0xed, 0xa0, 0x80]],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
  ];
  for (const [what, bytes] of invalid) {
    const badLine = new Uint8Array([
      ...bytesOf('{"type":"ADDED","object":{"name":"'),
      ...bytes,
      ...bytesOf('"}}\n'),
    ]);
    const payload = new Uint8Array([...good, ...good, ...badLine, ...good]);
    for (const chunks of everyTwoWaySplit(payload)) {
      const { events, error } = decodeUntilError(chunks);
      assertEquals(error.kind, "invalid-utf8", `${what}, ${showSplit(chunks)}`);
      assertEquals(error.message, "watch line 3 is not valid UTF-8", what);
      assert(events.length <= 2);
    }
  }
});

Deno.test("WatchDecoder.end rejects a stream that ends inside a UTF-8 sequence", () => {
  const decoder = new WatchDecoder<Pod>();
  const payload = bytesOf(`${RECORDED_LINES[5]}\n{"type":"ADDED","object":{"name":"日`);
  assertEquals(decoder.push(payload.subarray(0, payload.length - 1)), [EXPECTED[5]]);
  const err = assertThrows(() => decoder.end(), WatchDecodeError);
  assertEquals(err.kind, "invalid-utf8");
  assertEquals(err.message, "watch line 2 ends inside a UTF-8 sequence at the end of the stream");
});

Deno.test("WatchDecoder accepts a genuine U+FFFD character in the data for every split", () => {
  const line =
    '{"type":"ADDED","object":{"metadata":{"name":"x\uFFFDy","annotations":{"a":"\\ufffd"}}}}';
  const payload = bytesOf(`${line}\n${RECORDED_LINES[0]}\n`);
  const expected = [
    { type: "ADDED", object: { metadata: { name: "x\uFFFDy", annotations: { a: "\uFFFD" } } } },
    EXPECTED[0],
  ];
  for (const chunks of everyTwoWaySplit(payload)) {
    assertEquals(decodeChunks(chunks), expected, showSplit(chunks));
  }
  assertEquals(decodeChunks(chunksOf(payload, 1)), expected);
});

Deno.test("WatchDecoder throws TypeError on push after end", () => {
  const decoder = new WatchDecoder<Pod>();
  decoder.end();
  assertThrows(() => decoder.push(RECORDED), TypeError, "after end()");
});

Deno.test("WatchDecoder rejects a maxLineBytes that is not a positive integer", () => {
  for (const maxLineBytes of [0, -1, 1.5, Number.NaN]) {
    assertThrows(() => new WatchDecoder({ maxLineBytes }), RangeError, "maxLineBytes");
    assertThrows(() => new WatchDecoderStream({ maxLineBytes }), RangeError, "maxLineBytes");
    assertThrows(() => decodeWatchStream(streamOf([]), { maxLineBytes }), RangeError);
  }
  assertEquals(decodeChunks([RECORDED], new WatchDecoder({ maxLineBytes: Infinity })), EXPECTED);
});

Deno.test("WatchDecoder ignores empty chunks", () => {
  const decoder = new WatchDecoder<Pod>();
  assertEquals(decoder.push(new Uint8Array(0)), []);
  assertEquals(decodeChunks([new Uint8Array(0), RECORDED, new Uint8Array(0)], decoder), EXPECTED);
});

Deno.test("WatchDecoderStream decodes a piped body for random chunkings", async () => {
  for (let seed = 1; seed <= 20; seed++) {
    const body = streamOf(randomChunks(RECORDED, { seed, maxChunk: 300 }));
    assertEquals(await collect(body.pipeThrough(new WatchDecoderStream<Pod>())), EXPECTED);
  }
});

Deno.test("WatchDecoderStream decodes a final line without a trailing newline on flush", async () => {
  const body = streamOf([bytesOf(`${RECORDED_LINES[0]}\n${RECORDED_LINES[5]}`)]);
  assertEquals(await collect(body.pipeThrough(new WatchDecoderStream<Pod>())), [
    EXPECTED[0],
    EXPECTED[5],
  ]);
});

Deno.test("WatchDecoderStream errors the readable and cancels the source on a bad line", async () => {
  let cancelled!: (reason: unknown) => void;
  const cancelReason = new Promise<unknown>((resolve) => cancelled = resolve);
  const body = streamOf(
    [bytesOf(`${RECORDED_LINES[5]}\n`), bytesOf('{"type":"NOPE","object":{}}\n'), RECORDED],
    { close: false, onCancel: cancelled },
  );
  const reader = body.pipeThrough(new WatchDecoderStream<Pod>()).getReader();
  assertEquals(await reader.read(), { done: false, value: EXPECTED[5] });
  const err = await assertRejects(() => reader.read(), WatchDecodeError);
  assertEquals(err.kind, "unknown-type");
  assertStrictEquals(await cancelReason, err);
});

Deno.test("decodeWatchStream decodes a body for random chunkings", async () => {
  for (let seed = 1; seed <= 20; seed++) {
    const body = streamOf(randomChunks(RECORDED, { seed, maxChunk: 300 }));
    assertEquals(await collect(decodeWatchStream<Pod>(body)), EXPECTED);
  }
});

Deno.test("decodeWatchStream yields every event before a bad line, then throws and cancels the body", async () => {
  const payload = bytesOf(
    `${RECORDED_LINES[0]}\n${RECORDED_LINES[1]}\n{oops}\n${RECORDED_LINES[5]}\n`,
  );
  for (const chunks of [[payload], chunksOf(payload, 7), ...everyTwoWaySplit(payload)]) {
    const reasons: unknown[] = [];
    const body = streamOf(chunks, { close: false, onCancel: (reason) => reasons.push(reason) });
    const events: WatchEvent<Pod>[] = [];
    const err = await assertRejects(async () => {
      for await (const event of decodeWatchStream<Pod>(body)) events.push(event);
    }, WatchDecodeError);
    assertEquals(err.message, "watch line 3 (6 bytes) is not valid JSON");
    assertEquals(events, EXPECTED.slice(0, 2), showSplit(chunks));
    assertEquals(reasons.length, 1);
    assertStrictEquals(reasons[0], err);
  }
});

Deno.test("decodeWatchStream yields the events before invalid UTF-8 in the same chunk", async () => {
  const payload = new Uint8Array([
    ...bytesOf(`${RECORDED_LINES[0]}\n${RECORDED_LINES[2]}\n`),
    ...bytesOf('{"type":"ADDED","object":{"name":"'),
    0xc3,
    0x28,
    ...bytesOf('"}}\n'),
  ]);
  const events: WatchEvent<Pod>[] = [];
  const err = await assertRejects(async () => {
    for await (const event of decodeWatchStream<Pod>(streamOf([payload]))) events.push(event);
  }, WatchDecodeError);
  assertEquals(err.kind, "invalid-utf8");
  assertEquals(events, [EXPECTED[0], EXPECTED[2]]);
});

Deno.test("decodeWatchStream cancels the body and rejects with the reason when aborted while waiting", async () => {
  const reasons: unknown[] = [];
  const body = streamOf([bytesOf(`${RECORDED_LINES[0]}\n`)], {
    close: false,
    onCancel: (reason) => reasons.push(reason),
  });
  const controller = new AbortController();
  const events = decodeWatchStream<Pod>(body, { signal: controller.signal });
  assertEquals(await events.next(), { done: false, value: EXPECTED[0] });
  const waiting = events.next(); // the body has nothing more: this waits for data
  const reason = new Error("informer stopped");
  controller.abort(reason);
  assertStrictEquals(await assertRejects(() => waiting), reason);
  assertEquals(reasons, [reason]);
  assertEquals(await events.next(), { done: true, value: undefined });
});

Deno.test("decodeWatchStream cancels the body when aborted while the consumer holds an event", async () => {
  const reasons: unknown[] = [];
  const body = streamOf([RECORDED], { close: false, onCancel: (reason) => reasons.push(reason) });
  const controller = new AbortController();
  const seen: WatchEvent<Pod>[] = [];
  const err = await assertRejects(async () => {
    for await (const event of decodeWatchStream<Pod>(body, { signal: controller.signal })) {
      seen.push(event);
      controller.abort(); // default reason: an AbortError DOMException
    }
  });
  assertStrictEquals(err, controller.signal.reason);
  assertEquals((err as DOMException).name, "AbortError");
  assertEquals(seen, [EXPECTED[0]]);
  assertEquals(reasons.length, 1);
  assertStrictEquals(reasons[0], controller.signal.reason);
});

Deno.test("decodeWatchStream with an already aborted signal cancels the body without reading", async () => {
  const reasons: unknown[] = [];
  const pulls: number[] = [];
  const body = streamOf([RECORDED], {
    onCancel: (reason) => reasons.push(reason),
    onPull: (pulled) => pulls.push(pulled),
  });
  const reason = new Error("too late");
  const events = decodeWatchStream<Pod>(body, { signal: AbortSignal.abort(reason) });
  assertStrictEquals(await assertRejects(() => events.next()), reason);
  assertEquals(reasons, [reason]);
  assertEquals(pulls, []);
});

Deno.test("decodeWatchStream cancels the body when the loop is left early", async () => {
  const reasons: unknown[] = [];
  const body = streamOf([RECORDED], { close: false, onCancel: (reason) => reasons.push(reason) });
  const seen: WatchEvent<Pod>[] = [];
  for await (const event of decodeWatchStream<Pod>(body)) {
    seen.push(event);
    if (seen.length === 2) break;
  }
  assertEquals(seen, EXPECTED.slice(0, 2));
  assertEquals(reasons, [undefined]);
  assert(!body.locked);
});

Deno.test("decodeWatchStream does not cancel a body that ended", async () => {
  const reasons: unknown[] = [];
  const body = streamOf([RECORDED], { onCancel: (reason) => reasons.push(reason) });
  const controller = new AbortController();
  assertEquals(
    await collect(decodeWatchStream<Pod>(body, { signal: controller.signal })),
    EXPECTED,
  );
  controller.abort();
  assertEquals(reasons, []);
});

Deno.test("decodeWatchStream passes an error of the body through unchanged", async () => {
  const failure = new TypeError("connection reset");
  let sent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(failure);
      sent = true;
      controller.enqueue(bytesOf(`${RECORDED_LINES[0]}\n`));
    },
  }, { highWaterMark: 0 });
  const seen: WatchEvent<Pod>[] = [];
  const err = await assertRejects(async () => {
    for await (const event of decodeWatchStream<Pod>(body)) seen.push(event);
  });
  assertStrictEquals(err, failure);
  assertEquals(seen, [EXPECTED[0]]);
});
