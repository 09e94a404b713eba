#!/usr/bin/env bash
# Runs the upstream network-policy-api conformance suite, unchanged, against tieracl in a kind cluster
# with OVN-Kubernetes as the CNI, through the same harness as `make conformance-upstream`
# (test/upstream/run.sh). Needs Docker, kind, kubectl, git, go, python3 with jinjanator, jq.
# It cannot run on the project's own machines (no Docker engine there); see README.md.
#
#   test/kind/run.sh            # create the cluster, deploy dist/, run conformance, keep the cluster
#   test/kind/run.sh delete     # delete the cluster
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cluster=${KIND_CLUSTER_NAME:-tieracl}
cache=${TIERACL_CACHE:-$HOME/.cache/tieracl}/kind
ovnk_ref=${OVNK_REF:-release-1.1}        # OVN-Kubernetes branch or tag with contrib/kind.sh
suite=${NPAPI_SUITE:-v0.1.7}             # the upstream suite: v0.1.7 (ANP/BANP) or v0.3.0 (CNP)
reports=${KIND_REPORTS:-$cache/reports}  # where the suite's report and the verdict go
image=tieracl/tieracl-controller:kind

for tool in docker kind kubectl git go jq; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required" >&2; exit 1; }
done
docker info >/dev/null 2>&1 || { echo "run.sh: no Docker engine answers (docker info failed)" >&2; exit 1; }

if [[ ${1:-} == delete ]]; then
  kind delete cluster --name "$cluster"
  exit 0
fi

mkdir -p "$cache"
fetch() { # repo ref dir
  if [[ ! -d $3/.git ]]; then git clone --depth 1 --branch "$2" "$1" "$3"; fi
}
fetch https://github.com/ovn-kubernetes/ovn-kubernetes.git "$ovnk_ref" "$cache/ovn-kubernetes"

# 1. A kind cluster with OVN-Kubernetes in the central (one Northbound database) architecture: tieracl is
# a central controller and writes one NB. OVN-Kubernetes' own ANP controller stays off (its default,
# OVN_ADMIN_NETWORK_POLICY_ENABLE=false), so tieracl is the only writer of ANP ACLs.
if ! kind get clusters | grep -qx "$cluster"; then
  (cd "$cache/ovn-kubernetes/contrib" && ./kind.sh --cluster-name "$cluster" --enable-central)
fi
export KUBECONFIG=${KUBECONFIG:-$HOME/$cluster.conf}
[[ -f $KUBECONFIG ]] || kind get kubeconfig --name "$cluster" >"$KUBECONFIG"

# 2. The image, from the same Dockerfile an operator uses.
docker build -f "$repo/dist/Dockerfile" -t "$image" "$repo"
kind load docker-image "$image" --name "$cluster"

# 3. dist/, with the NB address of OVN-Kubernetes' database service (plain tcp in kind).
nb_ip=$(kubectl -n ovn-kubernetes get service ovnkube-db -o jsonpath='{.spec.clusterIP}')
kubectl create namespace tieracl --dry-run=client -o yaml | kubectl apply -f -
kubectl -n tieracl create secret generic tieracl-nb --from-literal=address="tcp:$nb_ip:6641" \
  --dry-run=client -o yaml | kubectl apply -f -
overlay=$(mktemp -d)
trap 'rm -rf "$overlay"' EXIT
cat >"$overlay/kustomization.yaml" <<YAML
resources: [$repo/dist]
images: [{name: tieracl/tieracl-controller, newName: tieracl/tieracl-controller, newTag: kind}]
YAML
kubectl apply -k "$overlay"
kubectl -n tieracl rollout status deployment/tieracl-controller --timeout=5m

# 4. The upstream suite, unchanged, through the harness the local cluster uses: same features, same
# SCTP tests skipped by name, same options, same verdict.
"$repo/test/upstream/run.sh" "$suite" "$reports"
