//go:build tools

// The programs build/tools/kube-plane-build.sh builds: this file pins them in go.mod and go.sum
// (it is never compiled). k8s.io/kubernetes requires its staging modules at v0.0.0 with local
// replaces that a dependent module ignores; go.mod replaces each with its published v0.N.M.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
