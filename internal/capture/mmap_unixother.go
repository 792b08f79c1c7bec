//go:build unix && !linux

package capture

func adviseSequential([]byte) {}

const pageSize = 64 << 10

func releasePages([]byte) {}
