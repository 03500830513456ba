// Package release is about the citable data releases of pctracker: each
// published report makes release {year}.1, each correction of it the next
// number. A release is one zip, built once and never changed: the report's
// documents, the public actions as of the report's cut-off (CSV and JSON),
// and what describes them (a Frictionless Data Package, citations in the
// usual formats, DataCite metadata, the changelog). It is stored by its
// SHA-256 like any blob, and superseded by the next, never removed.
package release

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
)

// Release is one data release.
type Release struct {
	ID        int64
	ReportID  int64
	Year      int
	N         int
	Changelog string
	SHA256    string // of the zip
	Size      int64
	DOI       string // "" until the secretariat records one
	CreatedAt time.Time
	CreatedBy int64
	// Read with the release, from its report:
	CutoffAt   time.Time
	PublicFrom time.Time // zero: public at once
	// SupersededBy is the version of the next release of the same year,
	// "" while this one is the latest.
	SupersededBy string
	// Organisations is how many organisations' actions it holds.
	Organisations int
	Actions       int
}

// Version is the release's number as people cite it: 2026.1.
func (r Release) Version() string { return Version(r.Year, r.N) }

// Version writes a release number.
func Version(year, n int) string { return strconv.Itoa(year) + "." + strconv.Itoa(n) }

// ParseVersion reads a release number as Version writes it; anything else
// is not found (it names no release).
func ParseVersion(s string) (year, n int, err error) {
	y, m, ok := strings.Cut(s, ".")
	year, err1 := strconv.Atoi(y)
	n, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || year < 1000 || year > 9999 || n < 1 || Version(year, n) != s {
		return 0, 0, errs.E(errs.NotFound, "no release %q", s)
	}
	return year, n, nil
}

// PublicOn reports whether anyone may see r at now: when its report is.
func (r Release) PublicOn(now time.Time) bool { return !now.Before(r.PublicFrom) }

// Filename is the zip's name for download.
func (r Release) Filename() string {
	return fmt.Sprintf("paris-call-data-release-%s.zip", r.Version())
}

// MaxChangelog bounds a correction's changelog, in characters.
const MaxChangelog = 5000

// CorrectionInput is what the secretariat writes to publish a correction.
type CorrectionInput struct {
	Changelog string
}

// Validate checks a correction.
func (in *CorrectionInput) Validate() error {
	in.Changelog = strings.TrimSpace(in.Changelog)
	switch {
	case in.Changelog == "":
		return errs.Field(errs.Invalid, "changelog", "says what changed from the previous release and why")
	case len([]rune(in.Changelog)) > MaxChangelog:
		return errs.Field(errs.Invalid, "changelog", fmt.Sprintf("is at most %d characters", MaxChangelog))
	}
	return nil
}

// CheckDOI validates a DOI as the secretariat records it: 10.NNNN/suffix,
// starting with prefix when one is configured. It returns the DOI as
// stored (a https://doi.org/ or doi: form is reduced to the bare DOI).
func CheckDOI(doi, prefix string) (string, error) {
	doi = strings.TrimSpace(doi)
	for _, p := range []string{"https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"} {
		if len(doi) > len(p) && strings.EqualFold(doi[:len(p)], p) {
			doi = doi[len(p):]
		}
	}
	reg, suffix, ok := strings.Cut(doi, "/")
	num, sub, _ := strings.Cut(strings.TrimPrefix(reg, "10."), ".")
	if !ok || !strings.HasPrefix(reg, "10.") || len(num) < 4 || !digits(num) || (sub != "" && !digits(strings.ReplaceAll(sub, ".", ""))) ||
		strings.TrimSpace(suffix) == "" || strings.ContainsAny(doi, " \t\r\n") || len(doi) > 200 {
		return "", errs.Field(errs.Invalid, "doi", "is a DOI such as 10.12345/abc-2026.1")
	}
	if prefix != "" && !strings.EqualFold(reg, prefix) {
		return "", errs.Field(errs.Invalid, "doi", fmt.Sprintf("starts with the prefix %s", prefix))
	}
	return doi, nil
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
