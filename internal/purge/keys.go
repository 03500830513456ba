// Package purge tells a cache in front of pctracker (a CDN, nginx) which
// public answers a decision changed. Public answers are tagged with
// surrogate keys naming what they show; after an acceptance or a
// publication, the keys it touched are written to an outbox in the same
// transaction, and a job sends them to the configured webhook, again until
// it takes them, once across replicas.
package purge

import (
	"slices"
	"strconv"
)

// Keys that name a kind of list, not one thing: every list of actions, of
// organisations, of reports, and the dashboard of whichever cycle it shows.
const (
	Actions       = "actions"
	Organisations = "organisations"
	Reports       = "reports"
	Dashboard     = "dashboard"
)

// Cycle names the answers that show a cycle's figures or actions.
func Cycle(year int) string { return "cycle-" + strconv.Itoa(year) }

// Rec names the answers that show a recommendation's figures or actions.
func Rec(number int) string { return "rec-" + strconv.Itoa(number) }

// Org names the answers that show an organisation or its actions.
func Org(id int64) string { return "org-" + strconv.FormatInt(id, 10) }

// Action names the answers that show one action.
func Action(id int64) string { return "action-" + strconv.FormatInt(id, 10) }

// Set is a set of keys, in the order they were added.
type Set []string

// Add adds the keys not in s yet.
func (s Set) Add(keys ...string) Set {
	for _, k := range keys {
		if k != "" && !slices.Contains(s, k) {
			s = append(s, k)
		}
	}
	return s
}

// Accepted names what an action's acceptance (or its withdrawal from the
// public) changes: its cycle's figures, its recommendations' pages, its
// organisation's profile, its own page and the lists of actions.
func Accepted(actionID, orgID int64, year int, recommendations []int) Set {
	s := Set{}.Add(Cycle(year), Action(actionID), Org(orgID), Actions, Dashboard)
	for _, n := range recommendations {
		s = s.Add(Rec(n))
	}
	return s
}

// Published names what a report's publication changes: its cycle's
// figures (the dashboard shows the report's from then on) and the lists of
// reports.
func Published(year int) Set { return Set{}.Add(Cycle(year), Dashboard, Reports) }

// Shown names what an answer shows: cycles by year, recommendations by
// number, organisations by id, and any list keys.
func Shown(years []int, recommendations []int, orgs []int64, lists ...string) Set {
	s := Set{}.Add(lists...)
	for _, y := range years {
		s = s.Add(Cycle(y))
	}
	for _, n := range recommendations {
		s = s.Add(Rec(n))
	}
	for _, id := range orgs {
		s = s.Add(Org(id))
	}
	return s
}
