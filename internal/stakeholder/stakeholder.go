// Package stakeholder is about the organisations that support the Paris
// Call: states, public authorities, companies, civil society, academia and
// international organisations.
package stakeholder

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
)

// Kind is the kind of an organisation; its code is stable, labels are
// translated in the interface.
type Kind string

const (
	State            Kind = "state"
	PublicAuthority  Kind = "public_authority"
	Company          Kind = "company"
	CivilSociety     Kind = "civil_society"
	Academia         Kind = "academia"
	InternationalOrg Kind = "international_org"
)

// Kinds lists every kind in display order.
var Kinds = []Kind{State, PublicAuthority, Company, CivilSociety, Academia, InternationalOrg}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// KindCodes lists the codes, for messages.
func KindCodes() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// Stakeholder is a supporting organisation.
type Stakeholder struct {
	ID             int64
	Name           string
	Kind           Kind
	Country        string // ISO 3166-1 alpha-2, empty for international organisations
	Website        string
	SupporterSince *time.Time
	Verified       bool
	Active         bool
	// Reviewer marks an organisation the secretariat designated to review
	// others' actions (see ReviewsOn); ReviewerSince is the day the flag
	// was turned on, ReviewerUntil, when set, the last day it holds.
	Reviewer      bool
	ReviewerSince *time.Time
	ReviewerUntil *time.Time
	Version       int // optimistic locking: an update names the version it read
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Input is what a person sets on an organisation.
type Input struct {
	Name           string
	Kind           Kind
	Country        string
	Website        string
	SupporterSince *time.Time
	Verified       bool
	Active         bool
	Reviewer       bool
	ReviewerUntil  *time.Time // nil: no end; cleared when Reviewer is off
}

// Input returns what the organisation holds that a person sets: where an
// edit starts.
func (s Stakeholder) Input() Input {
	return Input{Name: s.Name, Kind: s.Kind, Country: s.Country, Website: s.Website,
		SupporterSince: s.SupporterSince, Verified: s.Verified, Active: s.Active,
		Reviewer: s.Reviewer, ReviewerUntil: s.ReviewerUntil}
}

// MayReview reports whether an organisation of kind k may be designated a
// reviewer: civil society and academia review; states, authorities,
// companies and international organisations are what is reviewed.
func (k Kind) MayReview() bool { return k == CivilSociety || k == Academia }

// ReviewsOn reports whether the organisation is a reviewer on day: the
// one rule every surface asks before letting it challenge or confirm an
// action. Designated, active, verified, of a kind that reviews, and day
// within [ReviewerSince, ReviewerUntil], both days included; a missing
// bound is open. The kind and verification are asked again, not trusted
// to the flag: a designation outlives neither.
func (s Stakeholder) ReviewsOn(day time.Time) bool {
	if !s.Reviewer || !s.Active || !s.Verified || !s.Kind.MayReview() {
		return false
	}
	d := date.Day(day)
	if s.ReviewerSince != nil && d.Before(date.Day(*s.ReviewerSince)) {
		return false
	}
	return s.ReviewerUntil == nil || !d.After(date.Day(*s.ReviewerUntil))
}

// parisCallLaunch is the day the Paris Call was launched: nobody supports it
// from an earlier day.
func parisCallLaunch() time.Time { return time.Date(2018, 11, 12, 0, 0, 0, 0, time.UTC) }

// Normalize trims text, upper-cases the country code and reduces dates to
// their day.
func (in *Input) Normalize() {
	in.SupporterSince = date.DayPtr(in.SupporterSince)
	in.ReviewerUntil = date.DayPtr(in.ReviewerUntil)
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.Country = strings.TrimSpace(in.Country)
	if utf8.ValidString(in.Country) { // ToUpper would turn bad bytes into U+FFFD, which Validate must see as they are
		in.Country = strings.ToUpper(in.Country)
	}
	in.Website = strings.TrimSpace(in.Website)
	in.Kind = Kind(strings.TrimSpace(string(in.Kind)))
}

// Validate returns field errors for everything wrong with in.
func (in Input) Validate() error {
	f := errs.FieldErrors{}
	f.Text("name", in.Name, true, 200)
	if n := utf8.RuneCountInString(in.Name); n == 1 {
		f.Add("name", "must be at least 2 characters")
	}
	f.Text("website", in.Website, false, 500)
	if !in.Kind.Valid() {
		if in.Kind == "" {
			f.Add("kind", "is required")
		} else {
			f.Addf("kind", "%q is not one of %s", in.Kind, KindCodes())
		}
	}
	switch {
	case in.Country == "" && in.Kind != InternationalOrg:
		f.Add("country", "is required (ISO 3166-1 alpha-2 code, e.g. FR)")
	case in.Country != "" && !ValidCountry(in.Country):
		f.Addf("country", "%q is not an ISO 3166-1 alpha-2 country code", in.Country)
	}
	if in.Website != "" {
		if u, err := url.Parse(in.Website); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			f.Add("website", "must be an http or https address")
		}
	}
	if in.SupporterSince != nil {
		if in.SupporterSince.Before(parisCallLaunch()) {
			f.Add("supporter_since", "the Paris Call was launched on 12 November 2018")
		}
		f.Date("supporter_since", *in.SupporterSince)
	}
	if in.Reviewer && (!in.Kind.MayReview() || !in.Verified) {
		f.Add("reviewer", "only verified civil-society or academic organisations can be reviewers")
	}
	if in.ReviewerUntil != nil {
		f.Date("reviewer_until", *in.ReviewerUntil) // not before today: the service checks, as it knows the day
	}
	return f.Err()
}

// ValidCountry reports whether code is an assigned ISO 3166-1 alpha-2 code.
func ValidCountry(code string) bool {
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return false
	}
	r, err := language.ParseRegion(code)
	// IsCountry excludes groupings and the private-use and exceptionally
	// reserved codes (XK, EU, UN...), which a supporter cannot be from.
	return err == nil && r.IsCountry() && r.String() == code
}

// Filter narrows a listing.
type Filter struct {
	Kind    Kind
	Country string
	Query   string // part of the name
	Active  *bool
	IDs     []int64 // these organisations only, when set
	Limit   int
	Offset  int
	All     bool // every match, unpaged: for the board and pickers, never for public lists
}
