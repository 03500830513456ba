// Package subscription lets people follow the tracker by mail without an
// account: an address chooses filters of the actions list (recommendation,
// country, organisation, kind), a daily or weekly digest and a language,
// confirms by a link (double opt-in), then receives what became public
// since its last digest. Every mail can unsubscribe in one click (RFC
// 8058), and an unsubscription deletes the address.
package subscription

import (
	"errors"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/stakeholder"
)

// ConfirmFor is how long a confirmation link works; an unconfirmed
// subscription is deleted after it.
const ConfirmFor = 7 * 24 * time.Hour

// Frequency is how often a digest is sent.
type Frequency string

const (
	Daily  Frequency = "daily"
	Weekly Frequency = "weekly"
)

// Valid reports whether f is one of the frequencies.
func (f Frequency) Valid() bool { return f == Daily || f == Weekly }

// Filters are what a subscription follows: the actions matching any of
// the values of each filter given, and all of the filters given.
type Filters struct {
	Recommendations []int
	Countries       []string
	Organisations   []int64
	Kinds           []string
}

// Empty reports whether the filters keep every action.
func (f Filters) Empty() bool {
	return len(f.Recommendations)+len(f.Countries)+len(f.Organisations)+len(f.Kinds) == 0
}

// Query writes the filters as the actions list and the feed read them, in
// a stable order: one subscription, one text.
func (f Filters) Query() string {
	q := url.Values{}
	for _, n := range sorted(f.Recommendations) {
		q.Add("recommendation", strconv.Itoa(n))
	}
	for _, c := range sorted(f.Countries) {
		q.Add("country", c)
	}
	for _, id := range sorted(f.Organisations) {
		q.Add("organisation", strconv.FormatInt(id, 10))
	}
	for _, k := range sorted(f.Kinds) {
		q.Add("kind", k)
	}
	return q.Encode()
}

func sorted[T int | int64 | string](in []T) []T {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}

// Action is the filter of the public actions the subscription follows.
func (f Filters) Action() action.Filter {
	return action.Filter{AnyOf: action.Among{Recommendations: f.Recommendations, Countries: f.Countries,
		StakeholderIDs: f.Organisations, Kinds: f.Kinds}}
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// ParseFilters reads filters from a query (the followed names, each
// possibly repeated; others are ignored), with an error for each wrong one.
func ParseFilters(q url.Values) (Filters, errs.FieldErrors) {
	var f Filters
	bad := errs.FieldErrors{}
	for _, v := range q["recommendation"] {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 || n > 12 {
			bad.Add("filters.recommendation", "must be a recommendation's number, from 1 to 12")
			continue
		}
		f.Recommendations = append(f.Recommendations, n)
	}
	for _, v := range q["country"] {
		if v = strings.ToUpper(strings.TrimSpace(v)); !countryCode.MatchString(v) {
			bad.Add("filters.country", "must be a two-letter country code")
			continue
		}
		f.Countries = append(f.Countries, v)
	}
	for _, v := range q["organisation"] {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 1 {
			bad.Add("filters.organisation", "must be an organisation's number")
			continue
		}
		f.Organisations = append(f.Organisations, n)
	}
	for _, v := range q["kind"] {
		if k := stakeholder.Kind(strings.TrimSpace(v)); !k.Valid() {
			bad.Add("filters.kind", "must be an organisation kind")
			continue
		}
		f.Kinds = append(f.Kinds, strings.TrimSpace(v))
	}
	if len(q["recommendation"])+len(q["country"])+len(q["organisation"])+len(q["kind"]) > 50 {
		bad.Add("filters", "must hold at most 50 values")
	}
	f.Recommendations, f.Countries, f.Organisations, f.Kinds = sorted(f.Recommendations), sorted(f.Countries),
		sorted(f.Organisations), sorted(f.Kinds)
	return f, bad
}

// Input is a sign-up.
type Input struct {
	Email     string
	Filters   Filters
	Frequency Frequency
	Lang      string
}

// Validate normalises the input and checks it, with an error per field.
func (in *Input) Validate() error {
	bad := errs.FieldErrors{}
	in.Email = strings.TrimSpace(in.Email)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || a.Name != "" || len(in.Email) > 254 {
		bad.Add("email", "must be an email address such as name@example.org")
	} else {
		// The domain is case-insensitive; the local part is kept as given.
		at := strings.LastIndex(in.Email, "@")
		in.Email = in.Email[:at] + strings.ToLower(in.Email[at:])
	}
	if !in.Frequency.Valid() {
		bad.Add("frequency", "must be daily or weekly")
	}
	if in.Lang = locale.Supported(in.Lang); in.Lang == "" {
		bad.Add("lang", "must be en or fr")
	}
	// The filters are read again from their text, as the pages give
	// them, so that both ways are checked and normalised alike.
	q, _ := url.ParseQuery(in.Filters.Query())
	f, more := ParseFilters(q)
	for k, v := range more {
		bad.Add(k, v)
	}
	in.Filters = f
	return bad.Err()
}

// Subscription is an address following filters.
type Subscription struct {
	ID           int64
	Email        string
	Filters      Filters
	Frequency    Frequency
	Lang         string
	CreatedAt    time.Time
	ConfirmedAt  *time.Time // nil until the address is confirmed: nothing but the confirmation is sent
	LastDigestAt *time.Time // what was public until then has been told
}

// Status of a mail in the outbox.
type Status string

const (
	Pending Status = "pending"
	Sending Status = "sending"
	Sent    Status = "sent"
	Failed  Status = "failed"
)

// Mail is a message of the subscriptions' outbox.
type Mail struct {
	ID             int64
	SubscriptionID int64
	Slot           string // "confirm" or a digest's slot: one mail per subscription and slot
	To             string
	Subject        string
	Body           string
	Unsubscribe    string // the one-click address of the List-Unsubscribe header
	Status         Status
	Attempts       int
	NextAttemptAt  time.Time
	LastError      string
	CreatedAt      time.Time
	SentAt         *time.Time
}

// Token purposes.
const (
	PurposeConfirm = "confirm"
	PurposeManage  = "manage"
)

// Read makes an input of a sign-up as a form or the API gives it (the
// filters as a query) and checks it, with every field's error at once.
func Read(email string, filters url.Values, frequency, lang string) (Input, error) {
	in := Input{Email: email, Frequency: Frequency(strings.TrimSpace(frequency)), Lang: lang}
	f, bad := ParseFilters(filters)
	in.Filters = f
	if err := in.Validate(); err != nil {
		var e *errs.Error
		if errors.As(err, &e) {
			for k, v := range e.Fields {
				bad.Add(k, v)
			}
		}
	}
	return in, bad.Err()
}
