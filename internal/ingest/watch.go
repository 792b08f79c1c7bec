package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"time"

	"github.com/wardhq/ward/internal/advisory"
)

// WatchFeeds imports the feeds in dir, then again whenever a file in it
// is added, changed or removed, until ctx ends. It looks every interval
// (by names, sizes and modification times: no inotify needed, and it
// works on network shares), and waits for a change to settle for one
// more interval before importing, so that a feed being copied in is read
// whole. report is called after each import.
func (s *Service) WatchFeeds(ctx context.Context, dir string, every time.Duration,
	opts advisory.LoadOptions, actor string, report func(FeedsResult, error)) error {
	if every <= 0 {
		every = time.Minute
	}
	last, err := folderState(dir)
	if err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	report(s.ImportFeeds(ctx, dir, opts, actor))
	t := time.NewTicker(every)
	defer t.Stop()
	pending := ""
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		now, err := folderState(dir)
		if err != nil {
			s.log().Warn("feeds folder unreadable", "dir", dir, "err", err)
			continue
		}
		switch {
		case now == last:
			pending = ""
		case now != pending:
			pending = now // changed: wait one more look for it to settle
		default:
			last, pending = now, ""
			report(s.ImportFeeds(ctx, dir, opts, actor))
		}
	}
}

// folderState is a digest of the names, sizes and modification times of
// the files under dir.
func folderState(dir string) (string, error) {
	var lines []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			lines = append(lines, fmt.Sprintf("%s\x00%d\x00%d", path, info.Size(),
				info.ModTime().UnixNano()))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	slices.Sort(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
