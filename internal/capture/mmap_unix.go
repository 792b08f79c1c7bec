//go:build unix

package capture

import (
	"os"
	"syscall"
)

// mapFile maps a regular file read-only. It returns nil when the file
// cannot be mapped (not regular, empty, or the system refuses), in which
// case the caller reads it instead.
func mapFile(f *os.File) (data []byte, unmap func()) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || fi.Size() != int64(int(fi.Size())) {
		return nil, nil
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil
	}
	adviseSequential(data)
	return data, func() { syscall.Munmap(data) }
}
