package api_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"

	"github.com/pctracker/pctracker/internal/apptest"
	"github.com/pctracker/pctracker/internal/testutil"
)

// offline is a JSON-LD document loader that loads nothing: the catalogue
// must be read without the network (its context is inline).
type offline struct{}

func (offline) LoadDocument(u string) (*ld.RemoteDocument, error) {
	return nil, errors.New("the test does not reach the network: " + u)
}

const (
	dcat = "http://www.w3.org/ns/dcat#"
	dct  = "http://purl.org/dc/terms/"
	spdx = "http://spdx.org/rdf/terms#"
)

// Issue 20: /catalog.jsonld is a DCAT 3 catalogue that expands as JSON-LD
// (offline) into a dcat:Catalog with a dcat:Dataset per public release:
// its version, the version before it, and its zip as a distribution with
// media type, size and SHA-256.
func TestReleaseCatalog(t *testing.T) {
	db := testutil.NewDB(t, "postgres")
	sc := apptest.NewScenario(t, db)
	anon := apptest.APIClient{T: t, Base: sc.TS}
	reportID := publishedRelease(t, sc)
	if r := sc.Sec.Do("POST", fmt.Sprintf("/api/v1/reports/%d/corrections", reportID), `{"changelog": "Corrected."}`); r.Status != 201 {
		t.Fatalf("correction: %d %s", r.Status, r.Body)
	}
	rels := apptest.Decode[struct {
		Releases []struct {
			ID, SHA256 string
			Size       int64
		}
	}](t, anon.Do("GET", "/api/v1/releases", ""))

	r := anon.Do("GET", "/catalog.jsonld", "")
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/ld+json" {
		t.Fatalf("catalogue: %d %v", r.Status, r.Header)
	}
	if again := anon.Do("GET", "/catalog.jsonld", "", "If-None-Match", r.Header.Get("ETag")); again.Status != 304 {
		t.Errorf("the catalogue revalidated: %d", again.Status)
	}
	var doc any
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatal(err)
	}
	opts := ld.NewJsonLdOptions("")
	opts.DocumentLoader = offline{}
	expanded, err := ld.NewJsonLdProcessor().Expand(doc, opts)
	if err != nil {
		t.Fatalf("expand: %v", err)
	}
	if len(expanded) != 1 {
		t.Fatalf("%d top-level nodes", len(expanded))
	}
	catalog := expanded[0].(map[string]any)
	if !slices.Contains(types(catalog), dcat+"Catalog") {
		t.Errorf("catalogue types %v", types(catalog))
	}
	datasets := catalog[dcat+"dataset"].([]any)
	if len(datasets) != 2 {
		t.Fatalf("%d datasets", len(datasets))
	}
	for i, x := range datasets {
		d := x.(map[string]any)
		want := rels.Releases[i]
		if !slices.Contains(types(d), dcat+"Dataset") || value(d, dcat+"version") != want.ID || id(d) != "http://pct.test/releases/"+want.ID {
			t.Errorf("dataset %d: %v", i, d)
		}
		prev, _ := d[dcat+"previousVersion"].([]any)
		if (want.ID == "2025.2") != (len(prev) == 1 && id(prev[0].(map[string]any)) == "http://pct.test/releases/2025.1") {
			t.Errorf("%s previousVersion %v", want.ID, prev)
		}
		dist := d[dcat+"distribution"].([]any)[0].(map[string]any)
		media := id(dist[dcat+"mediaType"].([]any)[0].(map[string]any))
		sum := dist[spdx+"checksum"].([]any)[0].(map[string]any)
		if !slices.Contains(types(dist), dcat+"Distribution") || media != "https://www.iana.org/assignments/media-types/application/zip" ||
			value(sum, spdx+"checksumValue") != want.SHA256 || value(dist, dcat+"byteSize") != fmt.Sprint(want.Size) ||
			id(dist[dcat+"downloadURL"].([]any)[0].(map[string]any)) != "http://pct.test/releases/"+want.ID+".zip" {
			t.Errorf("%s distribution: %v", want.ID, dist)
		}
		if lic := d[dct+"license"].([]any)[0].(map[string]any); id(lic) != "https://creativecommons.org/licenses/by/4.0/" {
			t.Errorf("%s licence %v", want.ID, lic)
		}
	}
	if !strings.Contains(r.Body, `"dct:isReplacedBy"`) {
		t.Error("the superseded release does not name its replacement")
	}
}

func types(n map[string]any) []string {
	var out []string
	for _, t := range n["@type"].([]any) {
		out = append(out, t.(string))
	}
	return out
}

func id(n map[string]any) string { s, _ := n["@id"].(string); return s }

// value is the @value of a node's first value of property p.
func value(n map[string]any, p string) string {
	vs, _ := n[p].([]any)
	if len(vs) == 0 {
		return ""
	}
	v, _ := vs[0].(map[string]any)["@value"]
	return fmt.Sprint(v)
}
