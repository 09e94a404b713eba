"""Extract ConformanceTests, subtests, mutations and probes from upstream tests/*.go, in source order.

The upstream tests are regular: t.Run blocks that Get pods and policies, mutate the policy (swap rules,
set a named port, a priority or an action, insert a CIDR rule, delete a NetworkPolicy), Patch or Delete,
then PokeServer. Each pattern below matches one of those; the asserts fail loudly on anything else.
"""
import glob, os, re

UP = "/root/go/pkg/mod/sigs.k8s.io/network-policy-api@v0.1.7/conformance"

def match_brace(src, open_idx):
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
RUN = re.compile(r't\.Run\("([^"]+)",\s*func\(t \*testing\.T\)\s*\{')

def extract():
    tests = []
    for path in sorted(glob.glob(UP + "/tests/*.go")):
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
                subs.append({"name": r.group(1), "start": r.start(), "end": match_brace(block, r.end() - 1),
                             "line": line0 + block[:r.start()].count("\n"), "ops": [], "pokes": []})
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
            tests.append({"short": short, "file": "conformance/tests/" + os.path.basename(path), "line": line0,
                          "features": feats, "manifests": manifests, "subtests": subs})
    return tests

if __name__ == "__main__":
    for t in extract():
        print(t["short"], t["file"], t["features"], t["manifests"])
        for i, s in enumerate(t["subtests"]):
            print("   ", i + 1, s["name"], "pokes=%d" % len(s["pokes"]), s["ops"])
