import { assertEquals } from "../_helpers/assert.ts";
import { kubectlTest } from "../_helpers/kubectl.ts";
import { readDiscovery } from "../_tools/gen_types.ts";

/** Rows of `kubectl api-resources -o wide`, cut at the header's column starts. */
function table(text: string): string[][] {
  const [header, ...lines] = text.trimEnd().split("\n");
  const starts = [...header!.matchAll(/\S+/g)].map((m) => m.index!);
  return lines.map((line) =>
    starts.map((start, i) => line.slice(start, starts[i + 1] ?? line.length).trim())
  );
}

kubectlTest(
  "kubectl api-resources against the fake lists what a real 1.37 server lists",
  [],
  async (h) => {
    const fixture = await readDiscovery();
    const expected = fixture.groups.flatMap((g) =>
      g.resources.map((r) =>
        [
          r.resource,
          r.shortNames.join(","),
          g.group === "" ? g.versions[0]! : `${g.group}/${g.versions[0]}`,
          String(r.scope === "Namespaced"),
          r.kind,
          [...r.verbs].sort().join(","),
          r.categories.join(","),
        ].join(" | ")
      )
    ).sort();
    const actual = table(await h.kubectl("api-resources", "-o", "wide")).map((row) =>
      row.join(" | ")
    ).sort();
    assertEquals(actual, expected);
  },
);
