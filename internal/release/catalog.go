package release

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/user"
)

// catalogContext is the catalogue's JSON-LD context, written inline so
// that reading it needs nothing from the network.
var catalogContext = map[string]any{
	"dcat": "http://www.w3.org/ns/dcat#",
	"dct":  "http://purl.org/dc/terms/",
	"foaf": "http://xmlns.com/foaf/0.1/",
	"spdx": "http://spdx.org/rdf/terms#",
	"xsd":  "http://www.w3.org/2001/XMLSchema#",
}

// Catalog is the DCAT 3 catalogue of every public release, as JSON-LD:
// one dcat:Dataset per release, with its version, the one before it, and
// its zip as a distribution with its media type, size and SHA-256.
func (s *Service) Catalog(ctx context.Context) ([]byte, error) {
	list, err := s.List(ctx, user.Actor{})
	if err != nil {
		return nil, err
	}
	publisher := map[string]any{"@type": "foaf:Agent", "foaf:name": s.opt.Publisher}
	licence := map[string]any{"@id": report.LicenceURL}
	var datasets []any
	for i, r := range list { // newest first: the one before r is the next of its year in the list
		c := s.Cite(r)
		d := map[string]any{"@id": c.URL(), "@type": "dcat:Dataset", "dct:title": c.Title(), "dct:description": c.Description(),
			"dcat:version": r.Version(), "dct:issued": typed(r.CreatedAt.UTC().Format(time.RFC3339), "xsd:dateTime"),
			"dct:identifier": c.identifier(), "dct:license": licence, "dct:publisher": publisher, "dcat:keyword": Keywords,
			"dcat:landingPage": map[string]any{"@id": c.URL()},
			"dcat:distribution": []any{map[string]any{
				"@id": c.URL() + ".zip", "@type": "dcat:Distribution", "dct:title": r.Filename(),
				"dcat:downloadURL": map[string]any{"@id": c.URL() + ".zip"},
				"dcat:mediaType":   map[string]any{"@id": "https://www.iana.org/assignments/media-types/application/zip"},
				"dcat:byteSize":    typed(fmt.Sprint(r.Size), "xsd:nonNegativeInteger"),
				"dct:license":      licence,
				"spdx:checksum": map[string]any{"@type": "spdx:Checksum",
					"spdx:algorithm":     map[string]any{"@id": "spdx:checksumAlgorithm_sha256"},
					"spdx:checksumValue": typed(r.SHA256, "xsd:hexBinary")},
			}},
		}
		if r.DOI != "" {
			d["dct:identifier"] = "https://doi.org/" + r.DOI
		}
		for _, prev := range list[i+1:] {
			if prev.Year == r.Year {
				d["dcat:previousVersion"] = map[string]any{"@id": s.Cite(prev).URL()}
				break
			}
		}
		if r.SupersededBy != "" {
			d["dct:isReplacedBy"] = map[string]any{"@id": s.opt.BaseURL + "/releases/" + r.SupersededBy}
		}
		datasets = append(datasets, d)
	}
	doc := map[string]any{"@context": catalogContext, "@id": s.opt.BaseURL + "/catalog.jsonld", "@type": "dcat:Catalog",
		"dct:title": "Paris Call progress tracker: data releases", "dct:publisher": publisher, "dct:license": licence,
		"foaf:homepage": map[string]any{"@id": s.opt.BaseURL + "/releases"}, "dcat:dataset": datasets}
	if datasets == nil {
		doc["dcat:dataset"] = []any{}
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "write the catalogue")
	}
	return append(b, '\n'), nil
}

func typed(value, datatype string) map[string]any {
	return map[string]any{"@value": value, "@type": datatype}
}
