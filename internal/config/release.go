package config

import (
	"fmt"
	"strings"
)

// Release configures the citable data releases made when a report is published.
type Release struct {
	// DOIPrefix, when set, is the prefix every DOI the secretariat records
	// for a release must start with (10.NNNN), and the one the DataCite
	// metadata suggests; empty leaves DOIs free and unsuggested.
	DOIPrefix string `key:"doi_prefix" help:"DOI prefix of the data releases (10.NNNN), empty for none"`
	// Publisher names who publishes the releases in their citations and
	// metadata; empty is the Paris Call secretariat.
	Publisher string `key:"publisher" help:"publisher named in the data releases' citations, empty for the Paris Call secretariat"`
}

func (r Release) validate() error {
	if r.DOIPrefix == "" {
		return nil
	}
	reg, rest, ok := strings.Cut(r.DOIPrefix, ".")
	if reg != "10" || !ok || rest == "" || strings.Trim(rest, "0123456789.") != "" || len(strings.SplitN(rest, ".", 2)[0]) < 4 {
		return &Error{Key: "release.doi_prefix", Msg: fmt.Sprintf("%q is not a DOI prefix such as 10.12345", r.DOIPrefix)}
	}
	return nil
}
