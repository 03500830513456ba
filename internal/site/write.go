package site

import (
	"os"
	"path/filepath"
	"sort"

	"github.com/pctracker/pctracker/internal/errs"
)

// write puts every staged body in its place under dir, pages with their
// links rewritten, in a stable order, telling progress after each file.
func (c *crawler) write(dir string, progress func(Stats)) (Stats, error) {
	files := map[string]target{}
	for t, f := range c.seen {
		if f == nil || f.staged == "" {
			continue
		}
		name := c.fileOf(t)
		if prev, ok := files[name]; !ok || c.seen[prev].staged > f.staged {
			files[name] = t // the same file in two languages: written once
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	st := Stats{Missing: c.missing}
	for _, name := range names {
		t := files[name]
		f := c.seen[t]
		body, err := os.ReadFile(f.staged)
		if err != nil {
			return st, errs.Wrap(errs.Internal, err, "site: staged %s", t.path)
		}
		if f.html {
			body = c.rewrite(body, t, name)
			st.Pages++
		}
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return st, errs.Wrap(errs.Internal, err, "site: folder of %s", name)
		}
		if err := os.WriteFile(full, body, 0o644); err != nil {
			return st, errs.Wrap(errs.Internal, err, "site: write %s", name)
		}
		st.Files++
		st.Bytes += int64(len(body))
		if progress != nil {
			progress(st)
		}
	}
	return st, nil
}
