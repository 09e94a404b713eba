"""Write test/conformance from the upstream suite: cluster, copied manifests, one policy test per subtest, index.

Usage (from the repository root): python3 test/conformance/transcribe/generate.py test/conformance
Needs PyYAML and the upstream module in the Go module cache:
  (cd /tmp && go mod download sigs.k8s.io/network-policy-api@v0.1.7)   # outside the repo: go.mod/go.sum untouched
"""
import copy, os, re, sys
import yaml
sys.path.insert(0, os.path.dirname(__file__))
from extract import UP, extract

OUT = sys.argv[1]
VERSION = "v0.1.7"

NODES = {"kind-worker": ("172.18.0.2", "fc00:f853:ccd:e793::2", 1), "kind-worker2": ("172.18.0.3", "fc00:f853:ccd:e793::3", 2)}
HOUSES = [  # namespace suffix, statefulset, host octet
    ("gryffindor", "harry-potter", 11), ("slytherin", "draco-malfoy", 12),
    ("hufflepuff", "cedric-diggory", 13), ("ravenclaw", "luna-lovegood", 14),
    ("forbidden-forrest", "centaur", None),
]
NODE_OF = {0: "kind-worker", 1: "kind-worker2"}

def pod_ips(ns_suffix, sts, idx):
    node = NODE_OF[idx]
    v4, v6, subnet = NODES[node]
    host = dict((s, h) for _, s, h in HOUSES)[sts]
    if host is None:
        return v4, v6
    return "10.244.%d.%d" % (subnet, host), "fd00:10:244:%d::%d" % (subnet, host)

def ns_name(s):
    return "network-policy-conformance-" + s

def load_docs(rel):
    text = open(os.path.join(UP, rel)).read()
    return text, [d for d in yaml.safe_load_all(text) if d]

ATTRIBUTION = """# Copied unchanged from sigs.k8s.io/network-policy-api {v} conformance/{rel}
# Copyright The Kubernetes Authors. Licensed under the Apache License, Version 2.0:
# http://www.apache.org/licenses/LICENSE-2.0 (see test/conformance/base/README.md).
"""

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

def cluster_yaml():
    text, docs = load_docs("base/manifests.yaml")
    out = ["""# The cluster of sigs.k8s.io/network-policy-api {v} conformance/base/manifests.yaml as it runs: its
# Namespaces (labels as upstream), the Pods its StatefulSets create (<statefulset>-0 and -1, the
# template's labels, containers and ports), and two Nodes. Pods -0 run on kind-worker, -1 on kind-worker2;
# addresses are dual-stack, IPv4 first as in an IPv4-primary cluster (upstream probes status.podIP).
# centaur-* are host-network pods: their addresses are their node's.
# Derived from upstream manifests: Copyright The Kubernetes Authors, Apache License 2.0.
""".format(v=VERSION)]
    objs = []
    for d in docs:
        if d["kind"] == "Namespace":
            objs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": d["metadata"]})
    for node, (v4, v6, subnet) in NODES.items():
        objs.append({"apiVersion": "v1", "kind": "Node",
                     "metadata": {"name": node, "labels": {"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": node, "kubernetes.io/os": "linux"}},
                     "spec": {"podCIDR": "10.244.%d.0/24" % subnet, "podCIDRs": ["10.244.%d.0/24" % subnet, "fd00:10:244:%d::/64" % subnet]},
                     "status": {"addresses": [{"type": "InternalIP", "address": v4}, {"type": "InternalIP", "address": v6}, {"type": "Hostname", "address": node}]}})
    for d in docs:
        if d["kind"] != "StatefulSet":
            continue
        ns, sts = d["metadata"]["namespace"], d["metadata"]["name"]
        tmpl = d["spec"]["template"]
        for idx in range(d["spec"]["replicas"]):
            name = "%s-%d" % (sts, idx)
            v4, v6 = pod_ips(ns, sts, idx)
            node = NODE_OF[idx]
            labels = dict(tmpl["metadata"]["labels"])
            labels["apps.kubernetes.io/pod-index"] = str(idx)
            labels["statefulset.kubernetes.io/pod-name"] = name
            containers = []
            for c in tmpl["spec"]["containers"]:
                cc = {"name": c["name"], "image": c["image"]}
                if "ports" in c:
                    cc["ports"] = c["ports"]
                containers.append(cc)
            spec = {"nodeName": node}
            if tmpl["spec"].get("hostNetwork"):
                spec["hostNetwork"] = True
            spec["containers"] = containers
            hv4, hv6, _ = NODES[node]
            objs.append({"apiVersion": "v1", "kind": "Pod",
                         "metadata": {"name": name, "namespace": ns, "labels": labels},
                         "spec": spec,
                         "status": {"phase": "Running", "hostIP": hv4, "hostIPs": [{"ip": hv4}, {"ip": hv6}],
                                    "podIP": v4, "podIPs": [{"ip": v4}, {"ip": v6}]}})
    return out[0] + "---\n".join(yaml.safe_dump(o, sort_keys=False) for o in objs)

def slug(name):
    s = re.sub(r"^should ", "", name.lower())
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")

def find(objs, target):
    kind, ns, name = target
    for i, o in enumerate(objs):
        if o["kind"] == kind and o["metadata"]["name"] == name and o["metadata"].get("namespace", "") == ns:
            return i
    raise KeyError(target)

def apply(objs, change):
    """Applies one upstream Patch or Delete to objs in place; returns its description."""
    kind, ns, name = change["target"]
    who = "%s %s" % (kind, (ns + "/" if ns else "") + name)
    descs = []
    i = find(objs, change["target"])
    spec = objs[i].get("spec")
    for op in change["ops"]:
        if op[0] == "swap":
            _, gress, a, b = op
            spec[gress][a], spec[gress][b] = spec[gress][b], spec[gress][a]
            descs.append("swap %s rules %d and %d" % (gress, a, b))
        elif op[0] == "named":
            _, gress, k, port = op
            spec[gress][k]["ports"] = [{"namedPort": port}]
            descs.append("%s rule %d ports := [namedPort: %s]" % (gress, k, port))
        elif op[0] == "priority":
            spec["priority"] = op[1]
            descs.append("spec.priority := %d" % op[1])
        elif op[0] == "action":
            _, gress, k, action = op
            spec[gress][k]["action"] = action
            descs.append("%s rule %d action := %s" % (gress, k, action))
        elif op[0] == "insert":
            _, rname, action, pods = op
            nets = ["%s/32" % pod_ips(pns, re.sub(r"-\d+$", "", p), int(p.rsplit("-", 1)[1]))[0] for pns, p in pods]
            spec["egress"].insert(0, {"name": rname, "action": action, "to": [{"networks": nets}]})
            descs.append("insert egress rule 0 %r (%s to networks %s: the /32 of %s)" % (
                rname, action, ", ".join(nets), " and ".join(p for _, p in pods)))
        elif op[0] == "delete":
            del objs[i]
            descs.append("delete it")
    return "%s: %s" % (who, "; ".join(descs))

def endpoint(pod_ref):
    ns, pod = pod_ref
    sts, idx = pod.rsplit("-", 1)
    if sts == "centaur":
        v4, _ = pod_ips(ns, sts, int(idx))
        return v4, "%s/%s: host network, the address of node %s" % (ns, pod, NODE_OF[int(idx)])
    return "%s/%s" % (ns, pod), None

def main():
    write(os.path.join(OUT, "cluster.yaml"), cluster_yaml())
    tests = extract()
    index = {"upstream": "sigs.k8s.io/network-policy-api", "version": VERSION, "tests": []}
    copied = set()
    for t in tests:
        assert len(t["manifests"]) == 1
        rel = t["manifests"][0]
        text, docs = load_docs(rel)
        if rel not in copied:
            write(os.path.join(OUT, rel), ATTRIBUTION.format(v=VERSION, rel=rel) + text)
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
                dumped = yaml.safe_dump(objs, sort_keys=False, default_flow_style=False)
                lines += dumped.rstrip("\n").split("\n")
            lines.append("probes:")
            for p in sub["pokes"]:
                src, _ = endpoint(p["from"])
                dst, note = endpoint(p["to"])
                if note:
                    lines.append("# to %s" % note)
                lines.append("- {from: %s, to: %s, protocol: %s, port: %d, expect: %s}" % (src, dst, p["protocol"], p["port"], p["expect"]))
            write(os.path.join(OUT, relpath), "\n".join(lines) + "\n")
            entry["subtests"].append({"name": sub["name"], "file": relpath, "probes": len(sub["pokes"])})
        index["tests"].append(entry)
    write(os.path.join(OUT, "tests.yaml"), "# The upstream tests these files transcribe; generated with them, read by the runner.\n" +
          yaml.safe_dump(index, sort_keys=False, width=200))

main()
