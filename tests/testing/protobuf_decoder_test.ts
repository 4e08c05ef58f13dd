import { assertEquals, assertThrows } from "../_helpers/assert.ts";
import {
  decodeProtobufObject,
  goDuration,
  ProtobufDecodeError,
} from "../../src/testing/_protobuf_decoder.ts";

// A tiny protobuf writer, so that each vector below is spelled out field by field.
type Field = [number, "varint", number | bigint] | [number, "bytes", Uint8Array | string] | [
  number,
  "fixed32" | "fixed64",
  Uint8Array,
];

function varint(value: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

function msg(...fields: Field[]): Uint8Array {
  const out: number[] = [];
  for (const [number, kind, value] of fields) {
    if (kind === "varint") out.push(...varint(number * 8), ...varint(value));
    else if (kind === "bytes") {
      const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
      out.push(...varint(number * 8 + 2), ...varint(bytes.length), ...bytes);
    } else {
      out.push(...varint(number * 8 + (kind === "fixed64" ? 1 : 5)), ...value);
    }
  }
  return Uint8Array.from(out);
}

const str = (n: number, s: string): Field => [n, "bytes", s];
const sub = (n: number, m: Uint8Array): Field => [n, "bytes", m];
const int = (n: number, v: number | bigint): Field => [n, "varint", v];
const entry = (n: number, k: string, v: string | Uint8Array): Field =>
  sub(n, msg(str(1, k), [2, "bytes", v]));

function envelope(
  apiVersion: string,
  kind: string,
  raw: Uint8Array,
  encoding?: string,
): Uint8Array {
  const unknown = msg(
    sub(1, msg(str(1, apiVersion), str(2, kind))),
    sub(2, raw),
    ...(encoding === undefined ? [] : [str(3, encoding)]),
    str(4, "application/vnd.kubernetes.protobuf"),
  );
  return Uint8Array.from([0x6b, 0x38, 0x73, 0x00, ...unknown]);
}

Deno.test("decodeProtobufObject decodes kubectl's captured bodies into the JSON kubectl would send", async () => {
  // Bodies captured from kubectl 1.32 against the fake; dryRun is the same command with
  // --dry-run=client -o json (its `creationTimestamp: null` is what a zero Time encodes to).
  const cases = JSON.parse(
    await Deno.readTextFile(new URL("../_fixtures/kubectl_protobuf_bodies.json", import.meta.url)),
  ) as { name: string; body: string; dryRun: unknown }[];
  const dropNulls = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(dropNulls) : v !== null && typeof v === "object"
      ? Object.fromEntries(
        Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, dropNulls(x)]),
      )
      : v;
  assertEquals(cases.map((c) => c.name), [
    "deployment",
    "secret",
    "service",
    "quota",
    "cronjob",
    "pdb",
  ]);
  for (const c of cases) {
    const body = Uint8Array.from(atob(c.body), (ch) => ch.charCodeAt(0));
    const decoded = decodeProtobufObject(body);
    // Same keys in the same order as the JSON encoder writes them.
    assertEquals(JSON.stringify(decoded), JSON.stringify(dropNulls(c.dryRun)), c.name);
  }
});

Deno.test("decodeProtobufObject puts kind and apiVersion first and decodes a namespace", () => {
  const raw = msg(sub(1, msg(str(1, "team-a"), entry(11, "env", "dev"))), sub(2, msg()));
  assertEquals(
    JSON.stringify(decodeProtobufObject(envelope("v1", "Namespace", raw))),
    JSON.stringify({
      kind: "Namespace",
      apiVersion: "v1",
      metadata: { name: "team-a", labels: { env: "dev" } },
      spec: {},
    }),
  );
});

Deno.test("decodeProtobufObject keeps zero pointers and drops zero omitempty scalars", async (t) => {
  await t.step("replicas 0 (a *int32) and paused false (a bool) in a Deployment", () => {
    const spec = msg(int(1, 0), int(5, 0), int(7, 0), int(6, 10));
    const got = decodeProtobufObject(
      envelope("apps/v1", "Deployment", msg(sub(1, msg(str(1, "d"))), sub(2, spec))),
    );
    assertEquals(got.spec, { replicas: 0, revisionHistoryLimit: 10 });
  });
  await t.step("a field without omitempty keeps its zero (container name)", () => {
    const pod = msg(sub(2, msg(sub(2, msg(str(1, ""), str(2, "nginx"))))));
    assertEquals(decodeProtobufObject(envelope("v1", "Pod", pod)).spec, {
      containers: [{ name: "", image: "nginx" }],
    });
  });
});

Deno.test("decodeProtobufObject decodes negative and large int64 varints as numbers", () => {
  // Event.count is int32, ObjectMeta.generation int64, deletionGracePeriodSeconds *int64.
  const raw = msg(
    sub(1, msg(str(1, "e"), int(7, 2n ** 40n + 5n), int(10, -30))),
    int(8, -2),
  );
  const got = decodeProtobufObject(envelope("v1", "Event", raw));
  assertEquals(got.metadata, {
    name: "e",
    generation: 2 ** 40 + 5,
    deletionGracePeriodSeconds: -30,
  });
  assertEquals(got.count, -2);
});

Deno.test("decodeProtobufObject writes Time, MicroTime, Quantity, IntOrString and bytes as JSON does", async (t) => {
  await t.step("Time as RFC 3339 seconds, MicroTime with microseconds, zero Time left out", () => {
    const time = msg(int(1, 1_700_000_000), int(2, 123_456_789));
    const raw = msg(
      sub(1, msg(str(1, "e"), sub(8, msg()))),
      sub(6, time),
      sub(10, time),
    );
    const got = decodeProtobufObject(envelope("v1", "Event", raw));
    assertEquals(got.metadata, { name: "e" });
    assertEquals(got.firstTimestamp, "2023-11-14T22:13:20Z");
    assertEquals(got.eventTime, "2023-11-14T22:13:20.123456Z");
  });
  await t.step("Quantity maps and IntOrString numbers and strings", () => {
    const quota = msg(sub(1, msg(str(1, "q"))), sub(2, msg(entry(1, "cpu", msg(str(1, "500m"))))));
    assertEquals(decodeProtobufObject(envelope("v1", "ResourceQuota", quota)).spec, {
      hard: { cpu: "500m" },
    });
    const port = (target: Uint8Array) => msg(int(3, 80), sub(4, target));
    const svc = msg(
      sub(
        2,
        msg(
          sub(1, port(msg(int(1, 0), int(2, 8080)))),
          sub(1, port(msg(int(1, 1), str(3, "http")))),
        ),
      ),
    );
    assertEquals(decodeProtobufObject(envelope("v1", "Service", svc)).spec, {
      ports: [{ port: 80, targetPort: 8080 }, { port: 80, targetPort: "http" }],
    });
  });
  await t.step("bytes map values as base64", () => {
    const secret = msg(sub(1, msg(str(1, "s"))), entry(2, "k", Uint8Array.of(0, 255, 1)));
    assertEquals(decodeProtobufObject(envelope("v1", "Secret", secret)).data, { k: "AP8B" });
  });
  await t.step("FieldsV1 as the JSON it holds", () => {
    const managed = msg(
      str(1, "kubectl"),
      str(6, "FieldsV1"),
      sub(7, msg(str(1, '{"f:data":{}}'))),
    );
    const cm = msg(sub(1, msg(str(1, "c"), sub(17, managed))));
    assertEquals(decodeProtobufObject(envelope("v1", "ConfigMap", cm)).metadata, {
      name: "c",
      managedFields: [{ manager: "kubectl", fieldsType: "FieldsV1", fieldsV1: { "f:data": {} } }],
    });
  });
});

Deno.test("decodeProtobufObject inlines embedded structs and keeps empty messages", () => {
  // Volume{name, VolumeSource{emptyDir: {}}}: JSON has emptyDir next to name.
  const pod = msg(sub(2, msg(sub(1, msg(str(1, "scratch"), sub(2, msg(sub(2, msg()))))))));
  assertEquals(decodeProtobufObject(envelope("v1", "Pod", pod)).spec, {
    volumes: [{ name: "scratch", emptyDir: {} }],
  });
});

Deno.test("decodeProtobufObject skips unknown fields and reads packed numbers", () => {
  const unknown: Field[] = [int(99, 1), str(98, "x"), [97, "fixed32", Uint8Array.of(1, 2, 3, 4)], [
    96,
    "fixed64",
    new Uint8Array(8),
  ]];
  const cm = msg(sub(1, msg(str(1, "c"), ...unknown)), ...unknown);
  assertEquals(decodeProtobufObject(envelope("v1", "ConfigMap", cm)), {
    kind: "ConfigMap",
    apiVersion: "v1",
    metadata: { name: "c" },
  });
  // PodSecurityContext.supplementalGroups (repeated int64), packed and unpacked.
  const ctx = msg(sub(4, Uint8Array.from([...varint(1), ...varint(2)])), int(4, 3));
  const pod = msg(sub(2, msg(sub(14, ctx))));
  assertEquals(decodeProtobufObject(envelope("v1", "Pod", pod)).spec, {
    securityContext: { supplementalGroups: [1, 2, 3] },
  });
});

Deno.test("decodeProtobufObject rejects bodies it cannot decode with ProtobufDecodeError", async (t) => {
  const cases: [string, Uint8Array, RegExp][] = [
    ["no magic", new TextEncoder().encode('{"kind":"Pod"}'), /magic/],
    [
      "an unknown kind",
      envelope("example.com/v1", "Widget", msg()),
      /no protobuf schema for kind "Widget"/,
    ],
    ["a content encoding", envelope("v1", "Pod", msg(), "gzip"), /contentEncoding "gzip"/],
    ["a truncated message", envelope("v1", "Pod", msg()).subarray(0, 12), /truncated/],
    ["a wrong wire type", envelope("v1", "Pod", msg(int(1, 5))), /wire type 0 for a message/],
    [
      "an endless varint",
      Uint8Array.from([0x6b, 0x38, 0x73, 0, 8, ...new Array(11).fill(0xff)]),
      /varint/,
    ],
  ];
  for (const [name, body, message] of cases) {
    await t.step(name, () => {
      const err = assertThrows(() => decodeProtobufObject(body), ProtobufDecodeError);
      if (!message.test(err.message)) throw new Error(`${err.message} does not match ${message}`);
    });
  }
});

Deno.test("goDuration formats nanoseconds like Go's time.Duration.String", () => {
  const cases: [number, string][] = [
    [0, "0s"],
    [999, "999ns"],
    [1_500, "1.5µs"],
    [2_000_000, "2ms"],
    [1_500_000_000, "1.5s"],
    [90e9, "1m30s"],
    [3600e9, "1h0m0s"],
    [-61e9, "-1m1s"],
  ];
  assertEquals(cases.map(([ns]) => goDuration(ns)), cases.map(([, text]) => text));
});
