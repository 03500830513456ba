package evidence

import (
	"net/url"
	"strings"
	"time"
)

// State is what the last checks of an evidence link found.
type State string

const (
	Pending     State = "pending"     // not checked yet: accepted moments ago
	OK          State = "ok"          // answers with the copy captured at acceptance
	Redirected  State = "redirected"  // answers, but from another site
	Changed     State = "changed"     // answers with content other than the copy captured
	Unreachable State = "unreachable" // the last check failed; not yet broken
	Broken      State = "broken"      // failed BrokenAfter checks over at least BrokenSpan
)

// States lists the states, in the order pages show them.
var States = []State{OK, Redirected, Changed, Unreachable, Broken, Pending}

// A link is broken once it failed this many checks in a row, spread over
// at least this long: one bad day of a site is not rot.
const (
	BrokenAfter = 3
	BrokenSpan  = 7 * 24 * time.Hour
)

// Link is one evidence link of an accepted public action, as followed.
type Link struct {
	ActionID       int64
	URL            string
	State          State
	CapturedSHA256 string // the copy captured at acceptance; "" until a check succeeds
	CapturedAt     *time.Time
	CheckedAt      *time.Time
	HTTPStatus     int
	FinalURL       string
	SHA256         string // of the body the last check read
	Failures       int    // checks failed in a row
	FirstFailureAt *time.Time
	NextCheckAt    time.Time
	BrokenNoticed  bool // the organisation was told it broke
}

// Check is one fetch of a link, as recorded.
type Check struct {
	ID          int64
	ActionID    int64
	URL         string
	CheckedAt   time.Time
	HTTPStatus  int
	Error       string
	FinalURL    string
	ContentType string
	Size        int64
	SHA256      string
	State       State // the link's state after this check
}

// Flags counts the links that need a look: broken, or changed since
// archived.
type Flags struct {
	Broken, Changed int
}

// FlagsOf counts the links that need a look among links.
func FlagsOf(links []Link) Flags {
	var f Flags
	for _, l := range links {
		switch l.State {
		case Broken:
			f.Broken++
		case Changed:
			f.Changed++
		}
	}
	return f
}

// Size is what the archive holds.
type Size struct {
	Copies int64 // distinct bodies
	Bytes  int64 // their own size
	Stored int64 // the space they take, compressed
}

// Blob is a stored copy of a body, by its SHA-256.
type Blob struct {
	SHA256      string
	ContentType string
	Data        []byte
}

// Next applies what one fetch found to a link and returns it, and the
// check to record: the link's state, its captured copy (the first body
// read), its failures and when it is next checked (after period, sooner
// after a failure, so that a link that stays down is called broken within
// about BrokenSpan).
func Next(l Link, f Fetch, at time.Time, period time.Duration) (Link, Check) {
	c := Check{ActionID: l.ActionID, URL: l.URL, CheckedAt: at, HTTPStatus: f.Status, FinalURL: f.FinalURL,
		ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256}
	l.CheckedAt, l.HTTPStatus, l.FinalURL, l.SHA256 = &at, f.Status, f.FinalURL, f.SHA256
	failed := f.Err != nil || f.Status < 200 || f.Status >= 300
	switch {
	case failed:
		if f.Err != nil {
			c.Error = f.Err.Error()
		}
		l.Failures++
		if l.FirstFailureAt == nil {
			l.FirstFailureAt = &at
		}
		l.State = Unreachable
		if l.Failures >= BrokenAfter && at.Sub(*l.FirstFailureAt) >= BrokenSpan {
			l.State = Broken
		}
		l.NextCheckAt = at.Add(min(period, BrokenSpan) / 2)
	default:
		l.Failures, l.FirstFailureAt, l.BrokenNoticed = 0, nil, false
		if l.CapturedSHA256 == "" && !f.TooLarge {
			l.CapturedSHA256, l.CapturedAt = f.SHA256, &at
		}
		switch {
		case otherSite(l.URL, f.FinalURL): // what it says matters less than that it is no longer there
			l.State = Redirected
		case l.CapturedSHA256 != "" && f.SHA256 != l.CapturedSHA256:
			l.State = Changed
		default:
			l.State = OK
		}
		// Between 0.9 and 1.1 periods, the same for the same link: links
		// captured together (a busy day of acceptances) drift apart instead
		// of coming due all at once every week.
		l.NextCheckAt = Spread(l.ActionID, l.URL, at.Add(period-period/10), period/5)
	}
	c.State = l.State
	return l, c
}

// otherSite reports whether a redirect left the link's site: another host,
// leaving aside a "www." in front.
func otherSite(from, to string) bool {
	a, err1 := url.Parse(from)
	b, err2 := url.Parse(to)
	if err1 != nil || err2 != nil || to == "" {
		return false
	}
	host := func(u *url.URL) string { return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.") }
	return host(a) != host(b)
}

// Spread places a link's check within span after from, the same place
// every time for the same link, so that a week's checks come a few at a
// time rather than all on one night.
func Spread(actionID int64, link string, from time.Time, span time.Duration) time.Time {
	var h uint64 = 14695981039346656037 // FNV-1a, for an even, stable spread
	for _, b := range []byte(link) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	h = (h ^ uint64(actionID)) * 1099511628211
	return from.Add(time.Duration(h % uint64(max(span, time.Second))))
}

// Servable tells the content type an archived copy is served with: the
// original only for PDF, plain text and images, which a browser shows
// without running anything; everything else as plain text.
func Servable(contentType string) string {
	t := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	switch t {
	case "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif":
		return t // no SVG, no XML types: they can hold script
	case "text/plain":
		if cs := charset(contentType); cs != "" {
			return "text/plain; charset=" + cs // French text stays readable
		}
		return t
	}
	return "text/plain; charset=utf-8"
}

// charset reads the charset parameter of a content type, if it is a plain
// token.
func charset(contentType string) string {
	for _, p := range strings.Split(contentType, ";")[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		v = strings.ToLower(strings.Trim(strings.TrimSpace(v), `"`))
		if ok && strings.EqualFold(strings.TrimSpace(k), "charset") && v != "" && strings.Trim(v, "abcdefghijklmnopqrstuvwxyz0123456789-_") == "" {
			return v
		}
	}
	return ""
}
