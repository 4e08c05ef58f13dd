/**
 * The differential check of our YAML reader against kubectl's: documents
 * emitted by PyYAML (seeded) and written by hand are read by
 * `readYaml` and by the oracle (sigs.k8s.io/yaml's `YAMLToJSON`, built from
 * the Go module proxy by `build.sh`), and the results compared. Used by
 * `tests/client/yaml_differential_test.ts` and `bench/yaml_differential.ts`.
 *
 * @module
 */

import { KubeConfigError } from "../../../src/api/errors.ts";
import { readYaml } from "../../../src/_internal/yaml_reader.ts";
import { deepEqual } from "../../_helpers/assert.ts";

/** A YAML document to compare. */
export interface YamlCase {
  /** How it was made (emitter options or a description). */
  readonly name: string;
  /** The YAML text. */
  readonly text: string;
}

/** What a reader made of a document: a value or an error message. */
export type ReadResult = { readonly value: unknown } | { readonly error: string };

/** A case where the reader and the oracle disagree on purpose. */
export interface KnownDifference {
  /** A short name. */
  readonly name: string;
  /** Why we read it differently from kubectl. */
  readonly reason: string;
  /** Whether a disagreement is this one. */
  readonly matches: (text: string, ours: ReadResult, oracle: ReadResult) => boolean;
}

/** The outcome of comparing many documents. */
export interface DifferentialReport {
  /** Documents compared. */
  readonly total: number;
  /** Both read the same value, or both failed. */
  readonly agreed: number;
  /** Documents where both failed (part of `agreed`). */
  readonly bothFailed: number;
  /** Disagreements explained by a known difference, by its name. */
  readonly known: ReadonlyMap<string, number>;
  /** Unexplained disagreements. */
  readonly differences: readonly {
    readonly doc: YamlCase;
    readonly ours: ReadResult;
    readonly oracle: ReadResult;
  }[];
}

const HERE = new URL(".", import.meta.url).pathname;
const CACHE_ROOT = Deno.env.get("KUBESNAP_CACHE_DIR") ??
  `${Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`}/kubesnap`;

async function run(
  cmd: string,
  args: string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(cmd, {
      args,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      ...(options.env ? { env: options.env } : {}),
    }).spawn();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      return { code: 127, stdout: "", stderr: `${cmd}: not found` };
    }
    throw err;
  }
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Builds the oracle when it is not in the cache yet (needs Go and the Go
 * module proxy) and returns its path. Fails with the reason, never skips.
 */
export async function buildYamlOracle(): Promise<string> {
  const { code, stdout, stderr } = await run("bash", [`${HERE}build.sh`]);
  const path = stdout.trim().split("\n").pop() ?? "";
  if (code !== 0 || path === "") {
    throw new Error(
      `building the YAML oracle (tests/_tools/yaml_oracle/build.sh) failed with exit code ${code}` +
        (code === 2 ? " (Go is not on the PATH: install it from go.dev/dl)" : "") +
        `:\n${stderr.trim()}`,
    );
  }
  return path;
}

/** Converts every document with the oracle, in one process. */
export async function runYamlOracle(bin: string, texts: readonly string[]): Promise<ReadResult[]> {
  const { code, stdout, stderr } = await run(bin, [], { stdin: JSON.stringify(texts) });
  if (code !== 0) {
    throw new Error(`the YAML oracle failed with exit code ${code}: ${stderr.trim()}`);
  }
  const results = JSON.parse(stdout) as { json?: unknown; error?: string }[];
  if (results.length !== texts.length) {
    throw new Error("the YAML oracle answered a different count");
  }
  return results.map((
    r,
  ) => (r.error !== undefined ? { error: r.error } : { value: r.json ?? null }));
}

/**
 * Writes each value as YAML the way kubectl writes kubeconfigs
 * (sigs.k8s.io/yaml's `JSONToYAML`, go-yaml v2's `Marshal`).
 */
export async function emitGoYamlDocuments(
  bin: string,
  values: readonly unknown[],
): Promise<YamlCase[]> {
  const texts = values.map((v) => JSON.stringify(v));
  const { code, stdout, stderr } = await run(bin, ["emit"], { stdin: JSON.stringify(texts) });
  if (code !== 0) {
    throw new Error(`the YAML oracle failed with exit code ${code}: ${stderr.trim()}`);
  }
  const results = JSON.parse(stdout) as { yaml?: string; error?: string }[];
  return results.flatMap((r, i) =>
    r.yaml === undefined ? [] : [{ name: `go-yaml #${i}`, text: r.yaml }]
  );
}

const PYYAML_VERSION = "6.0.3";

/**
 * Emits `count` seeded documents with PyYAML (`emit.py`). Uses the system
 * python3's PyYAML, or installs PyYAML into the cache with pip when it lacks
 * one. Fails with the reason when python3 is missing.
 */
export async function emitPyYamlDocuments(seed: number, count: number): Promise<YamlCase[]> {
  const target = `${CACHE_ROOT}/pyyaml/${PYYAML_VERSION}`;
  const env = { PYTHONPATH: target, PYTHONHASHSEED: "0" };
  const probe = await run("python3", ["-c", "import yaml"], { env });
  if (probe.code === 127) {
    throw new Error("emitting YAML documents needs python3 on the PATH; none was found");
  }
  if (probe.code !== 0) {
    const pip = await run("python3", [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "--target",
      target,
      `PyYAML==${PYYAML_VERSION}`,
    ]);
    if (pip.code !== 0) {
      throw new Error(`installing PyYAML ${PYYAML_VERSION} into ${target} failed: ${pip.stderr}`);
    }
  }
  const args = [`${HERE}emit.py`, "--seed", String(seed), "--count", String(count)];
  const { code, stdout, stderr } = await run("python3", args, { env });
  if (code !== 0) throw new Error(`emit.py failed with exit code ${code}: ${stderr.trim()}`);
  return JSON.parse(stdout) as YamlCase[];
}

/** What our reader makes of a document: a value, a `KubeConfigError`, or (a bug) a crash. */
export function readOurs(text: string): ReadResult {
  try {
    return { value: readYaml(text).value };
  } catch (err) {
    if (err instanceof KubeConfigError) return { error: err.message };
    return { error: `CRASH ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` };
  }
}

/** Compares our reader with the oracle results, document by document. */
export function compareWithOracle(
  docs: readonly YamlCase[],
  oracle: readonly ReadResult[],
  known: readonly KnownDifference[] = KNOWN_DIFFERENCES,
): DifferentialReport {
  let agreed = 0;
  let bothFailed = 0;
  const knownCounts = new Map<string, number>();
  const differences: DifferentialReport["differences"][number][] = [];
  docs.forEach((doc, i) => {
    const theirs = oracle[i] as ReadResult;
    const ours = readOurs(doc.text);
    const crash = "error" in ours && ours.error.startsWith("CRASH");
    if ("error" in ours && "error" in theirs && !crash) {
      agreed++;
      bothFailed++;
      return;
    }
    if ("value" in ours && "value" in theirs && deepEqual(ours.value, theirs.value)) {
      agreed++;
      return;
    }
    const explained = crash ? undefined : known.find((k) => k.matches(doc.text, ours, theirs));
    if (explained) knownCounts.set(explained.name, (knownCounts.get(explained.name) ?? 0) + 1);
    else differences.push({ doc, ours, oracle: theirs });
  });
  return { total: docs.length, agreed, bothFailed, known: knownCounts, differences };
}

/** Formats a disagreement for a failure message (the documents are test data, not secrets). */
export function describeDifference(d: DifferentialReport["differences"][number]): string {
  return [
    `--- ${d.doc.name}`,
    JSON.stringify(d.doc.text),
    `ours:   ${JSON.stringify(d.ours)}`,
    `oracle: ${JSON.stringify(d.oracle)}`,
  ].join("\n");
}

/**
 * Where we read a document differently from kubectl on purpose. Each entry
 * is data: a name, the reason, and a test for the disagreement.
 */
export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    name: "duplicate keys",
    reason: "kubectl keeps the last of two equal keys (also keys that only become equal as JSON, " +
      'such as true and True, or 1 and "1"); we reject the file, so that a second entry ' +
      "never silently replaces a credential",
    matches: (_text, ours) => "error" in ours && ours.error.includes("duplicate mapping key"),
  },
  {
    name: "directives",
    reason: "%YAML and %TAG directives are rejected; no kubeconfig writer emits them",
    matches: (_text, ours) => "error" in ours && ours.error.includes("directives"),
  },
  {
    name: "nesting limit",
    reason: `we stop at ${1000} nested collections, go-yaml at 10000`,
    matches: (_text, ours) => "error" in ours && ours.error.includes("nested deeper than"),
  },
  {
    name: "alias limit",
    reason: "aliases may add 100000 values with us; go-yaml allows more in large documents",
    matches: (_text, ours) => "error" in ours && ours.error.includes("aliases expand"),
  },
];

/** Hand-written documents: what people write in kubeconfigs and what YAML allows. */
export const HAND_WRITTEN: readonly YamlCase[] = [
  ["anchors and aliases", "a: &x {k: v}\nb: *x\nc: &y [1, *x]\nd: *y\n"],
  [
    "a kubeconfig sharing a user and cluster through anchors",
    "apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster: &c\n    server: https://a\n" +
    "    insecure-skip-tls-verify: true\n- name: b\n  cluster: *c\nusers:\n- name: u\n  user: &u\n" +
    "    exec:\n      command: aws\n      args: [eks, get-token]\n- name: v\n  user: *u\n",
  ],
  ["merge keys", "base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  b: 3\ny:\n  b: 3\n  <<: *b\n"],
  ["merge of a list", "p: &p {a: 1}\nq: &q {a: 2, c: 3}\nr:\n  <<: [*p, *q]\n  d: 4\n"],
  ["quoted << is a key", "'<<': 1\n"],
  ["anchor on a key", "&k key: 1\nother: *k\n"],
  ["anchor on a sequence item and a block node", "- &a\n  x: 1\n- *a\n- &s\n  - 1\n- *s\n"],
  ["anchored empty value", "a: &e\nb: *e\n"],
  ["undefined alias", "a: *nope\n"],
  ["alias to itself", "a: &x [*x]\n"],
  ["two documents", "a: 1\n---\nb: 2\n"],
  ["two documents, the second invalid", "a: 1\n---\n]]]: [\n"],
  ["document end marker", "a: 1\n...\nnot yaml: [\n"],
  ["empty first document", "---\n---\na: 1\n"],
  ["a complex key", "? a\n: b\n? c\n"],
  ["a complex key with a compact value", "? k\n: - 1\n  - 2\n"],
  ["a long complex key", `? ${"k".repeat(200)}\n: v\n`],
  ["a complex flow key", `{? "${"k".repeat(130)}"\n  : v}`],
  ["a mapping as a key", "? {a: 1}\n: b\n"],
  [
    "a multi-line plain scalar in flow",
    "a: [one two\n  three, four\n\n  five]\nb: {k: x\n    y}\n",
  ],
  ["tab after the indentation of a literal block", "a: |\n  \tx\n"],
  ["tab with an indentation indicator", "a: |2\n  \tx\n"],
  ["tab on a later literal line", "a: |\n  x\n  \ty\n"],
  ["keep chomping and a blank line", "a: |+\n  x\n   \nb: 1\n"],
  ["an indentation indicator at the root", ">2-\n   x\n  y\n"],
  ["keep chomping of whitespace only", "a: |+\n  \n"],
  ["leading blank line more indented", "a: |\n    \n  x\n"],
  ["line separators in quotes", 'a: "x\u2028  y"\nb: \'x \u2029 y\'\nc: "x \u0085  y"\n'],
  [
    "line separators in plain and block scalars",
    "a: x \u2028 y\nb: |\n  x\u2028  y\nc: >\n  x\u2028  y\n",
  ],
  ["NEL as a line break", "a: 1\u0085b: 2\n"],
  ["a key ending in U+00A0", "a\u00a0: 1\n"],
  ["YAML 1.1 booleans", "a: [y, Y, yes, On, n, NO, off, true, False]\n"],
  [
    "YAML 1.1 numbers",
    "a: [0o17, 017, 0x1F, 0b101, -0b11, 1_000, 1e3, 1E3, .5, 5., +1, 08, 0x, 1e400]\n",
  ],
  ["YAML 1.1 keys", "0o17: a\n1e3: b\n0x10: c\nyes: d\n1.5: e\n1000000.0: f\n1e-05: g\n.inf: h\n"],
  ["a null key", "~: 1\n"],
  ["a uint64 key", "18446744073709551615: 1\n"],
  ["infinity", "a: .inf\n"],
  ["timestamps stay strings", "a: 2001-12-14\nb: 2001-12-14t21:59:43.10-05:00\n"],
  [
    "tags",
    "a: !!str 1\nb: !!int '0x10'\nc: !!float 1\nd: !!bool 'yes'\ne: !!null ''\nf: !custom x\n",
  ],
  ["a wrong tag", "a: !!int x\n"],
  ["tagged collections", "--- !!map\na: !!seq [1]\n"],
  ["canonical PyYAML", '---\n!!map {\n  ? !!str "a"\n  : !!seq [\n    !!int "1",\n  ],\n}\n'],
  ["JSON", '{"a": [1, 2.5, "x"], "b": {"c": null}}'],
  ["JSON-looking YAML", "{a: b, c: [d]}\n"],
  ["JSON with duplicate keys", '{"a": 1, "a": 2}'],
  ["a quoted scalar continued at column 0", 'a:\n  b: "x\ny"\n'],
  ["deep flow nesting", "a: " + "[".repeat(1200) + "]".repeat(1200) + "\n"],
  [
    "an alias bomb",
    [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...Array.from({ length: 8 }, (_, i) => {
        const p = String.fromCharCode(97 + i);
        const n = String.fromCharCode(98 + i);
        return `${n}: &${n} [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]`;
      }),
    ].join("\n") + "\n",
  ],
].map(([name, text]) => ({ name: name as string, text: text as string }));

const MUTATION_PIECES = [
  ":",
  ": ",
  "-",
  "- ",
  "? ",
  "&a ",
  "*a",
  "!!str ",
  "!x",
  "[",
  "]",
  "{",
  "}",
  ",",
  '"',
  "'",
  "\n",
  " ",
  "  ",
  "\t",
  "#",
  " #",
  "|",
  ">",
  "|-",
  "\n  ",
  "\n- ",
  "---\n",
  "...\n",
  "%",
  "@",
  "\\",
  "\u2028",
  "\u0085",
  "\u00a0",
  "<<: ",
  "x",
];

/**
 * Breaks a document at a few random places (inserted indicators, deleted
 * characters, shifted lines), for robustness runs: the results are mostly
 * invalid YAML. Edits whole code points, so the text stays valid UTF-16.
 *
 * @param text A valid document.
 * @param random A seeded source of numbers in [0, 1).
 * @returns The broken text.
 */
export function mutateYaml(text: string, random: () => number): string {
  let chars = Array.from(text);
  const edits = 1 + Math.floor(random() * 3);
  for (let n = 0; n < edits; n++) {
    const at = Math.floor(random() * (chars.length + 1));
    const r = random();
    if (r < 0.4) {
      const piece = MUTATION_PIECES[Math.floor(random() * MUTATION_PIECES.length)] as string;
      chars.splice(at, 0, ...Array.from(piece));
    } else if (r < 0.7) {
      chars.splice(at, 1 + Math.floor(random() * 4));
    } else {
      const lines = chars.join("").split("\n");
      const i = Math.floor(random() * lines.length);
      const line = lines[i] as string;
      lines[i] = random() < 0.5 ? ` ${line}` : line.slice(1);
      chars = Array.from(lines.join("\n"));
    }
  }
  return chars.join("");
}

/**
 * Where we read broken input differently from go-yaml, by design. Each entry
 * is data: a name, the reason, and a test for the disagreement.
 */
export const KNOWN_DIFFERENCES_ON_BROKEN_INPUT: readonly KnownDifference[] = [
  ...KNOWN_DIFFERENCES,
  {
    name: "text after the root node",
    reason: "go-yaml stops reading after the first complete node and ignores what follows " +
      '("{}\\ngarbage" reads as {}); we reject the text, which is never a valid document',
    matches: (_text, ours, oracle) =>
      "error" in ours && "value" in oracle &&
      /unexpected content|unexpected text after the value|unexpected ": "|expected a mapping key|a sequence item where|unexpected "[\]},]"|one anchor \(&\) and one tag/
        .test(ours.error),
  },
  {
    name: "tabs",
    reason: "go-yaml and the YAML spec disagree on some tabs (before a node, on a line of " +
      "their own, indenting a plain scalar's next line); we follow the spec there",
    matches: (text, ours, oracle) =>
      text.includes("\t") && (("value" in ours && "error" in oracle) ||
        ("error" in ours && "value" in oracle && ours.error.includes("tab character"))),
  },
  {
    name: "JSON",
    reason: "text that JSON.parse accepts is read as JSON, also where YAML 1.1's rules " +
      "reject it (a key and its colon on separate lines)",
    matches: (text, ours, oracle) => {
      if (!("value" in ours) || !("error" in oracle)) return false;
      try {
        JSON.parse(text);
        return true;
      } catch {
        return false;
      }
    },
  },
];
