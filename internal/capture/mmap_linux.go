package capture

import "syscall"

// adviseSequential tells the kernel the mapping will be read once, front
// to back, so that it reads ahead.
func adviseSequential(data []byte) { syscall.Madvise(data, syscall.MADV_SEQUENTIAL) }

// pageSize is a multiple of the page size; release boundaries align to it.
const pageSize = 64 << 10

// releasePages drops the process's mapping of pages already read; the
// kernel keeps them in its page cache.
func releasePages(b []byte) {
	if len(b) > 0 {
		syscall.Madvise(b, syscall.MADV_DONTNEED)
	}
}
