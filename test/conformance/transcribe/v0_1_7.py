"""The v0.1.7 suite: extract its ConformanceTests, subtests, mutations and probes from upstream tests/*.go, in
source order, and write them as policy test files.

The upstream tests are regular: t.Run blocks that Get pods and policies, mutate the policy (swap rules,
set a named port, a priority or an action, insert a CIDR rule, delete a NetworkPolicy), Patch or Delete,
then PokeServer. Each pattern below matches one of those; the asserts fail loudly on anything else.
"""
import copy, glob, os, re
from common import (upstream, match_brace, load_docs, write, copy_manifest, cluster_objects, dump_all, dump_list,
                    slug, probe_line, write_index, apply_change, conformance_tests, CLUSTER_HEAD, BASE_README)

VERSION = "v0.1.7"
UP = upstream(VERSION)

PATTERNS = {
    "get_ns": re.compile(r'Get\(ctx,\s*client\.ObjectKey\{\s*Namespace:\s*"([^"]+)",\s*Name:\s*"([^"]+)",\s*\},\s*(\w+)\)'),
    "get_cluster": re.compile(r'Get\(ctx,\s*client\.ObjectKey\{\s*Name:\s*"([^"]+)",\s*\},\s*(\w+)\)'),
    "decl": re.compile(r'(\w+) := &(?:v1alpha1|networkingv1)\.(\w+)\{\}'),
    "swap": re.compile(r'mutate\.Spec\.(Egress|Ingress)\[(\d+)\] = mutate\.Spec\.\1\[(\d+)\]'),
    "named": re.compile(r'(\w+) := mutate(?:\.DeepCopy\(\))?\.Spec\.(Egress|Ingress)\[(\d+)\]\s*\n\s*\w+ := "(\w+)"'),
    "priority": re.compile(r'mutate\.Spec\.Priority = (\d+)'),
    "action": re.compile(r'mutate\.Spec\.(Egress|Ingress)\[(\d+)\]\.Action = v1alpha1\.AdminNetworkPolicyRuleAction(\w+)'),
    "insert": re.compile(r'Name:\s*"([^"]+)",\s*Action:\s*"(\w+)",\s*To:.*?Networks:\s*\[\]v1alpha1\.CIDR\{\s*v1alpha1\.CIDR\((\w+)\.Status\.PodIP \+ mask\),\s*v1alpha1\.CIDR\((\w+)\.Status\.PodIP \+ mask\),.*?mutate\.Spec\.Egress = append\(newRule, mutate\.Spec\.Egress\.\.\.\)', re.S),
    "patch": re.compile(r's\.Client\.Patch\(ctx, mutate, client\.MergeFrom\((\w+)\)\)'),
    "delete": re.compile(r's\.Client\.Delete\(ctx, (\w+)\)'),
    "poke": re.compile(r'kubernetes\.PokeServer\(t,\s*s\.ClientSet,\s*&s\.KubeConfig,\s*"([^"]+)",\s*"([^"]+)",\s*"(\w+)",\s*(\w+)\.Status\.PodIP,\s*int32\((\d+)\),\s*s\.TimeoutConfig\.RequestTimeout,\s*(true|false)\)'),
}

def extract():
    tests = []
    for t in conformance_tests(sorted(glob.glob(UP + "/tests/*.go")), ops=[], pokes=[]):
        short, block, subs = t["short"], t.pop("block"), t["subtests"]
        events = sorted((g.start(), kind, g) for kind, pat in PATTERNS.items() for g in pat.finditer(block))
        assert block.count("PokeServer(") == sum(1 for e in events if e[1] == "poke"), short
        assert block.count("s.Client.Patch(") + block.count("s.Client.Delete(") == sum(1 for e in events if e[1] in ("patch", "delete")), short
        objs, kinds, pending = {}, {}, []
        for pos, kind, g in events:
            sub = next((s for s in subs if s["start"] <= pos <= s["end"]), None)
            if kind == "decl":
                kinds[g.group(1)] = g.group(2)
            elif kind == "get_ns":
                objs[g.group(3)] = (g.group(1), g.group(2))
            elif kind == "get_cluster":
                objs[g.group(2)] = ("", g.group(1))
            elif kind == "swap":
                pending.append(("swap", g.group(1).lower(), int(g.group(2)), int(g.group(3))))
            elif kind == "named":
                pending.append(("named", g.group(2).lower(), int(g.group(3)), g.group(4)))
            elif kind == "priority":
                pending.append(("priority", int(g.group(1))))
            elif kind == "action":
                pending.append(("action", g.group(1).lower(), int(g.group(2)), g.group(3)))
            elif kind == "insert":
                pending.append(("insert", g.group(1), g.group(2), [objs[g.group(3)], objs[g.group(4)]]))
            elif kind in ("patch", "delete"):
                var = g.group(1)
                target = (kinds[var], objs[var][0], objs[var][1])
                assert sub is not None and not sub["pokes"], (short, "mutation outside a subtest or after a probe")
                if kind == "delete":
                    pending = [("delete",)]
                assert pending, (short, "patch without a recognised change")
                # a swap is written as three assignments; the regex matches the two that name both indexes
                ops = [op for op in pending]
                sub["ops"].append({"target": target, "ops": ops})
                pending = []
            elif kind == "poke":
                assert sub is not None, short
                ns, pod, proto, var, port, ok = g.groups()
                sub["pokes"].append({"from": (ns, pod), "to": objs[var], "protocol": proto.upper(), "port": int(port),
                                     "expect": "Allow" if ok == "true" else "Deny"})
        assert not pending, (short, pending)
        tests.append(t)
    return tests

def named_port(obj, op):
    assert op[0] == "named", op
    _, gress, k, port = op
    obj["spec"][gress][k]["ports"] = [{"namedPort": port}]
    return "%s rule %d ports := [namedPort: %s]" % (gress, k, port)

def apply(objs, change):
    """Applies one upstream Patch or Delete to objs in place; returns its description."""
    return apply_change(objs, change, named_port)

def generate(OUT):
    write(os.path.join(OUT, "cluster.yaml"), CLUSTER_HEAD.format(v=VERSION, extra="") + dump_all(cluster_objects(UP)))
    write(os.path.join(OUT, "base", "README.md"), BASE_README.format(v=VERSION, extra=""))
    tests = extract()
    index = {"upstream": "sigs.k8s.io/network-policy-api", "version": VERSION, "tests": []}
    copied = set()
    for t in tests:
        assert len(t["manifests"]) == 1
        rel = t["manifests"][0]
        _, docs = load_docs(UP, rel)
        if rel not in copied:
            copy_manifest(OUT, UP, VERSION, rel)
            copied.add(rel)
        objs = copy.deepcopy(docs)
        history = []
        entry = {"shortName": t["short"], "upstreamFile": t["file"], "features": t["features"], "manifests": [rel], "subtests": []}
        for n, sub in enumerate(t["subtests"], 1):
            for change in sub["ops"]:
                history.append("subtest %d: %s" % (n, apply(objs, change)))
            fname = "%02d-%s.yaml" % (n, slug(sub["name"]))
            relpath = "%s/%s" % (t["short"], fname)
            lines = ["# Upstream: sigs.k8s.io/network-policy-api %s %s:%d" % (VERSION, t["file"], sub["line"]),
                     "# Test:     %s (features: %s)" % (t["short"], ", ".join(t["features"])),
                     "# Subtest:  %s" % sub["name"]]
            if history:
                lines.append("# Policies: %s after the test's changes so far, applied in order:" % rel)
                lines += ["#   " + h for h in history]
            else:
                lines.append("# Policies: %s as applied (no changes yet)." % rel)
            lines.append("# Probes: upstream's PokeServer calls in order; each connects to the server pod's status.podIP,")
            lines.append("# the IPv4 address here. Deny means dropped (agnhost connect times out).")
            lines.append("kind: PolicyTest")
            lines.append("manifests:")
            lines.append("- ../cluster.yaml")
            if not history:
                lines.append("- ../" + rel)
            else:
                lines.append("objects:")
                lines += dump_list(objs)
            lines.append("probes:")
            for p in sub["pokes"]:
                lines += probe_line(p)
            write(os.path.join(OUT, relpath), "\n".join(lines) + "\n")
            entry["subtests"].append({"name": sub["name"], "file": relpath, "probes": len(sub["pokes"])})
        index["tests"].append(entry)
    write_index(OUT, index)

