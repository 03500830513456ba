package ui_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// vnuJar finds the W3C's HTML checker: PCT_VNU, or where .ci/run installs
// it; "" when it is in neither.
func vnuJar() string {
	for _, p := range []string{os.Getenv("PCT_VNU"), "/tmp/pct-tools/node_modules/vnu-jar/build/dist/vnu.jar"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	return ""
}

// The embeds, and the pages whose head carries a figure's share card,
// are valid HTML for the W3C's checker (vnu), in both languages. Away from
// CI a machine without vnu or Java skips; under CI their absence fails.
func TestEmbedsAndShareTagsPassVNU(t *testing.T) {
	jar, java := vnuJar(), ""
	if p, err := exec.LookPath("java"); err == nil {
		java = p
	}
	if jar == "" || java == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("vnu or Java is missing: .ci/run installs them")
		}
		t.Skip("no vnu here (npm install --prefix /tmp/pct-tools vnu-jar, and Java)")
	}
	db := testutil.NewDB(t, "sqlite")
	sc := apptest.NewScenario(t, db)
	apptest.AcceptIn(t, sc, sc.Org.ID, 2026, func(in *action.Input) { in.Recommendations = []int{2, 3} })
	dir := t.TempDir()
	var files []string
	for _, p := range []string{"/embed/dashboard", "/embed/dashboard?cycle=2025", "/embed/recommendations/2", "/embed/recommendations/9",
		fmt.Sprintf("/embed/organisations/%d", sc.Org.ID), "/", "/recommendations/2", fmt.Sprintf("/organisations/%d", sc.Org.ID), "/about"} {
		for _, lang := range []string{"en", "fr"} {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			r := apptest.Get(t, nil, sc.TS+p+sep+"lang="+lang)
			if r.Status != http.StatusOK {
				t.Fatalf("%s: %d", p, r.Status)
			}
			f := filepath.Join(dir, fmt.Sprintf("%02d-%s.html", len(files), lang))
			testutil.Must(t, os.WriteFile(f, []byte(r.Body), 0o644))
			files = append(files, f)
		}
	}
	var out bytes.Buffer
	cmd := exec.Command(java, append([]string{"-jar", jar, "--errors-only"}, files...)...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil || out.Len() > 0 {
		t.Errorf("vnu: %v\n%s", err, out.String())
	}
}
