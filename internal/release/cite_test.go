package release_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/pctracker/pctracker/internal/release"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/testutil"
	"github.com/pctracker/pctracker/internal/user"
)

// xsdValid validates an XML document against the vendored DataCite kernel
// 4.5 XSD with xmllint (Debian's libxml2-utils), offline.
func xsdValid(t *testing.T, name string, body []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint is needed: apt-get install libxml2-utils")
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", "testdata/datacite-4.5/metadata.xsd", path).CombinedOutput()
	if err != nil {
		t.Errorf("%s does not validate against DataCite 4.5: %v\n%s", name, err, out)
	}
}

// cffValid reads CITATION.cff as YAML and validates it against the
// CITATION.cff 1.2.0 JSON schema.
func cffValid(t *testing.T, s *jsonschema.Schema, body []byte) map[string]any {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("CITATION.cff: %v", err)
	}
	// Through JSON, as the schema reads it: a YAML date read as a time
	// would stay one and be refused, which is what a CFF reader sees too.
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	validJSON(t, s, "CITATION.cff", b)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// Issue 20: every release carries CITATION.cff, BibTeX, RIS, CSL-JSON and
// DataCite metadata that validate against their schemas; a correction
// says which release it is a new version of.
func TestReleaseCitations(t *testing.T) {
	cffSchema := schema(t, "cff/schema.json")
	testutil.ForEachDB(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, release.Options{DOIPrefix: "10.12345", Publisher: "Paris Call secretariat"})
		ctx := context.Background()
		rep, _ := f.published(t, f.Cycle(t, 2026))
		f.Clock.Add(24 * time.Hour)
		if _, err := f.Releases.Correct(ctx, testutil.System, rep.ID, release.CorrectionInput{Changelog: "A stage corrected."}); err != nil {
			t.Fatal(err)
		}
		for _, version := range []string{"2026.1", "2026.2"} {
			_, body, err := f.Releases.Zip(ctx, user.Actor{}, version)
			if err != nil {
				t.Fatal(err)
			}
			files, _ := unzip(t, body)
			xsdValid(t, "datacite-"+version+".xml", files["datacite.xml"])
			dc := string(files["datacite.xml"])
			for _, want := range []string{`<identifier identifierType="DOI">10.12345/paris-call-data-` + version + `</identifier>`,
				`<version>` + version + `</version>`, `<creatorName nameType="Organizational">Paris Call secretariat</creatorName>`,
				`contributorType="DataCollector"`, `resourceTypeGeneral="Dataset"`, `rightsIdentifier="cc-by-4.0"`} {
				if !strings.Contains(dc, want) {
					t.Errorf("%s datacite.xml has no %s:\n%s", version, want, dc)
				}
			}
			isNew := strings.Contains(dc, `relationType="IsNewVersionOf">http://pct.test/releases/2026.1<`)
			if isNew != (version == "2026.2") {
				t.Errorf("%s: IsNewVersionOf 2026.1: %t", version, isNew)
			}
			cff := cffValid(t, cffSchema, files["CITATION.cff"])
			if cff["version"] != version || cff["type"] != "dataset" || cff["license"] != "CC-BY-4.0" {
				t.Errorf("CITATION.cff: %v", cff)
			}
			bib := string(files["citation.bib"])
			if !strings.HasPrefix(bib, "@dataset{pariscall_data_"+strings.ReplaceAll(version, ".", "_")+",") ||
				!strings.Contains(bib, "version   = {"+version+"}") || !strings.Contains(bib, "author    = {{Paris Call secretariat}}") ||
				strings.Count(bib, "{") != strings.Count(bib, "}") {
				t.Errorf("citation.bib:\n%s", bib)
			}
			ris := string(files["citation.ris"])
			if !strings.HasPrefix(ris, "TY  - DATA\r\n") || !strings.Contains(ris, "ET  - "+version+"\r\n") || !strings.HasSuffix(ris, "ER  - \r\n") {
				t.Errorf("citation.ris:\n%s", ris)
			}
			var csl []map[string]any
			if err := json.Unmarshal(files["citation.csl.json"], &csl); err != nil || len(csl) != 1 || csl[0]["type"] != "dataset" ||
				csl[0]["version"] != version {
				t.Errorf("citation.csl.json: %v %v", csl, err)
			}
		}
	})
}

// A DOI is recorded once valid, and under the configured prefix only.
func TestCheckDOI(t *testing.T) {
	for _, c := range []struct {
		in, prefix, want string
	}{
		{"10.12345/abc", "", "10.12345/abc"},
		{"https://doi.org/10.12345/paris-call-data-2026.1", "10.12345", "10.12345/paris-call-data-2026.1"},
		{"doi:10.1000.10/x", "", "10.1000.10/x"},
		{"10.123/abc", "", ""},
		{"11.12345/abc", "", ""},
		{"10.12345/", "", ""},
		{"10.12345/a b", "", ""},
		{"10.54321/abc", "10.12345", ""},
	} {
		got, err := release.CheckDOI(c.in, c.prefix)
		if got != c.want || (c.want == "") != (err != nil) {
			t.Errorf("CheckDOI(%q, %q) = %q, %v; want %q", c.in, c.prefix, got, err, c.want)
		}
	}
}
