package release

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/report"
)

// DataPackageProfile is the Frictionless Data Package version the
// descriptor follows.
const DataPackageProfile = "https://datapackage.org/profiles/2.0/datapackage.json"

type packageDoc struct {
	Schema       string            `json:"$schema"`
	Name         string            `json:"name"`
	ID           string            `json:"id"`
	Title        string            `json:"title"`
	Description  string            `json:"description"`
	Version      string            `json:"version"`
	Created      string            `json:"created"`
	Homepage     string            `json:"homepage"`
	Keywords     []string          `json:"keywords"`
	Licenses     []packageLicense  `json:"licenses"`
	Sources      []packageSource   `json:"sources"`
	Contributors []packageContrib  `json:"contributors"`
	Resources    []packageResource `json:"resources"`
}

type packageLicense struct {
	Name  string `json:"name"`
	Path  string `json:"path"`
	Title string `json:"title"`
}

type packageSource struct {
	Title string `json:"title"`
	Path  string `json:"path"`
}

type packageContrib struct {
	Title string   `json:"title"`
	Roles []string `json:"roles"`
}

type packageResource struct {
	Name      string         `json:"name"`
	Type      string         `json:"type,omitempty"`
	Path      string         `json:"path"`
	Format    string         `json:"format"`
	MediaType string         `json:"mediatype"`
	Encoding  string         `json:"encoding,omitempty"`
	Bytes     int            `json:"bytes"`
	Hash      string         `json:"hash"`
	Languages []string       `json:"languages,omitempty"`
	Dialect   map[string]any `json:"dialect,omitempty"`
	Schema    *TableSchema   `json:"schema,omitempty"`
}

// licence is the Open Definition identifier of the licence.
const licence = "CC-BY-4.0"

// dataPackage writes datapackage.json, describing files (the data first,
// then the documents).
func (c Contents) dataPackage(files []file) ([]byte, error) {
	doc := packageDoc{Schema: DataPackageProfile, Name: "paris-call-cyber-mercenaries-" + c.yearText(), ID: c.identifier(),
		Title: c.Title(), Description: c.Description(), Version: c.Release.Version(),
		Created: c.Release.CreatedAt.UTC().Format(time.RFC3339), Homepage: c.URL(), Keywords: Keywords,
		Licenses: []packageLicense{{Name: licence, Path: report.LicenceURL, Title: "Creative Commons Attribution 4.0 International"}},
		Sources:  []packageSource{{Title: "Reports of the Paris Call supporters, reviewed by its secretariat", Path: c.BaseURL + "/actions"}},
	}
	doc.Contributors = append(doc.Contributors, packageContrib{Title: c.Publisher, Roles: []string{"publisher"}})
	for _, o := range c.Organisations() {
		doc.Contributors = append(doc.Contributors, packageContrib{Title: o, Roles: []string{"DataCollector"}})
	}
	schema := Schema()
	for _, f := range files {
		r := packageResource{Path: f.path, Bytes: len(f.body), Hash: "sha256:" + Checksum(f.body)}
		switch f.path {
		case "data/actions.csv":
			r.Name, r.Type, r.Format, r.MediaType, r.Encoding, r.Schema = "actions", "table", "csv", "text/csv", "utf-8", &schema
			r.Dialect = map[string]any{"header": true, "delimiter": ",", "lineTerminator": "\r\n", "quoteChar": "\""}
		case "data/actions.json":
			r.Name, r.Format, r.MediaType, r.Encoding = "actions-json", "json", "application/json", "utf-8"
		default:
			for _, d := range c.Documents {
				if d.Path == f.path {
					r.Name = "report-" + d.Lang + "-" + string(d.Format)
					r.Format, r.MediaType, r.Languages = string(d.Format), d.MediaType, []string{d.Lang}
				}
			}
		}
		doc.Resources = append(doc.Resources, r)
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "describe release %s", c.Release.Version())
	}
	return append(b, '\n'), nil
}

// Keywords describe every release.
var Keywords = []string{"Paris Call", "cyber mercenaries", "commercial intrusion capabilities", "spyware", "cybersecurity policy"}

func (c Contents) yearText() string { return strings.Split(c.Release.Version(), ".")[0] }

// identifier is the release's DOI as a URL when it has one, else its page.
func (c Contents) identifier() string {
	if c.Release.DOI != "" {
		return "https://doi.org/" + c.Release.DOI
	}
	return c.URL()
}
