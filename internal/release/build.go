package release

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/export"
	"github.com/pctracker/pctracker/internal/report"
)

// DefaultPublisher is who publishes the releases unless configured.
const DefaultPublisher = "Paris Call for Trust and Security in Cyberspace secretariat"

// Contents is everything a release's zip is made of.
type Contents struct {
	Release   Release
	Earlier   []Release // the year's earlier releases, oldest first
	Publisher string
	BaseURL   string // with no trailing slash
	DOIPrefix string
	Rows      []Row      // the public actions, by id
	Documents []Document // the report's documents
}

// Document is one document of the report, as a file of the release.
type Document struct {
	Path      string // inside the zip
	MediaType string
	Lang      string
	Format    report.Format
	Body      []byte
}

// DocumentOf is a stored document of the report of year as a file.
func DocumentOf(year int, a report.Artifact) Document {
	return Document{Path: "documents/" + report.Filename(year, a.Lang, a.Format), MediaType: mediaType(a.Format.ContentType()),
		Lang: a.Lang, Format: a.Format, Body: a.Body}
}

func mediaType(contentType string) string {
	t, _, _ := strings.Cut(contentType, ";")
	return strings.TrimSpace(t)
}

// Organisations are the names of the organisations whose actions the
// release holds, sorted.
func (c Contents) Organisations() []string {
	var out []string
	for _, r := range c.Rows {
		out = append(out, r.Organisation)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// URL is the address of the release's page.
func (c Contents) URL() string { return c.BaseURL + "/releases/" + c.Release.Version() }

// Title is the release's title.
func (c Contents) Title() string {
	return fmt.Sprintf("Paris Call supporters' actions against cyber mercenaries, %d: data release %s",
		c.Release.Year, c.Release.Version())
}

// Description says in one paragraph what the release holds.
func (c Contents) Description() string {
	return fmt.Sprintf("The public actions that supporters of the Paris Call for Trust and Security in Cyberspace reported "+
		"on the twelve recommendations of its working group on cyber mercenaries in the %d reporting cycle, as accepted by "+
		"%s (the cut-off of the %d progress report), with that report in English and French.",
		c.Release.Year, c.Release.CutoffAt.UTC().Format(time.RFC3339), c.Release.Year)
}

// file is one file of the zip.
type file struct {
	path string
	body []byte
}

// Build writes the release's zip, the same bytes for the same contents:
// its files in a fixed order, each stamped with the release's creation.
func Build(c Contents) ([]byte, error) {
	csvBody, jsonBody, err := c.data()
	if err != nil {
		return nil, err
	}
	files := []file{{"data/actions.csv", csvBody}, {"data/actions.json", jsonBody}}
	for _, d := range c.Documents {
		files = append(files, file{d.Path, d.Body})
	}
	pkg, err := c.dataPackage(files)
	if err != nil {
		return nil, err
	}
	files = append([]file{{"datapackage.json", pkg}, {"CHANGELOG.md", c.changelog()}}, files...)
	cites, err := c.citations()
	if err != nil {
		return nil, err
	}
	files = append(files, cites...)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	stamp := c.Release.CreatedAt.UTC().Truncate(time.Second)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: c.folder() + f.path, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "write release %s", c.Release.Version())
		}
		if _, err := w.Write(f.body); err != nil {
			return nil, errs.Wrap(errs.Internal, err, "write release %s", c.Release.Version())
		}
	}
	if err := zw.Close(); err != nil {
		return nil, errs.Wrap(errs.Internal, err, "write release %s", c.Release.Version())
	}
	return buf.Bytes(), nil
}

// folder is the one folder the zip's files are in, so that unzipping two
// releases side by side keeps them apart.
func (c Contents) folder() string { return "paris-call-data-release-" + c.Release.Version() + "/" }

// data writes the actions as CSV (the open data's, spreadsheet-safe) and
// as JSON.
func (c Contents) data() (csvBody, jsonBody []byte, err error) {
	var buf bytes.Buffer
	t, err := export.NewTable(&buf, Header)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range c.Rows {
		if err := t.Row(r.Cells()); err != nil {
			return nil, nil, err
		}
	}
	if err := t.Flush(); err != nil {
		return nil, nil, err
	}
	doc := struct {
		Licence  string `json:"licence"`
		Release  string `json:"release"`
		CutoffAt string `json:"cutoff_at"`
		Actions  []Row  `json:"actions"`
	}{report.LicenceName + " (" + report.LicenceURL + ")", c.Release.Version(), c.Release.CutoffAt.UTC().Format(time.RFC3339), c.Rows}
	if doc.Actions == nil {
		doc.Actions = []Row{}
	}
	j, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return nil, nil, errs.Wrap(errs.Internal, err, "write release %s", c.Release.Version())
	}
	return buf.Bytes(), append(j, '\n'), nil
}

// changelog lists the year's releases, newest first, each with what
// changed and why.
func (c Contents) changelog() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Changelog of the %d data releases\n", c.Release.Year)
	all := append(slices.Clone(c.Earlier), c.Release)
	for i := len(all) - 1; i >= 0; i-- {
		r := all[i]
		fmt.Fprintf(&b, "\n## %s (%s)\n\n%s\n", r.Version(), r.CreatedAt.UTC().Format(time.DateOnly), strings.TrimSpace(r.Changelog))
	}
	return []byte(b.String())
}

// Checksum is the SHA-256 of b, in hex.
func Checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// FirstChangelog is the changelog of a year's first release.
func FirstChangelog(year int) string {
	return fmt.Sprintf("First release, with the published %d progress report.", year)
}
