package web_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/web"
)

// No template, catalogue or asset ships with the markers a merge leaves
// in a file it could not join: Go and YAML would refuse them, but a
// template renders them as text.
func TestNoMergeMarkers(t *testing.T) {
	checked := 0
	for _, fsys := range []fs.FS{web.Templates(), web.I18n(), web.Static()} {
		err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(fsys, path)
			if err != nil {
				return err
			}
			for i, line := range strings.Split(string(data), "\n") {
				if strings.HasPrefix(line, "<<<<<<< ") || strings.HasPrefix(line, ">>>>>>> ") {
					t.Errorf("%s:%d: a merge marker: %q", path, i+1, line)
				}
			}
			checked++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 40 {
		t.Fatalf("only %d files read", checked)
	}
}
