// Package site writes the public site as static files that any web server
// or CDN can serve while the application is down. It asks the real HTTP
// handler in-process, as a visitor without a session would, so the copy
// holds exactly the bytes the site gives the public, and it follows links
// from the home page and the sitemap, so a new public page is exported
// without a change here.
package site

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pctracker/pctracker/internal/errs"
)

// Options say where the copy goes and which live site its outward links
// lead to.
type Options struct {
	// Dir is the folder the copy is written to; it must be empty unless
	// Replace is set.
	Dir string
	// Replace empties Dir first: a copy must never keep a page the site
	// no longer shows (an action withdrawn since the last export).
	Replace bool
	// Live is the live site's base URL (config base_url): links to what
	// the copy cannot hold (filtered lists, forms, signing in) lead there.
	Live string
	// Languages are the site's languages, the first one at the root of
	// Dir and each other one under a folder of its name.
	Languages []string
	// Progress, when set, hears about each file written.
	Progress func(Stats)
}

// Stats count what an export wrote.
type Stats struct {
	Pages, Files int   // HTML pages, and every file (pages included)
	Bytes        int64 // bytes written
	// Missing are the links of public pages that answered neither a page
	// nor a file (404...): they lead to the live site in the copy.
	Missing []string
}

// Export writes the public site served by h into opt.Dir.
func Export(ctx context.Context, h http.Handler, opt Options) (Stats, error) {
	if len(opt.Languages) == 0 {
		return Stats{}, errs.E(errs.Invalid, "site: no language to export")
	}
	live, err := url.Parse(strings.TrimRight(opt.Live, "/"))
	if err != nil || live.Scheme == "" || live.Host == "" {
		return Stats{}, errs.Field(errs.Invalid, "base_url", "must be the live site's absolute address, e.g. https://tracker.example.org")
	}
	if err := prepareDir(opt.Dir, opt.Replace); err != nil {
		return Stats{}, err
	}
	staging, err := os.MkdirTemp("", "pctracker-site-")
	if err != nil {
		return Stats{}, errs.Wrap(errs.Internal, err, "site: staging folder")
	}
	defer os.RemoveAll(staging)
	c := newCrawler(h, live, opt.Languages, staging)
	if err := c.crawl(ctx); err != nil {
		return Stats{}, err
	}
	return c.write(opt.Dir, opt.Progress)
}

// prepareDir makes dir ready to hold a copy: it creates it when missing,
// refuses it when it holds anything unless replace is set, and then
// empties it.
func prepareDir(dir string, replace bool) error {
	if dir == "" {
		return errs.Field(errs.Invalid, "dir", "name the folder to write the site to")
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return errs.Wrap(errs.Invalid, err, "create %s", dir)
		}
		return nil
	}
	if err != nil {
		return errs.Wrap(errs.Invalid, err, "read %s", dir)
	}
	if len(entries) == 0 {
		return nil
	}
	if !replace {
		return errs.E(errs.Invalid, "%s is not empty (%d entries); choose an empty folder, or pass --force to replace its contents", dir, len(entries))
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return errs.Wrap(errs.Internal, err, "empty %s", dir)
		}
	}
	return nil
}

// String is the one line a person reads at the end.
func (s Stats) String() string {
	return fmt.Sprintf("%d pages, %d files, %s", s.Pages, s.Files, Size(s.Bytes))
}

// Size writes a byte count as people read it.
func Size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
