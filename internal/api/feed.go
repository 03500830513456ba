package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/user"
)

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Rights  string      `xml:"rights"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Author  string   `xml:"author>name"`
	Summary string   `xml:"summary"`
}

// feedSize is how many entries the feed holds.
const feedSize = 50

// followedFilters are the filters of the actions list a feed (and a mail
// subscription) follows; each may be given several times.
var followedFilters = []string{"recommendation", "country", "organisation", "kind"}

// feed is an Atom feed of the latest accepted public actions, published
// reports and published challenges, newest first, in the language of
// lang= (English by default): its own wording is the catalogue's, the
// actions' titles stay as written. recommendation=, country=,
// organisation= and kind= narrow it as they narrow the actions list (each
// may be repeated: any of them); the challenges follow the actions kept.
// framework= (and provision=) narrow it to the actions that count for a
// framework (or one of its provisions), without the challenges. Its bytes
// depend on the public data and the query only (its updated is its newest
// entry's), and its ETag is made from those bytes, so that two different
// bodies never share one.
func (h *Handler) feed(c echo.Context) error {
	lang := "en"
	if q := c.QueryParams(); q.Has("lang") {
		if lang = locale.Supported(q.Get("lang")); lang == "" {
			return errs.Field(errs.Invalid, "lang", "is one of en, fr")
		}
	}
	only, err := feedFilter(c.QueryParams())
	if err != nil {
		return err
	}
	if err := h.checkFrameworkFilter(c, only.Framework, only.Provision); err != nil {
		return err
	}
	ctx := c.Request().Context()
	list, _, err := h.Actions.Public(ctx, only)
	if err != nil {
		return err
	}
	t := h.Catalogue.Translator(lang)
	base := strings.TrimRight(h.BaseURL, "/")
	orgs := only.AnyOf.StakeholderIDs
	if only.StakeholderID != 0 {
		orgs = append(orgs, only.StakeholderID)
	}
	names, err := h.Stakeholders.PublicNames(ctx, orgs)
	if err != nil {
		return err
	}
	self, page, title := feedAddresses(t, base, lang, c.QueryParams(), only, names)
	f := atomFeed{Lang: lang, Title: title, ID: self, Rights: Licence, Links: []atomLink{{Href: self, Rel: "self"}, {Href: page}}}
	for _, a := range list {
		updated := a.UpdatedAt
		if a.AcceptedAt != nil {
			updated = *a.AcceptedAt
		}
		f.Entries = append(f.Entries, atomEntry{Title: a.Title, ID: fmt.Sprintf("%s/actions/%d", base, a.ID),
			Updated: updated.UTC().Format(time.RFC3339), Link: atomLink{Href: fmt.Sprintf("%s/actions/%d", base, a.ID)},
			Author: a.Organisation, Summary: t("feed_action_summary", map[string]any{"Organisation": a.Organisation,
				"Year": a.CycleYear, "Title": a.Title, "Stage": t("stage_" + string(a.Stage))})})
	}
	more, err := h.feedOthers(ctx, t, base, only)
	if err != nil {
		return err
	}
	f.Entries = append(f.Entries, more...)
	// One list in date order: each kind comes newest first, and the times
	// are written alike (UTC, to the second), so they sort as text.
	slices.SortStableFunc(f.Entries, func(a, b atomEntry) int { return strings.Compare(b.Updated, a.Updated) })
	f.Entries = f.Entries[:min(len(f.Entries), feedSize)]
	// The feed changed when its newest entry came; an empty one never did.
	f.Updated = time.Unix(0, 0).UTC().Format(time.RFC3339)
	if len(f.Entries) > 0 {
		f.Updated = f.Entries[0].Updated
	}
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	body := append([]byte(xml.Header), out...)
	sum := sha256.Sum256(body)
	if etag.NotModified(c.Response(), c.Request(), "feed", hex.EncodeToString(sum[:])) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, "application/atom+xml; charset=utf-8", body)
}

// feedFilter reads a feed's filters the way the actions list reads its
// own, keeping only those a feed follows.
func feedFilter(q url.Values) (action.Filter, error) {
	all, err := action.ParsePublicFilter(q)
	if err != nil {
		return action.Filter{}, err
	}
	only := action.Filter{Recommendation: all.Recommendation, Country: all.Country, StakeholderID: all.StakeholderID,
		Kind: all.Kind, AnyOf: all.AnyOf, Framework: all.Framework, Provision: all.Provision}
	only.Limit, only.SkipTotal = feedSize, true
	return only, nil
}

// filtered reports whether f narrows the actions by one of the followed
// filters.
func filtered(f action.Filter) bool {
	a := f.AnyOf
	return f.Recommendation != 0 || f.Country != "" || f.StakeholderID != 0 || f.Kind != "" ||
		len(a.Recommendations)+len(a.StakeholderIDs)+len(a.Kinds)+len(a.Countries) > 0
}

// feedAddresses are the feed's own address, the page it follows (both
// with the query that made it, in a stable order) and its title.
func feedAddresses(t locale.Translate, base, lang string, in url.Values, only action.Filter, names map[int64]string) (self, page, title string) {
	q := url.Values{}
	var said []string
	for _, name := range followedFilters {
		for _, v := range in[name] {
			q.Add(name, v)
			said = append(said, filterWords(t, name, v, names))
		}
	}
	title = t("feed_title")
	if filtered(only) {
		title = t("follow_feed_title", map[string]any{"Filters": strings.Join(said, ", ")})
	}
	if only.Framework != "" {
		q.Set("framework", only.Framework)
		name := only.Framework
		if only.Provision != "" {
			q.Set("provision", only.Provision)
			name += " " + only.Provision
		}
		title = t("feed_title_framework", map[string]any{"Framework": name})
	}
	if lang != "en" {
		q.Set("lang", lang)
	}
	self, page = base+"/feed.atom", base+"/actions"
	if len(q) > 0 {
		self, page = self+"?"+q.Encode(), page+"?"+q.Encode()
	}
	return self, page, title
}

// filterWords says one followed filter's value in words: an organisation
// by its name in names, or by its number when it has none to show.
func filterWords(t locale.Translate, name, v string, names map[int64]string) string {
	switch name {
	case "recommendation":
		return t("follow_filter_recommendation", map[string]any{"Number": v})
	case "organisation":
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && names[id] != "" {
			return names[id]
		}
		return t("follow_filter_organisation", map[string]any{"ID": v})
	case "kind":
		return t("kind_" + v)
	}
	return strings.ToUpper(v)
}

// feedOthers are the entries besides the actions: the published reports
// and challenges (the challenges of the actions kept, when the feed is
// narrowed), and the data releases. A feed of a framework follows its
// actions only.
func (h *Handler) feedOthers(ctx context.Context, t locale.Translate, base string, only action.Filter) ([]atomEntry, error) {
	if only.Framework != "" {
		return nil, nil
	}
	out, err := h.reportEntries(ctx, t, base)
	if err != nil {
		return nil, err
	}
	challenges, _, err := h.Challenges.Published(ctx, challenge.Filter{Limit: feedSize})
	if err != nil {
		return nil, err
	}
	var kept map[int64]bool
	if filtered(only) {
		// The challenges of the actions the feed follows: their ids, all
		// of them, not only the newest few the feed lists.
		kept = map[int64]bool{}
		all := only
		all.Limit = 0
		if err := h.Actions.EachPublic(ctx, all, func(batch []action.Action) error {
			for _, a := range batch {
				kept[a.ID] = true
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	for _, ch := range challenges {
		if kept == nil || kept[ch.ActionID] {
			out = append(out, challengeEntry(t, base, ch))
		}
	}
	releases, err := h.releaseEntries(ctx, t, base)
	return append(out, releases...), err
}

// reportEntries are the published reports the public may read, each from
// the time it became public.
func (h *Handler) reportEntries(ctx context.Context, t locale.Translate, base string) ([]atomEntry, error) {
	list, err := h.Reports.List(ctx, user.Actor{}, 0)
	if err != nil {
		return nil, err
	}
	var out []atomEntry
	for _, r := range list {
		if r.Status != report.Published || r.PublishedAt == nil {
			continue
		}
		at := *r.PublishedAt
		if r.PublicFrom.After(at) {
			at = r.PublicFrom
		}
		link := base + "/reports/" + strconv.FormatInt(r.ID, 10)
		title := t("follow_feed_report", map[string]any{"Year": r.CycleYear})
		out = append(out, atomEntry{Title: title, ID: link, Updated: at.UTC().Format(time.RFC3339), Link: atomLink{Href: link},
			Author: t("follow_feed_secretariat"), Summary: title + "."})
	}
	return out, nil
}

// releaseEntries are the data releases the public may see, each from the
// time it was made, or from the Forum when its report waited for it.
func (h *Handler) releaseEntries(ctx context.Context, t locale.Translate, base string) ([]atomEntry, error) {
	list, err := h.Releases.List(ctx, user.Actor{})
	if err != nil {
		return nil, err
	}
	out := make([]atomEntry, 0, len(list))
	for _, r := range list {
		at := r.CreatedAt
		if r.PublicFrom.After(at) {
			at = r.PublicFrom
		}
		link := base + "/releases/" + r.Version()
		title := t("release_title", map[string]any{"Version": r.Version()})
		summary := title + "."
		if r.Changelog != "" {
			summary = title + ": " + r.Changelog
		}
		out = append(out, atomEntry{Title: title, ID: link, Updated: at.UTC().Format(time.RFC3339), Link: atomLink{Href: link},
			Author: t("follow_feed_secretariat"), Summary: summary})
	}
	return out, nil
}
