import { assert, assertEquals, assertStringIncludes, assertThrows } from "../_helpers/assert.ts";
import {
  compileLabelSelector,
  formatLabelSelector,
  labelSelectorFromStructured,
  parseLabelSelector,
} from "../../src/api/label_selector.ts";
import type { LabelSelector } from "../../src/api/meta.ts";

type Labels = Record<string, string> | undefined;

const MATCH_TABLE: [selector: string, labels: Labels, expected: boolean][] = [
  // equality
  ["app=web", { app: "web" }, true],
  ["app=web", { app: "db" }, false],
  ["app=web", {}, false],
  ["app=web", undefined, false],
  ["app==web", { app: "web" }, true],
  ["app==web", { app: "webx" }, false],
  // inequality: absent labels match
  ["app!=web", { app: "db" }, true],
  ["app!=web", { app: "web" }, false],
  ["app!=web", {}, true],
  ["app!=web", undefined, true],
  // empty values
  ["app=", { app: "" }, true],
  ["app=", { app: "x" }, false],
  ["app=", {}, false],
  ["app!=", { app: "x" }, true],
  ["app!=", { app: "" }, false],
  // set membership
  ["env in (prod,dev)", { env: "dev" }, true],
  ["env in (prod,dev)", { env: "qa" }, false],
  ["env in (prod,dev)", {}, false],
  ["env in (prod)", { env: "prod" }, true],
  ["env notin (prod,dev)", { env: "qa" }, true],
  ["env notin (prod,dev)", { env: "prod" }, false],
  ["env notin (prod,dev)", {}, true],
  ["env notin (prod)", { env: "prod" }, false],
  // empty values inside sets
  ["env in (a,,b)", { env: "" }, true],
  ["env in (a,,b)", { env: "b" }, true],
  ["env notin (a,,b)", { env: "" }, false],
  ["env notin (a,,b)", { env: "c" }, true],
  ["env in ()", { env: "" }, true],
  ["env in ()", { env: "a" }, false],
  ["env in (,a)", { env: "" }, true],
  ["env in (a,)", { env: "" }, true],
  // existence
  ["app", { app: "" }, true],
  ["app", { app: "web" }, true],
  ["app", {}, false],
  ["!app", {}, true],
  ["!app", undefined, true],
  ["!app", { app: "web" }, false],
  // integer comparisons
  ["replicas>5", { replicas: "6" }, true],
  ["replicas>5", { replicas: "5" }, false],
  ["replicas>5", { replicas: "-7" }, false],
  ["replicas>5", { replicas: "abc" }, false],
  ["replicas>5", { replicas: "6.5" }, false],
  ["replicas>5", {}, false],
  ["replicas<5", { replicas: "4" }, true],
  ["replicas<5", { replicas: "-4" }, true],
  ["replicas<5", { replicas: "5" }, false],
  ["replicas<5", { replicas: "" }, false],
  ["big>9007199254740993", { big: "9007199254740994" }, true],
  ["big>9007199254740993", { big: "9007199254740993" }, false],
  // whitespace around tokens
  ["  app = web ,\ttier\nin ( a , b ) ", { app: "web", tier: "b" }, true],
  ["app in(web)", { app: "web" }, true],
  ["! app", {}, true],
  ["app!= web", { app: "web" }, false],
  // keywords only in operator position
  ["in=notin", { in: "notin" }, true],
  ["notin in (in,notin)", { notin: "in" }, true],
  ["in", { in: "x" }, true],
  ["!in", { in: "x" }, false],
  // prefixed keys and odd characters
  ["app.kubernetes.io/name=web", { "app.kubernetes.io/name": "web" }, true],
  ["example.com/A_b.c-D=x_Y.z-1", { "example.com/A_b.c-D": "x_Y.z-1" }, true],
  // conjunction
  ["app=web,tier=front", { app: "web", tier: "front" }, true],
  ["app=web,tier=front", { app: "web", tier: "back" }, false],
  ["app=web,!canary,env in (prod)", { app: "web", env: "prod" }, true],
  ["app=web,!canary,env in (prod)", { app: "web", env: "prod", canary: "1" }, false],
  // inherited object properties are not labels
  ["constructor", {}, false],
  ["!toString", {}, true],
  ["constructor!=x", {}, true],
  // empty selector
  ["", {}, true],
  ["", undefined, true],
  ["   ", { a: "b" }, true],
];

Deno.test("parseLabelSelector matches labels as the selector table expects", () => {
  for (const [selector, labels, expected] of MATCH_TABLE) {
    const got = parseLabelSelector(selector).matches(labels);
    assertEquals(got, expected, `${JSON.stringify(selector)} on ${JSON.stringify(labels)}`);
  }
});

Deno.test("parseLabelSelector round-trips through its canonical string", () => {
  for (const [selector, labels, expected] of MATCH_TABLE) {
    const again = parseLabelSelector(parseLabelSelector(selector).toString());
    assertEquals(again.matches(labels), expected, selector);
    assertEquals(again.toString(), parseLabelSelector(selector).toString(), selector);
  }
});

Deno.test("parseLabelSelector produces sorted requirements with the wire operators", () => {
  const sel = parseLabelSelector("z notin (b,a,b), !y, x>3, w<10, v==1, u!=2, t, s in (q)");
  assertEquals(
    sel.requirements.map((r) => ({ key: r.key, operator: r.operator, values: [...r.values] })),
    [
      { key: "s", operator: "in", values: ["q"] },
      { key: "t", operator: "exists", values: [] },
      { key: "u", operator: "!=", values: ["2"] },
      { key: "v", operator: "=", values: ["1"] },
      { key: "w", operator: "lt", values: ["10"] },
      { key: "x", operator: "gt", values: ["3"] },
      { key: "y", operator: "!", values: [] },
      { key: "z", operator: "notin", values: ["a", "b"] },
    ],
  );
  assertEquals(sel.toString(), "s in (q),t,u!=2,v=1,w<10,x>3,!y,z notin (a,b)");
  assertEquals(sel.empty, false);
});

Deno.test("parseLabelSelector treats an empty or blank selector as matching everything", () => {
  for (const text of ["", " ", "\t\n"]) {
    const sel = parseLabelSelector(text);
    assertEquals(sel.empty, true);
    assertEquals(sel.requirements.length, 0);
    assertEquals(sel.toString(), "");
  }
});

Deno.test("parseLabelSelector keeps empty set values in the canonical string", () => {
  assertEquals(parseLabelSelector("k in (a,,b)").toString(), "k in (,a,b)");
  assertEquals(parseLabelSelector("k in ()").toString(), "k in ()");
  assertEquals(parseLabelSelector("k=").toString(), "k=");
});

const INVALID: [selector: string, messagePart: string][] = [
  ["k in (a,b", "found end of string, expected ',' or ')'"], // unclosed set
  ["k in", "found end of string, expected '('"], // missing value list
  ["k notin", "expected '('"],
  ["k in a", "found 'a', expected '('"],
  ["k in (a b)", "found 'b', expected ',' or ')'"],
  ["-k=v", 'invalid label key "-k"'], // bad key
  ["k_=v", "invalid label key"],
  ["Example.com/k=v", "invalid label key"], // prefix must be lowercase
  ["a/b/c=v", "invalid label key"],
  ["/k=v", "invalid label key"],
  ["example.com/=v", "invalid label key"],
  [`${"k".repeat(64)}=v`, "at most 63"],
  [`${"a".repeat(254)}/k=v`, "at most 253"],
  [`k=${"v".repeat(64)}`, "at most 63"], // value too long
  [`k in (a,${"v".repeat(64)})`, "at most 63"],
  ["k=-v", "invalid label value"],
  ["k=v:w", "invalid label value"],
  ["k=v,", "found end of string, expected a requirement after ','"], // trailing comma
  [",k=v", "found ','"],
  ["k=v,,j=w", "found ','"],
  ["k==(a,b)", "found '(', expected a label value"], // == with a set
  ["k=(a)", "found '(', expected a label value"],
  ["k!=(a)", "found '(', expected a label value"],
  ["k=v w", "found 'w', expected ',' or end of string"],
  ["k v", "found 'v'"],
  ["!k=v", "found '='"],
  ["!", "found end of string, expected a label key"],
  ["!=v", "found '!='"],
  ["k>a", "expected an integer"],
  ["k>", "found end of string, expected an integer"],
  ["k>-1", "invalid label value"],
  ["k>99999999999999999999", "expected an integer"],
  ["k in (a)x", "found 'x'"],
  ["(a)", "found '('"],
];

Deno.test("parseLabelSelector rejects invalid selectors with a TypeError", () => {
  for (const [selector, part] of INVALID) {
    const err = assertThrows(() => parseLabelSelector(selector), TypeError);
    assertStringIncludes(err.message, part, `selector ${JSON.stringify(selector)}`);
  }
});

Deno.test("parseLabelSelector reports the position of the offending token", () => {
  const err = assertThrows(() => parseLabelSelector("app=web, tier in front"), TypeError);
  assertEquals(
    err.message,
    `invalid label selector "app=web, tier in front": at position 17: found 'front', expected '('`,
  );
});

Deno.test("labelSelectorFromStructured combines matchLabels and matchExpressions", () => {
  const sel = labelSelectorFromStructured({
    matchLabels: { app: "web", tier: "front" },
    matchExpressions: [
      { key: "env", operator: "In", values: ["prod", "staging"] },
      { key: "zone", operator: "NotIn", values: ["a"] },
      { key: "team", operator: "Exists" },
      { key: "canary", operator: "DoesNotExist", values: [] },
    ],
  });
  assertEquals(
    sel.toString(),
    "app=web,!canary,env in (prod,staging),team,tier=front,zone notin (a)",
  );
  assertEquals(sel.matches({ app: "web", tier: "front", env: "prod", team: "x" }), true);
  assertEquals(
    sel.matches({ app: "web", tier: "front", env: "prod", team: "x", zone: "a" }),
    false,
  );
  assertEquals(sel.matches({ app: "web", tier: "front", env: "dev", team: "x" }), false);
  assertEquals(sel.matches({ app: "web", tier: "front", env: "prod" }), false);
  assertEquals(
    sel.matches({ app: "web", tier: "front", env: "prod", team: "x", canary: "1" }),
    false,
  );
});

Deno.test("labelSelectorFromStructured treats an empty selector as matching everything", () => {
  assertEquals(labelSelectorFromStructured({}).empty, true);
  assertEquals(labelSelectorFromStructured({ matchLabels: {}, matchExpressions: [] }).empty, true);
  assertEquals(labelSelectorFromStructured({}).matches({ any: "thing" }), true);
});

Deno.test("labelSelectorFromStructured rejects invalid structured selectors", () => {
  const cases: [LabelSelector, string][] = [
    [
      { matchExpressions: [{ key: "a", operator: "In", values: [] }] },
      "In needs at least one value",
    ],
    [{ matchExpressions: [{ key: "a", operator: "NotIn" }] }, "NotIn needs at least one value"],
    [
      { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] },
      "Exists takes no values",
    ],
    [
      { matchExpressions: [{ key: "a", operator: "DoesNotExist", values: ["x"] }] },
      "takes no values",
    ],
    [
      { matchExpressions: [{ key: "a", operator: "Gt" as "In", values: ["1"] }] },
      "unknown operator",
    ],
    [{ matchExpressions: [{ key: "bad key", operator: "Exists" }] }, "invalid key"],
    [{ matchLabels: { "-a": "b" } }, "invalid key"],
    [{ matchLabels: { a: "b c" } }, "invalid value"],
    [{ matchLabels: { a: 1 as unknown as string } }, "values must be strings"],
    [{ matchLabels: { a: "x".repeat(64) } }, "at most 63"],
  ];
  for (const [selector, part] of cases) {
    const err = assertThrows(() => labelSelectorFromStructured(selector), TypeError);
    assertStringIncludes(err.message, part, JSON.stringify(selector));
  }
});

Deno.test("formatLabelSelector renders every form in canonical query-string form", () => {
  assertEquals(formatLabelSelector({ tier: "front", app: "web" }), "app=web,tier=front");
  assertEquals(formatLabelSelector({}), "");
  assertEquals(formatLabelSelector(" b = 1 , a "), "a,b=1");
  assertEquals(
    formatLabelSelector({
      matchLabels: { app: "web" },
      matchExpressions: [{ key: "env", operator: "In", values: ["prod", "", "dev"] }],
    }),
    "app=web,env in (,dev,prod)",
  );
  // A plain record whose keys happen to be selector words stays a record.
  assertEquals(formatLabelSelector({ matchLabels: "yes" }), "matchLabels=yes");
});

Deno.test("formatLabelSelector output parses back to the same requirements", () => {
  const structured: LabelSelector = {
    matchLabels: { "app.kubernetes.io/name": "web" },
    matchExpressions: [
      { key: "env", operator: "NotIn", values: ["", "dev"] },
      { key: "gpu", operator: "DoesNotExist" },
    ],
  };
  const text = formatLabelSelector(structured);
  assertEquals(
    parseLabelSelector(text).requirements,
    labelSelectorFromStructured(structured).requirements,
  );
});

Deno.test("formatLabelSelector rejects invalid string selectors", () => {
  assertThrows(() => formatLabelSelector("a in (b"), TypeError);
  assertThrows(() => formatLabelSelector({ "a b": "c" }), TypeError);
});

Deno.test("compileLabelSelector treats undefined and the empty string as match-everything", () => {
  for (const sel of [compileLabelSelector(undefined), compileLabelSelector("")]) {
    assertEquals(sel.empty, true);
    assertEquals(sel.matches(undefined), true);
    assertEquals(sel.matches({ a: "b" }), true);
  }
});

Deno.test("compileLabelSelector accepts strings, structured selectors and label records", () => {
  const labels = { app: "web", env: "prod" };
  assertEquals(compileLabelSelector("app=web,env!=dev").matches(labels), true);
  assertEquals(compileLabelSelector({ matchLabels: { app: "db" } }).matches(labels), false);
  assertEquals(
    compileLabelSelector({ matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }] })
      .matches(labels),
    true,
  );
  assertEquals(compileLabelSelector({ app: "web" }).matches(labels), true);
  assertEquals(compileLabelSelector({ app: "web", env: "dev" }).matches(labels), false);
});

Deno.test("compiled label matchers are frozen", () => {
  const sel = parseLabelSelector("a in (x,y)");
  assert(Object.isFrozen(sel));
  assert(Object.isFrozen(sel.requirements));
  assert(Object.isFrozen(sel.requirements[0]));
  assert(Object.isFrozen(sel.requirements[0]?.values));
});
