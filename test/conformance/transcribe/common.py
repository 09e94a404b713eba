"""What both suites' transcriptions share: reading upstream's Go and YAML, the cluster, names and paths."""
import copy, os, re
import yaml

MODCACHE = os.path.join(os.environ.get("GOMODCACHE") or os.path.expanduser("~/go/pkg/mod"), "sigs.k8s.io")

def upstream(version):
    """The suite's folder in the Go module cache."""
    return os.path.join(MODCACHE, "network-policy-api@" + version, "conformance")

NODES = {"kind-worker": ("172.18.0.2", "fc00:f853:ccd:e793::2", 1), "kind-worker2": ("172.18.0.3", "fc00:f853:ccd:e793::3", 2)}
HOUSES = [  # namespace suffix, statefulset, host octet
    ("gryffindor", "harry-potter", 11), ("slytherin", "draco-malfoy", 12),
    ("hufflepuff", "cedric-diggory", 13), ("ravenclaw", "luna-lovegood", 14),
    ("forbidden-forrest", "centaur", None),
]
NODE_OF = {0: "kind-worker", 1: "kind-worker2"}

def match_brace(src, open_idx):
    """The index of the brace closing the one at open_idx, skipping comments and strings."""
    depth = 0
    i = open_idx
    while i < len(src):
        c = src[i]
        if src.startswith('//', i):
            i = src.index('\n', i)
            continue
        if src.startswith('/*', i):
            i = src.index('*/', i) + 2
            continue
        if c == '"':
            j = i + 1
            while src[j] != '"':
                j += 2 if src[j] == '\\' else 1
            i = j + 1
            continue
        if c == '{':
            depth += 1
        elif c == '}':
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise ValueError("unbalanced")

def pod_ips(sts, idx):
    node = NODE_OF[idx]
    v4, v6, subnet = NODES[node]
    host = dict((s, h) for _, s, h in HOUSES)[sts]
    if host is None:
        return v4, v6
    return "10.244.%d.%d" % (subnet, host), "fd00:10:244:%d::%d" % (subnet, host)

def pod_ipv4(pod):
    sts, idx = pod.rsplit("-", 1)
    return pod_ips(sts, int(idx))[0]

def load_docs(up, rel, render=None):
    """The manifest's text as upstream ships it and its documents, rendered by render (a function on text) first."""
    text = open(os.path.join(up, rel)).read()
    body = render(text) if render else text
    return text, [d for d in yaml.safe_load_all(body) if d]

ATTRIBUTION = """# Copied unchanged from sigs.k8s.io/network-policy-api {v} conformance/{rel}
# Copyright The Kubernetes Authors. Licensed under the Apache License, Version 2.0:
# http://www.apache.org/licenses/LICENSE-2.0 (see test/conformance/{v}/base/README.md).
"""

BASE_README = """# Upstream manifests

The YAML files below this folder are copied unchanged, apart from a three-line header naming their
source, from the conformance suite of
[sigs.k8s.io/network-policy-api](https://github.com/kubernetes-sigs/network-policy-api) {v},
folder `conformance/base/` (same relative paths).
{extra}
They are Copyright The Kubernetes Authors and licensed under the Apache License, Version 2.0
(http://www.apache.org/licenses/LICENSE-2.0); tieracl redistributes them under that license.
`../cluster.yaml` is derived from upstream's `conformance/base/manifests.yaml` (the StatefulSets
written out as the Pods they create), and the policy test files' inline `objects:` are these
manifests with the changes upstream's tests make, so the same attribution applies to them.
"""

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

def copy_manifest(out, up, version, rel):
    text = open(os.path.join(up, rel)).read()
    write(os.path.join(out, rel), ATTRIBUTION.format(v=version, rel=rel) + text)

def cluster_objects(up, render=None):
    """Namespaces, Nodes and the Pods of upstream's base/manifests.yaml as they run."""
    _, docs = load_docs(up, "base/manifests.yaml", render)
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
            v4, v6 = pod_ips(sts, idx)
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
    return objs

CLUSTER_HEAD = """# The cluster of sigs.k8s.io/network-policy-api {v} conformance/base/manifests.yaml as it runs: its
# Namespaces (labels as upstream), the Pods its StatefulSets create (<statefulset>-0 and -1, the
# template's labels, containers and ports), and two Nodes. Pods -0 run on kind-worker, -1 on kind-worker2;
# addresses are dual-stack, IPv4 first as in an IPv4-primary cluster (upstream probes status.podIP).
# centaur-* are host-network pods: their addresses are their node's.
{extra}# Derived from upstream manifests: Copyright The Kubernetes Authors, Apache License 2.0.
"""

def dump_all(objs):
    return "---\n".join(yaml.safe_dump(o, sort_keys=False) for o in objs)

def dump_list(objs):
    return yaml.safe_dump(objs, sort_keys=False, default_flow_style=False).rstrip("\n").split("\n")

def slug(name):
    s = re.sub(r"^should ", "", name.lower())
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")

def find(objs, target):
    kind, ns, name = target
    for i, o in enumerate(objs):
        if o["kind"] == kind and o["metadata"]["name"] == name and o["metadata"].get("namespace", "") == ns:
            return i
    raise KeyError(target)

def endpoint(pod_ref):
    """A probe's end as a policy test names it, and a note when it is a host-network pod's node address."""
    ns, pod = pod_ref
    sts, idx = pod.rsplit("-", 1)
    if sts == "centaur":
        v4, _ = pod_ips(sts, int(idx))
        return v4, "%s/%s: host network, the address of node %s" % (ns, pod, NODE_OF[int(idx)])
    return "%s/%s" % (ns, pod), None

def probe_line(p):
    src, _ = endpoint(p["from"])
    dst, note = endpoint(p["to"])
    lines = ["# to %s" % note] if note else []
    lines.append("- {from: %s, to: %s, protocol: %s, port: %d, expect: %s}" % (src, dst, p["protocol"], p["port"], p["expect"]))
    return lines

def write_index(out, index):
    write(os.path.join(out, "tests.yaml"), "# The upstream tests these files transcribe; generated with them, read by the runner.\n" +
          yaml.safe_dump(index, sort_keys=False, width=200))

def apply_change(objs, change, extra):
    """Applies one upstream change to the object of objs it targets, in place; returns its description.
    extra(obj, op) applies and describes the ops of one release only."""
    kind, ns, name = change["target"]
    who = "%s %s" % (kind, (ns + "/" if ns else "") + name)
    descs = []
    i = find(objs, change["target"])
    obj = objs[i]
    spec = obj.get("spec")
    for op in change["ops"]:
        if op[0] == "swap":
            _, gress, a, b = op
            spec[gress][a], spec[gress][b] = spec[gress][b], spec[gress][a]
            descs.append("swap %s rules %d and %d" % (gress, a, b))
        elif op[0] == "priority":
            spec["priority"] = op[1]
            descs.append("spec.priority := %d" % op[1])
        elif op[0] == "action":
            _, gress, k, action = op
            spec[gress][k]["action"] = action
            descs.append("%s rule %d action := %s" % (gress, k, action))
        elif op[0] == "insert":
            _, rname, action, pods = op
            nets = ["%s/32" % pod_ipv4(p) for _, p in pods]
            spec["egress"].insert(0, {"name": rname, "action": action, "to": [{"networks": nets}]})
            descs.append("insert egress rule 0 %r (%s to networks %s: the /32 of %s)" % (
                rname, action, ", ".join(nets), " and ".join(p for _, p in pods)))
        elif op[0] == "delete":
            del objs[i]
            descs.append("delete it")
        else:
            descs.append(extra(obj, op))
    return "%s: %s" % (who, "; ".join(descs))

RUN = re.compile(r't\.Run\("([^"]+)",\s*func\(t \*testing\.T\)\s*\{')

def conformance_tests(paths, **fields):
    """Each suite.ConformanceTest of the Go files, in source order: its ShortName, features, manifests,
    source block and first line, and its t.Run subtests (name, span in the block, line), each with fields."""
    for path in paths:
        src = open(path).read()
        for m in re.finditer(r'var (\w+) = suite\.ConformanceTest\{', src):
            end = match_brace(src, m.end() - 1)
            block = src[m.start():end + 1]
            line0 = src[:m.start()].count("\n") + 1
            short = re.search(r'ShortName:\s*"(\w+)"', block).group(1)
            feats = re.findall(r'suite\.Support(\w+)', re.search(r'Features:\s*\[\]suite\.SupportedFeature\{(.*?)\}', block, re.S).group(1))
            manifests = re.findall(r'"([^"]+\.yaml)"', re.search(r'Manifests:\s*\[\]string\{(.*?)\}', block, re.S).group(1))
            subs = []
            for r in RUN.finditer(block):
                sub = {"name": r.group(1), "start": r.start(), "end": match_brace(block, r.end() - 1),
                       "line": line0 + block[:r.start()].count("\n")}
                sub.update({k: copy.deepcopy(v) for k, v in fields.items()})
                subs.append(sub)
            yield {"short": short, "file": "conformance/tests/" + os.path.basename(path), "line": line0,
                   "features": feats, "manifests": manifests, "subtests": subs, "block": block}
