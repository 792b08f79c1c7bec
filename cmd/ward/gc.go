package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// GC tuning for analysis: the heap may grow to four times what is live
// between collections (GOGC 300), within a soft limit that keeps the
// process small, gcFloor. A large inventory can hold more than that live;
// a fixed limit would then have the collector run without pause. So the
// limit follows the live heap: after each collection it is set to
// gcHeadroom times what survived, and never below gcFloor. GOGC and
// GOMEMLIMIT, when set, win.
const (
	gcPercent  = 300
	gcFloor    = 160 << 20
	gcHeadroom = 1.5
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(gcFloor)
		followLiveHeap()
	}
}

// followLiveHeap arms a finalizer that runs after every collection and
// moves the memory limit with the live heap.
func followLiveHeap() {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var rearm func(*gcSentinel)
	rearm = func(s *gcSentinel) {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live := sample[0].Value.Uint64()
			debug.SetMemoryLimit(max(gcFloor, int64(float64(live)*gcHeadroom)))
		}
		runtime.SetFinalizer(&gcSentinel{}, rearm)
	}
	runtime.SetFinalizer(&gcSentinel{}, rearm)
}

// gcSentinel is garbage as soon as it is made; its finalizer marks the end
// of a collection.
type gcSentinel struct{ _ [16]byte }
