package main

import (
	_ "github.com/ovn-kubernetes/libovsdb/model"
	_ "k8s.io/api/core/v1"
	_ "k8s.io/apimachinery/pkg/apis/meta/v1"
	_ "k8s.io/client-go/kubernetes"
	_ "k8s.io/klog/v2"
	_ "sigs.k8s.io/network-policy-api/apis/v1alpha1"
	_ "sigs.k8s.io/yaml"
)

func main() {}
