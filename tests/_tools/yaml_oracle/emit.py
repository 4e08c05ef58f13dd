"""Writes seeded YAML documents emitted by PyYAML, as a JSON array on stdout.

Usage: python3 emit.py --seed S --count N

Each entry is {"name": "...", "text": "..."}: random kubeconfig-shaped and
generic data dumped with PyYAML in varied styles (block, flow, mixed, narrow
widths that wrap long scalars, unicode, keys longer than 128 characters that
become `? ` keys, canonical form, shared objects that become anchors and
aliases, several documents). The data itself is not the expected result: the
same text is read by the oracle and by our reader, and the results compared.
"""

import argparse
import json
import random
import sys

import yaml

ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    "        ::##--??[]{},,&*!|>'\"%@`\t\n\\/._=+~"
    "\u00e9\u4e2d\U0001f600\u00a0\u0085\u2028\u2029\ufeff\x01\x7f\r"
)
WORDS = [
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "Null", "NULL", "True",
    "0", "-0", "007", "0o17", "0x1F", "0b101", "1_000", "1e3", "1E3", "1.5", ".5", "5.", "+1",
    "-1.5e-3", ".inf", "-.Inf", ".nan", "12:30:45", "190:20:30", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
    "=", "<<", "-", "---", "...", "- x", "a: b", "a #b", "#c", "@at", "`tick", "%pct", "*star",
    "&amp", "!bang", "|pipe", ">gt", "'q'", '"dq"', "[x]", "{y}", "x,y", " lead", "trail ", "",
    "kind-kind", "https://127.0.0.1:6443", "C:\\path", "a\tb", "line1\nline2", "line1\n\nline3\n",
    "\tstarts-with-tab\nnext", "  indented\nnot", "trailing\n\n\n", "ends with space ",
    "x\u2028y", "x \u2029 y", "x\u0085y", "key\u00a0", "\u00a0", "2147483648", "9223372036854775807",
    "9223372036854775808", "18446744073709551616", "0.1", "1.0e+10", "123456789012345678901234",
    "NaN", "Infinity", "0755", "08", "0xG", "+.inf", "1:2", "1,2", "0.", "-.5", "1e", "e3",
]


def rand_string(rng, max_len=40):
    r = rng.random()
    if r < 0.35:
        return rng.choice(WORDS)
    if r < 0.5:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz-_.") for _ in range(rng.randint(1, 12)))
    if r < 0.6:
        # A token or base64 blob, sometimes long enough to wrap.
        n = rng.choice([16, 40, 90, 200])
        return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
                       for _ in range(n))
    if r < 0.72:
        words = [rng.choice(["alpha", "beta", "gamma", "x", "Install", "the", "plugin", "https://e.x/a#b",
                             "a:b", "c #d", "e-f", "é", "中文"]) for _ in range(rng.randint(2, 25))]
        return " ".join(words)
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, max_len)))


def rand_key(rng):
    r = rng.random()
    if r < 0.04:
        return "k" * rng.randint(129, 200)  # PyYAML writes keys over 128 characters as `? key`.
    if r < 0.06:
        return rng.choice([1, 0, -5, 2.5, True, False, 1e-05, 1e20])
    if r < 0.6:
        return rng.choice(["name", "cluster", "user", "server", "token", "a", "b", "c-d", "e_f", "x.y",
                           "namespace", "args", "env", "value", "extensions", "preferences"])
    return rand_string(rng, 20)


def rand_scalar(rng):
    r = rng.random()
    if r < 0.6:
        return rand_string(rng)
    if r < 0.7:
        return rng.choice([True, False, None])
    if r < 0.85:
        return rng.choice([0, 1, -1, 42, 2**31, 2**53, -2**40, rng.randint(-10**6, 10**6)])
    return rng.choice([0.5, -1.25, 1e-05, 3.0, 1e300, 2.5e-10, 100.0, rng.uniform(-1000, 1000)])


def rand_value(rng, depth, shared):
    if shared and rng.random() < 0.08:
        return rng.choice(shared)
    if depth <= 0 or rng.random() < 0.45:
        return rand_scalar(rng)
    if rng.random() < 0.5:
        v = [rand_value(rng, depth - 1, shared) for _ in range(rng.randint(0, 4))]
    else:
        v = {}
        for _ in range(rng.randint(0, 5)):
            v[rand_key(rng)] = rand_value(rng, depth - 1, shared)
    if rng.random() < 0.15:
        shared.append(v)
    return v


def kubeconfig(rng):
    shared = []
    def entry(kind, body):
        return {"name": rand_string(rng, 12), kind: body}
    def extensions():
        return [{"name": rand_string(rng, 10), "extension": rand_value(rng, 3, shared)}
                for _ in range(rng.randint(0, 2))]
    clusters = [entry("cluster", {
        "server": rng.choice(["https://127.0.0.1:6443", "https://k8s.example.com", rand_string(rng)]),
        "certificate-authority-data": rand_string(rng),
        "insecure-skip-tls-verify": rng.choice([True, False]),
        "extensions": extensions(),
    }) for _ in range(rng.randint(0, 3))]
    users = [entry("user", rng.choice([
        {"token": rand_string(rng)},
        {"client-certificate-data": rand_string(rng), "client-key-data": rand_string(rng)},
        {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": rand_string(rng, 20),
                  "args": [rand_string(rng) for _ in range(rng.randint(0, 4))],
                  "env": [{"name": rand_string(rng, 8), "value": rand_string(rng)} for _ in range(rng.randint(0, 2))],
                  "interactiveMode": "IfAvailable", "installHint": rand_string(rng, 200)}},
    ])) for _ in range(rng.randint(0, 3))]
    contexts = [entry("context", {"cluster": rand_string(rng, 10), "user": rand_string(rng, 10),
                                  "namespace": rand_string(rng, 10), "extensions": extensions()})
                for _ in range(rng.randint(0, 3))]
    doc = {"apiVersion": "v1", "kind": "Config", "clusters": clusters, "users": users,
           "contexts": contexts, "current-context": rand_string(rng, 10), "preferences": {}}
    if rng.random() < 0.3:
        doc["extensions"] = extensions()
    return doc


def dump_options(rng):
    opts = {
        "default_flow_style": rng.choice([False, False, None, True]),
        "allow_unicode": rng.random() < 0.5,
        "sort_keys": rng.random() < 0.5,
        "indent": rng.choice([2, 2, 2, 3, 4, 8]),
        "explicit_start": rng.random() < 0.2,
        "explicit_end": rng.random() < 0.1,
    }
    if rng.random() < 0.4:
        opts["width"] = rng.choice([10, 20, 40, 60])
    if rng.random() < 0.1:
        opts["default_style"] = rng.choice(['"', "'", "|", ">"])
    if rng.random() < 0.05:
        opts["canonical"] = True
    return opts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    out = []
    for i in range(args.count):
        shape = "kubeconfig" if rng.random() < 0.5 else "generic"
        data = kubeconfig(rng) if shape == "kubeconfig" else rand_value(rng, 4, [])
        opts = dump_options(rng)
        several = rng.random() < 0.05
        try:
            if several:
                text = yaml.safe_dump_all([data, rand_value(rng, 2, [])], **opts)
            else:
                text = yaml.dump(data, Dumper=yaml.SafeDumper, **opts)
        except yaml.YAMLError:
            continue
        desc = ",".join(f"{k}={v!r}" for k, v in sorted(opts.items()))
        out.append({"name": f"#{i} {shape}{' x2' if several else ''} {desc}", "text": text})
    json.dump(out, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main()
