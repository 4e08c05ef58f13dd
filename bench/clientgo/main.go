// Command clientgo-bench syncs a client-go pod informer against a cluster and prints, as one
// JSON line, how long the initial sync took and the heap it left. It is the peer that
// bench/real_apiserver.ts runs next to kubesnap on the same kube-apiserver.
//
//	clientgo-bench -kubeconfig FILE [-content-type protobuf|json] [-drop-managed-fields]
//
// Sync time runs from before the clientset is built to HasSynced (polled every millisecond); heap is
// runtime.MemStats.HeapAlloc after runtime.GC(), once before the informer exists and once
// after it synced.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

type result struct {
	Mode              string  `json:"mode"`
	ContentType       string  `json:"contentType"`
	DropManagedFields bool    `json:"dropManagedFields"`
	Ms                float64 `json:"ms"`
	HeapBaseBytes     uint64  `json:"heapBaseBytes"`
	HeapAllocBytes    uint64  `json:"heapAllocBytes"`
	HeapBytes         int64   `json:"heapBytes"`
	Objects           int     `json:"objects"`
	GoVersion         string  `json:"goVersion"`
	Error             string  `json:"error,omitempty"`
}

func heapAfterGC() uint64 {
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return stats.HeapAlloc
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig file")
	contentType := flag.String("content-type", "protobuf", "protobuf or json")
	drop := flag.Bool("drop-managed-fields", false, "drop metadata.managedFields in a transform")
	timeout := flag.Duration("timeout", 5*time.Minute, "how long to wait for the sync")
	flag.Parse()
	out := result{
		Mode:              "clientgo-" + *contentType,
		DropManagedFields: *drop,
		GoVersion:         runtime.Version(),
	}
	fail := func(err error) {
		out.Error = err.Error()
		_ = json.NewEncoder(os.Stdout).Encode(out)
		os.Exit(1)
	}
	if *kubeconfig == "" {
		fail(fmt.Errorf("-kubeconfig is required"))
	}

	out.HeapBaseBytes = heapAfterGC()
	started := time.Now()
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail(err)
	}
	switch *contentType {
	case "protobuf":
		config.ContentType = "application/vnd.kubernetes.protobuf"
		config.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	case "json":
		config.ContentType = "application/json"
		config.AcceptContentTypes = "application/json"
	default:
		fail(fmt.Errorf("unknown -content-type %q", *contentType))
	}
	out.ContentType = config.ContentType
	// The informer's requests are few; keep the client-side rate limiter out of the figure.
	config.QPS = 1000
	config.Burst = 1000
	clientset, err := kubernetes.NewForConfig(config)
	if err != nil {
		fail(err)
	}
	var options []informers.SharedInformerOption
	if *drop {
		options = append(options, informers.WithTransform(func(obj interface{}) (interface{}, error) {
			if accessor, ok := obj.(metav1.ObjectMetaAccessor); ok {
				accessor.GetObjectMeta().SetManagedFields(nil)
			}
			return obj, nil
		}))
	}
	factory := informers.NewSharedInformerFactoryWithOptions(clientset, 0, options...)
	informer := factory.Core().V1().Pods().Informer()
	stop := make(chan struct{})
	factory.Start(stop)
	// cache.WaitForCacheSync polls HasSynced every 100 ms, which would round the figure up to
	// the next tick; poll every millisecond instead.
	deadline := started.Add(*timeout)
	for !informer.HasSynced() {
		if time.Now().After(deadline) {
			fail(fmt.Errorf("the informer did not sync in %s", *timeout))
		}
		time.Sleep(time.Millisecond)
	}
	out.Ms = float64(time.Since(started).Microseconds()) / 1000
	out.Objects = len(informer.GetStore().ListKeys())
	out.HeapAllocBytes = heapAfterGC()
	out.HeapBytes = int64(out.HeapAllocBytes) - int64(out.HeapBaseBytes)
	runtime.KeepAlive(informer)
	close(stop)
	factory.Shutdown()
	_ = json.NewEncoder(os.Stdout).Encode(out)
}
