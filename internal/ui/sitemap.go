package ui

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// sitemapMax is the most addresses one sitemap may hold (the protocol's
// limit is 50,000; each page is listed once per language).
const sitemapMax = 50000

// robots tells crawlers the public pages from the private ones: the signed-in
// surfaces and the API stay out, but for its open data and its description.
func (h *Handler) robots(c echo.Context) error {
	base := strings.TrimRight(h.BaseURL, "/")
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, p := range []string{"/api/v1/open-data/", "/api/v1/openapi.json", "/feed.atom", "/"} {
		fmt.Fprintf(&b, "Allow: %s\n", p)
	}
	for _, p := range []string{"/admin", "/workspace", "/account", "/signin", "/signout", "/review", "/people",
		"/invite", "/reset", "/challenges", "/actions/new", "/actions/import", "/archive/", "/api/"} {
		fmt.Fprintf(&b, "Disallow: %s\n", p)
	}
	fmt.Fprintf(&b, "\nSitemap: %s/sitemap.xml\n", base)
	c.Response().Header().Set("Cache-Control", "public, max-age=3600")
	return c.Blob(http.StatusOK, "text/plain; charset=utf-8", []byte(b.String()))
}

// favicon answers browsers that ask for /favicon.ico with the SVG icon.
func (h *Handler) favicon(c echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return c.Redirect(http.StatusMovedPermanently, "/static/favicon.svg")
}

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	XHTML   string       `xml:"xmlns:xhtml,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc   string        `xml:"loc"`
	Links []sitemapLink `xml:"xhtml:link"`
}

type sitemapLink struct {
	Rel      string `xml:"rel,attr"`
	Hreflang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// sitemap lists the public pages, each in every language with its
// alternates, as the pages themselves link them. Only what anyone may see:
// accepted public actions whose embargo is over, active organisations,
// reports public today.
func (h *Handler) sitemap(c echo.Context) error {
	if done, err := h.notModified(c); done {
		return err
	}
	paths, err := h.publicPaths(c)
	if err != nil {
		return err
	}
	set := sitemapURLSet{NS: "http://www.sitemaps.org/schemas/sitemap/0.9", XHTML: "http://www.w3.org/1999/xhtml"}
	for _, p := range paths {
		for _, tag := range locale.Languages() {
			loc, alts := addressesOf(h.BaseURL, p, nil, tag.String())
			u := sitemapURL{Loc: loc}
			for _, a := range alts {
				u.Links = append(u.Links, sitemapLink{Rel: "alternate", Hreflang: a.Lang, Href: a.Href})
			}
			set.URLs = append(set.URLs, u)
		}
	}
	b, err := xml.MarshalIndent(set, "", " ")
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/xml; charset=utf-8", append([]byte(xml.Header), b...))
}

// publicPaths are the escaped paths of the public pages, at most
// sitemapMax/len(languages) of them.
func (h *Handler) publicPaths(c echo.Context) ([]string, error) {
	ctx := c.Request().Context()
	limit := sitemapMax / len(locale.Languages())
	paths := []string{"/", "/recommendations"}
	recs, err := h.Recommendations.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		paths = append(paths, fmt.Sprintf("/recommendations/%d", r.Number))
	}
	paths = append(paths, "/actions")
	for offset := 0; len(paths) < limit; {
		list, total, err := h.Actions.Public(ctx, action.Filter{Limit: action.PublicPageSize, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, a := range list {
			paths = append(paths, fmt.Sprintf("/actions/%d", a.ID))
		}
		offset += action.PublicPageSize
		if len(list) == 0 || offset >= total {
			break
		}
	}
	paths = append(paths, "/organisations")
	active := true
	for offset := 0; len(paths) < limit; {
		orgs, total, err := h.Stakeholders.List(ctx, stakeholder.Filter{Active: &active, Limit: directoryPageSize, Offset: offset})
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			paths = append(paths, fmt.Sprintf("/organisations/%d", o.ID))
		}
		offset += directoryPageSize
		if len(orgs) == 0 || offset >= total {
			break
		}
	}
	paths = append(paths, "/reports")
	reports, err := h.Reports.List(ctx, user.Actor{}, 0) // as a visitor: only what is public today
	if err != nil {
		return nil, err
	}
	for _, r := range reports {
		paths = append(paths, fmt.Sprintf("/reports/%d", r.ID))
	}
	paths = append(paths, "/frameworks")
	fws, err := h.Frameworks.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range fws {
		paths = append(paths, "/frameworks/"+url.PathEscape(f.Key))
	}
	paths = append(paths, "/about", "/about/crosswalk-sources")
	paths = append(paths, "/open-data", "/open-data/api") // Open data (issue 19.11)
	if len(paths) > limit {
		paths = paths[:limit]
	}
	return paths, nil
}
