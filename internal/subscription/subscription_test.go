package subscription

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/pctracker/pctracker/internal/errs"
)

// A sign-up is read as the form and the API give it: the address's
// domain in lower case, the filters sorted and unique, each wrong field
// named.
func TestRead(t *testing.T) {
	q := url.Values{"recommendation": {"9", "7", "9"}, "country": {"fr"}, "kind": {"state"}, "organisation": {"12"}}
	in, err := Read(" Reader@Example.ORG ", q, "weekly", "FR")
	if err != nil {
		t.Fatal(err)
	}
	if in.Email != "Reader@example.org" || in.Lang != "fr" || in.Filters.Query() != "country=FR&kind=state&organisation=12&recommendation=7&recommendation=9" {
		t.Errorf("%+v %s", in, in.Filters.Query())
	}
	for _, c := range []struct {
		email, frequency, lang string
		q                      url.Values
		fields                 []string
	}{
		{"", "daily", "en", nil, []string{"email"}},
		{"Name <a@example.org>", "daily", "en", nil, []string{"email"}},
		{"a@example.org", "monthly", "de", nil, []string{"frequency", "lang"}},
		{"a@example.org", "daily", "en", url.Values{"recommendation": {"0", "13", "x"}}, []string{"filters.recommendation"}},
		{"a@example.org", "daily", "en", url.Values{"country": {"FRA"}, "kind": {"guild"}, "organisation": {"-1"}},
			[]string{"filters.country", "filters.kind", "filters.organisation"}},
	} {
		_, err := Read(c.email, c.q, c.frequency, c.lang)
		var e *errs.Error
		if !errs.Is(err, errs.Invalid) || !errors.As(err, &e) || len(e.Fields) != len(c.fields) {
			t.Errorf("%+v: %v", c, err)
			continue
		}
		for _, f := range c.fields {
			if e.Fields[f] == "" {
				t.Errorf("%+v: no error for %s in %v", c, f, e.Fields)
			}
		}
	}
}

// A daily subscription is due at every slot after its last digest, a
// weekly one a week after it; an unconfirmed one never.
func TestDue(t *testing.T) {
	last := time.Date(2026, 9, 1, 6, 0, 0, 0, time.UTC)
	daily := Subscription{Frequency: Daily, ConfirmedAt: &last, LastDigestAt: &last}
	weekly := daily
	weekly.Frequency = Weekly
	pending := daily
	pending.ConfirmedAt = nil
	for _, c := range []struct {
		sub  Subscription
		slot time.Time
		want bool
	}{
		{daily, last, false},
		{daily, last.Add(24 * time.Hour), true},
		{weekly, last.Add(6 * 24 * time.Hour), false},
		{weekly, last.Add(7 * 24 * time.Hour), true},
		{pending, last.Add(7 * 24 * time.Hour), false},
	} {
		if got := c.sub.due(c.slot); got != c.want {
			t.Errorf("%s, confirmed %v, at %s: %v", c.sub.Frequency, c.sub.ConfirmedAt != nil, c.slot, got)
		}
	}
}
