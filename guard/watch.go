package guard

import (
	"context"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchDebounce lets an editor or a deploy tool finish writing (often several events: a
// truncate, writes, a rename) before the files are read.
const watchDebounce = 300 * time.Millisecond

// watchedFiles are the files a reload reads.
func (s *Server) watchedFiles() []string {
	c := s.state.Load().cfg
	var out []string
	for _, p := range []string{c.Cert, c.Key, c.ClientCA, c.AdvertiseCA, c.Identities, c.ConfigFile} {
		if p != "" && p != "none" {
			abs, err := filepath.Abs(p)
			if err == nil {
				out = append(out, abs)
			}
		}
	}
	return out
}

// Watch reloads when any file of the configuration changes, until ctx ends. It watches the
// directories, not the files: tools that replace a file by renaming a new one over it
// (certificate renewers, Kubernetes secrets, editors) would otherwise end the watch.
func (s *Server) Watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	files := map[string]bool{}
	dirs := map[string]bool{}
	track := func() {
		for _, f := range s.watchedFiles() {
			files[f] = true
			if d := filepath.Dir(f); !dirs[d] {
				if err := w.Add(d); err != nil {
					s.log.Warn("cannot watch a directory for changes; SIGHUP still reloads", "dir", d, "error", err.Error())
					continue
				}
				dirs[d] = true
			}
		}
	}
	track()
	var timer *time.Timer
	var fire <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if !files[filepath.Clean(ev.Name)] || ev.Op == fsnotify.Chmod {
				continue
			}
			if timer == nil {
				timer = time.NewTimer(watchDebounce)
			} else {
				timer.Reset(watchDebounce)
			}
			fire = timer.C
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			s.log.Warn("file watch error", "error", err.Error())
		case <-fire:
			fire = nil
			s.log.Info("a configuration file changed; reloading")
			if s.Reload() == nil {
				track()
			}
		}
	}
}
