package release_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/pctracker/pctracker/internal/release"
)

// The official schemas are vendored in testdata (see its README): no test
// reaches the network.

// ecmaRegexp lets the compiler read the ECMAScript patterns (lookaheads)
// of the Frictionless and CITATION.cff schemas, which Go's regexp refuses.
type ecmaRegexp regexp2.Regexp

func (re *ecmaRegexp) MatchString(s string) bool {
	ok, err := (*regexp2.Regexp)(re).MatchString(s)
	return err == nil && ok
}

func (re *ecmaRegexp) String() string { return (*regexp2.Regexp)(re).String() }

func ecmaCompile(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return (*ecmaRegexp)(re), nil
}

// schema compiles a vendored JSON schema.
func schema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(ecmaCompile)
	c.AssertFormat()
	if err := c.AddResource("file:///"+path, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("file:///" + path)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return s
}

// validJSON validates a document against a compiled schema.
func validJSON(t *testing.T, s *jsonschema.Schema, name string, body []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s does not validate: %v", name, err)
	}
}

// unzip reads every file of a release's zip, by its path under the
// release's folder.
func unzip(t *testing.T, body []byte) (map[string][]byte, []string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		_, name, ok := strings.Cut(f.Name, "/")
		if !ok || !strings.HasPrefix(f.Name, "paris-call-data-release-") {
			t.Errorf("%s is not in the release's folder", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
		names = append(names, name)
	}
	return out, names
}

// checkTable reads every row of a CSV and checks each cell against the
// Table Schema: type, required, enum, pattern, minimum, unique. It returns
// the rows, as maps by column.
func checkTable(t *testing.T, ts release.TableSchema, body []byte) []map[string]string {
	t.Helper()
	body = bytes.TrimPrefix(body, []byte("\ufeff"))
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("no header")
	}
	var names []string
	for _, f := range ts.Fields {
		names = append(names, f.Name)
	}
	if !slices.Equal(rows[0], names) {
		t.Fatalf("header %v, the schema's fields %v", rows[0], names)
	}
	seen := map[string]map[string]bool{}
	var out []map[string]string
	for i, row := range rows[1:] {
		m := map[string]string{}
		for j, f := range ts.Fields {
			v := row[j]
			m[f.Name] = v
			if err := checkCell(f, v, slices.Contains(ts.MissingValues, v)); err != "" {
				t.Errorf("row %d, %s = %q: %s", i+1, f.Name, v, err)
			}
			if f.Constraints != nil && f.Constraints.Unique {
				if seen[f.Name] == nil {
					seen[f.Name] = map[string]bool{}
				}
				if seen[f.Name][v] {
					t.Errorf("row %d, %s = %q: not unique", i+1, f.Name, v)
				}
				seen[f.Name][v] = true
			}
		}
		out = append(out, m)
	}
	return out
}

func checkCell(f release.Field, v string, missing bool) string {
	c := f.Constraints
	if c == nil {
		c = &release.Constraints{}
	}
	if missing {
		if c.Required {
			return "required"
		}
		return ""
	}
	switch f.Type {
	case "integer":
		n, err := strconv.Atoi(v)
		if err != nil {
			return "not an integer"
		}
		if c.Minimum != nil && n < *c.Minimum {
			return "below the minimum"
		}
	case "date":
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return "not a date"
		}
	case "datetime":
		if _, err := time.Parse(time.RFC3339, v); err != nil || !strings.HasSuffix(v, "Z") {
			return "not an ISO 8601 UTC date and time"
		}
	case "string":
	default:
		return "unknown type " + f.Type
	}
	if len(c.Enum) > 0 && !slices.Contains(c.Enum, v) {
		return "not one of the enum"
	}
	if c.Pattern != "" && !regexp.MustCompile(`^(?:`+c.Pattern+`)$`).MatchString(v) {
		return "does not match " + c.Pattern
	}
	return ""
}

// packageOf reads a release's datapackage.json.
type packageOf struct {
	Name, Version, Created string
	Contributors           []struct {
		Title string
		Roles []string
	}
	Resources []struct {
		Name, Path, Hash, Mediatype string
		Bytes                       int
		Schema                      json.RawMessage
	}
}
