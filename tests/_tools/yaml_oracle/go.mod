module kubesnap.test/yaml-oracle

go 1.22

// The versions kube-apiserver and kubectl v1.37.2 build with (see tests/real_apiserver/versions.env).
require sigs.k8s.io/yaml v1.6.0

require go.yaml.in/yaml/v2 v2.4.4 // indirect
