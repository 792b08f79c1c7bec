//go:build !unix

package capture

import "os"

// mapFile is not supported here: files are read through a buffer.
func mapFile(*os.File) ([]byte, func()) { return nil, nil }

const pageSize = 64 << 10

func releasePages([]byte) {}
