"""The v0.3.0 suite: extract its ConformanceTests, subtests, changes and probes from upstream tests/*.go, in source
order, and write them as policy test files.

The tests are t.Run blocks that get pods and ClusterNetworkPolicies, change a policy (swap rules, set a named
port, a priority or an action, insert a CIDR rule), delete a NetworkPolicy, relabel a namespace or set and remove
a pod label (also in t.Cleanup), and PokeServer. Each pattern below matches one of those; the asserts fail loudly
on anything else. Changes may come between probes of one subtest: each run of probes between changes is one
step, written as its own file. The manifests are Go templates of the host-network ports; they are rendered with
upstream's default range.
"""
import copy, glob, os, re
from common import (upstream, match_brace, load_docs, write, copy_manifest, cluster_objects, dump_all, dump_list,
                    slug, probe_line, write_index, apply_change, conformance_tests, CLUSTER_HEAD, BASE_README)

VERSION = "v0.3.0"
UP = upstream(VERSION)

# utils/suite/suite.go: HostNetworkPortRangeStart defaults to 34345, and the suite uses hostNetworkPortsAmount = 8.
HOST_PORTS = list(range(34345, 34345 + 8))
TEMPLATE = re.compile(r'\{\{ index \.HostNetworkPorts (\d+) \}\}')

def render(text):
    return TEMPLATE.sub(lambda m: str(HOST_PORTS[int(m.group(1))]), text)

S = r'\s*'
GET_POD = re.compile(r'(\w+) :?= kubernetes\.GetPod\(t, s\.Client, "([^"]+)", "([^"]+)", s\.TimeoutConfig\.GetTimeout\)')
PATTERNS = {
    "get_pod": GET_POD,
    "get_cnp": re.compile(r'(\w+) :?= kubernetes\.GetClusterNetworkPolicy\(t, s\.Client, "([^"]+)", s\.TimeoutConfig\.GetTimeout\)'),
    "get_np": re.compile(r'(\w+) := &networkingv1\.NetworkPolicy\{\}\s*\n\s*err :?= s\.Client\.Get\(ctx, client\.ObjectKey\{' + S +
                         r'Namespace:\s*"([^"]+)",' + S + r'Name:\s*"([^"]+)",' + S + r'\}, \1\)'),
    "swap": re.compile(r'mutate\.Spec\.(Egress|Ingress)\[(\d+)\] = mutate\.Spec\.\1\[(\d+)\]'),
    "named": re.compile(r'(\w+) := mutate(?:\.DeepCopy\(\))?\.Spec\.(Egress|Ingress)\[(\d+)\]\s*\n\s*(\w+) := "(\w+)"' +
                        r'.*?\1\.Protocols = \[\]api\.ClusterNetworkPolicyProtocol\{' + S + r'\{' + S +
                        r'DestinationNamedPort: \4,' + S + r'\},' + S + r'\}' + S + r'mutate\.Spec\.\2\[\3\] = \1\n', re.S),
    "priority": re.compile(r'mutate\.Spec\.Priority = (\d+)'),
    "action": re.compile(r'mutate\.Spec\.(Egress|Ingress)\[(\d+)\]\.Action = api\.ClusterNetworkPolicyRuleAction(\w+)'),
    "insert": re.compile(r'Name:\s*"([^"]+)",\s*Action:\s*"(\w+)",\s*To:.*?Networks:\s*\[\]api\.CIDR\{\s*api\.CIDR\((\w+)\.Status\.PodIP \+ mask\),' +
                         r'\s*api\.CIDR\((\w+)\.Status\.PodIP \+ mask\),.*?mutate\.Spec\.Egress = append\(newRule, mutate\.Spec\.Egress\.\.\.\)', re.S),
    "patch": re.compile(r'kubernetes\.PatchClusterNetworkPolicy\(t, s\.Client, (\w+), mutate, s\.TimeoutConfig\.GetTimeout\)'),
    "delete": re.compile(r'err = s\.Client\.Delete\(ctx, (\w+)\)'),
    "ns_labels": re.compile(r'(\w+) :?= kubernetes\.GetNamespace\(t, s\.Client, "([^"]+)", s\.TimeoutConfig\.GetTimeout\)\s*\n' +
                            r'\s*(\w+) :?= \1\.DeepCopy\(\)\s*\n\s*\3\.SetLabels\(map\[string\]string\{([^}]*)\}\)\s*\n' +
                            r'\s*kubernetes\.PatchNamespace\(t, s\.Client, \1, \3, s\.TimeoutConfig\.GetTimeout\)'),
    "set_label": re.compile(r'kubernetes\.SetPodLabel\(t, s\.Client, "([^"]+)", "([^"]+)", (\w+), "([^"]*)", s\.TimeoutConfig\.GetTimeout\)'),
    "remove_label": re.compile(r'kubernetes\.RemovePodLabel\(t, s\.Client, "([^"]+)", "([^"]+)", (\w+), s\.TimeoutConfig\.GetTimeout\)'),
    "poke": re.compile(r'kubernetes\.PokeServer\(t,\s*s\.ClientSet,\s*&s\.KubeConfig,\s*"([^"]+)",\s*"([^"]+)",\s*"(\w+)",\s*(\w+)\.Status\.PodIP,' +
                       r'\s*int32\((\d+|s\.HostNetworkPorts\[(\d)\])\),\s*s\.TimeoutConfig,\s*(true|false)\)'),
}
# Each statement a pattern must account for, counted in the source.
CALLS = {"poke": "PokeServer(", "patch": "PatchClusterNetworkPolicy(", "delete": "s.Client.Delete(", "ns_labels": "PatchNamespace(",
         "set_label": "SetPodLabel(", "remove_label": "RemovePodLabel("}
CLEANUP = re.compile(r't\.Cleanup\(func\(\)\s*\{')
CONST = re.compile(r'^const (\w+) = "([^"]+)"$', re.M)

def labels_of(go_map):
    pairs = re.findall(r'"([^"]+)":\s*"([^"]*)"', go_map)
    assert re.sub(r'"[^"]+":\s*"[^"]*"|[\s,]', "", go_map) == "", go_map
    return dict(pairs)

def extract():
    paths = sorted(glob.glob(UP + "/tests/*.go"))
    consts = {}
    for path in paths:
        consts.update(CONST.findall(open(path).read()))
    tests = []
    for t in conformance_tests(paths, steps=[], cleanup=[]):
        short, block, subs = t["short"], t.pop("block"), t["subtests"]
        cleanups = [(c.start(), match_brace(block, c.end() - 1)) for c in CLEANUP.finditer(block)]
        events = sorted((g.start(), kind, g) for kind, pat in PATTERNS.items() for g in pat.finditer(block))
        for kind, call in CALLS.items():
            assert block.count(call) == sum(1 for e in events if e[1] == kind), (short, kind)
        assert block.count("mutate :=") == block.count("PatchClusterNetworkPolicy("), short
        pods, cnps, nps, pending = {}, {}, {}, []
        for pos, kind, g in events:
            sub = next((s for s in subs if s["start"] <= pos <= s["end"]), None)
            in_cleanup = any(a <= pos <= b for a, b in cleanups)
            if kind == "get_pod":
                pods[g.group(1)] = (g.group(2), g.group(3))
            elif kind == "get_cnp":
                cnps[g.group(1)] = g.group(2)
            elif kind == "get_np":
                nps[g.group(1)] = (g.group(2), g.group(3))
            elif kind == "swap":
                pending.append(("swap", g.group(1).lower(), int(g.group(2)), int(g.group(3))))
            elif kind == "named":
                pending.append(("named", g.group(2).lower(), int(g.group(3)), g.group(5)))
            elif kind == "priority":
                pending.append(("priority", int(g.group(1))))
            elif kind == "action":
                pending.append(("action", g.group(1).lower(), int(g.group(2)), g.group(3)))
            elif kind == "insert":
                pending.append(("insert", g.group(1), g.group(2), [pods[g.group(3)], pods[g.group(4)]]))
            elif kind == "poke":
                assert sub is not None and not in_cleanup, short
                ns, pod, proto, var, port, index, ok = g.groups()
                p = {"from": (ns, pod), "to": pods[var], "protocol": proto.upper(),
                     "port": HOST_PORTS[int(index)] if index else int(port),
                     "hostPortIndex": int(index) if index else None, "expect": "Allow" if ok == "true" else "Deny"}
                if not sub["steps"] or sub["steps"][-1]["closed"]:
                    sub["steps"].append({"changes": [], "pokes": [], "closed": False})
                sub["steps"][-1]["pokes"].append(p)
            else:  # a change the probes after it see
                assert sub is not None, (short, "change outside a subtest")
                if kind == "patch":
                    assert pending, (short, "patch without a recognised change")
                    change = {"target": ("ClusterNetworkPolicy", "", cnps[g.group(1)]), "ops": pending}
                    pending = []
                elif kind == "delete":
                    change = {"target": ("NetworkPolicy",) + nps[g.group(1)], "ops": [("delete",)]}
                elif kind == "ns_labels":
                    change = {"target": ("Namespace", "", g.group(2)), "ops": [("labels", labels_of(g.group(4)))]}
                elif kind == "set_label":
                    change = {"target": ("Pod", g.group(1), g.group(2)), "ops": [("set_label", consts[g.group(3)], g.group(4))]}
                else:
                    change = {"target": ("Pod", g.group(1), g.group(2)), "ops": [("remove_label", consts[g.group(3)])]}
                if in_cleanup:
                    sub["cleanup"].append(change)
                    continue
                if sub["steps"] and not sub["steps"][-1]["closed"]:
                    sub["steps"][-1]["closed"] = True
                if not sub["steps"] or sub["steps"][-1]["closed"]:
                    sub["steps"].append({"changes": [], "pokes": [], "closed": False})
                sub["steps"][-1]["changes"].append(change)
        assert not pending, (short, pending)
        for s in subs:
            assert s["steps"] and all(st["pokes"] for st in s["steps"]), (short, s["name"], "a step without probes")
        tests.append(t)
    return tests

def extra_op(obj, op):
    """The ops only v0.3.0 has: a named port as a protocol, namespace and pod labels."""
    if op[0] == "named":
        _, gress, k, port = op
        obj["spec"][gress][k]["protocols"] = [{"destinationNamedPort": port}]
        return "%s rule %d protocols := [destinationNamedPort: %s]" % (gress, k, port)
    labels = obj["metadata"]["labels"]
    if op[0] == "labels":
        # A merge patch to exactly these labels; the API server keeps kubernetes.io/metadata.name, as
        # tieracl's loader adds it.
        obj["metadata"]["labels"] = dict(op[1])
        return "labels := {%s}" % ", ".join("%s: %s" % kv for kv in op[1].items())
    if op[0] == "set_label":
        labels[op[1]] = op[2]
        return "label %s := %s" % (op[1], op[2])
    assert op[0] == "remove_label", op
    had = labels.pop(op[1], None) is not None
    return "remove label %s%s" % (op[1], "" if had else " (not set: no change)")

def apply(policies, cluster, change):
    """Applies one upstream change to the policies or the cluster in place; returns its description."""
    return apply_change(cluster if change["target"][0] in ("Namespace", "Pod") else policies, change, extra_op)

def generate(OUT):
    base_cluster = cluster_objects(UP, render)
    write(os.path.join(OUT, "cluster.yaml"), CLUSTER_HEAD.format(v=VERSION, extra=
        "# Upstream's manifests are templates of eight host-network ports; they are rendered with the suite's default\n"
        "# range, 34345-34352 (HostNetworkPorts[0] = 34345 ... [7] = 34352).\n") + dump_all(base_cluster))
    write(os.path.join(OUT, "base", "README.md"), BASE_README.format(v=VERSION, extra=
        "\nSome of them are Go templates of the host-network ports (`{{ index .HostNetworkPorts N }}`), copied as\n"
        "templates; the policy test files that use them carry them inline, rendered with the suite's default ports\n"
        "34345-34352.\n"))
    tests = extract()
    index = {"upstream": "sigs.k8s.io/network-policy-api", "version": VERSION, "tests": []}
    copied = set()
    for t in tests:
        assert len(t["manifests"]) == 1
        rel = t["manifests"][0]
        text, docs = load_docs(UP, rel, render)
        templated = render(text) != text
        if rel not in copied:
            copy_manifest(OUT, UP, VERSION, rel)
            copied.add(rel)
        policies, cluster = copy.deepcopy(docs), copy.deepcopy(base_cluster)
        history = []
        entry = {"shortName": t["short"], "upstreamFile": t["file"], "features": t["features"], "manifests": [rel], "subtests": []}
        for n, sub in enumerate(t["subtests"], 1):
            steps = sub["steps"]
            for k, step in enumerate(steps, 1):
                for change in step["changes"]:
                    history.append("subtest %d%s: %s" % (n, " step %d" % k if len(steps) > 1 else "", apply(policies, cluster, change)))
                fname = "%02d-%s%s.yaml" % (n, slug(sub["name"]), "-step%d" % k if len(steps) > 1 else "")
                relpath = "%s/%s" % (t["short"], fname)
                write(os.path.join(OUT, relpath), test_file(t, sub, k, len(steps), rel, templated, history, policies, docs,
                                                            cluster, base_cluster, step["pokes"]))
                e = {"name": sub["name"], "file": relpath, "probes": len(step["pokes"])}
                if len(steps) > 1:
                    e = {"name": sub["name"], "step": k, "file": relpath, "probes": len(step["pokes"])}
                entry["subtests"].append(e)
            for change in sub["cleanup"]:
                history.append("subtest %d cleanup: %s" % (n, apply(policies, cluster, change)))
        index["tests"].append(entry)
    write_index(OUT, index)

def test_file(t, sub, k, steps, rel, templated, history, policies, docs, cluster, base_cluster, pokes):
    lines = ["# Upstream: sigs.k8s.io/network-policy-api %s %s:%d" % (VERSION, t["file"], sub["line"]),
             "# Test:     %s (features: %s)" % (t["short"], ", ".join(t["features"])),
             "# Subtest:  %s" % sub["name"]]
    if steps > 1:
        lines.append("# Step:     %d of %d (the probes between the subtest's changes)" % (k, steps))
    if history:
        lines.append("# State: %s and the cluster after the test's changes so far, applied in order:" % rel)
        lines += ["#   " + h for h in history]
    else:
        lines.append("# State: %s and the cluster as applied (no changes yet)." % rel)
    if templated:
        lines.append("# The manifest is a template: rendered with the host-network ports 34345-34352.")
    lines.append("# Probes: upstream's PokeServer calls in order; each connects to the server pod's status.podIP,")
    lines.append("# the IPv4 address here. Deny means dropped (agnhost connect times out).")
    lines.append("kind: PolicyTest")
    inline = []
    manifests = []
    if cluster == base_cluster:
        manifests.append("../cluster.yaml")
    else:
        inline += cluster
    if policies == docs and not templated:
        manifests.append("../" + rel)
    else:
        inline += policies
    if manifests:
        lines.append("manifests:")
        lines += ["- " + m for m in manifests]
    if inline:
        lines.append("objects:")
        lines += dump_list(inline)
    lines.append("probes:")
    for p in pokes:
        if p["hostPortIndex"] is not None:
            lines.append("# port: HostNetworkPorts[%d]" % p["hostPortIndex"])
        lines += probe_line(p)
    return "\n".join(lines) + "\n"
