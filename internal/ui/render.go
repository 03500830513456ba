package ui

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/cache"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/session"
	"github.com/pctracker/pctracker/internal/user"
)

// renderer holds every page template, parsed once at start: the base layout
// and partials cloned for each page, then for each language with its
// translation functions bound.
type renderer struct {
	tfs    fs.FS
	bases  map[string]*template.Template // lang -> the layouts and partials, cloned for each page, never run
	files  map[string]string             // page -> its file
	hashes map[string]string
	tr     map[string]locale.Translate // lang -> translation, for text built in Go (charts)

	// Each page is a copy of the layouts with its own file, in each
	// language: all of them weigh some 24 MB, which a server would hold
	// though most are never asked for. They are made on first use
	// (every one is checked at start).
	mu    sync.RWMutex
	pages map[string]map[string]*template.Template // lang -> page -> template
}

func newRenderer(tfs, i18nFS fs.FS, hashes map[string]string) (*renderer, error) {
	cat, err := locale.Load(i18nFS)
	if err != nil {
		return nil, err
	}
	r := &renderer{tfs: tfs, bases: map[string]*template.Template{}, files: map[string]string{},
		pages: map[string]map[string]*template.Template{}, hashes: hashes, tr: map[string]locale.Translate{}}
	for _, tag := range locale.Languages() {
		lang := tag.String()
		tr := cat.Translator(lang)
		r.tr[lang] = tr
		funcs := template.FuncMap{
			"t":          tr,
			"tn":         func(key string, n int) string { return tr(key, map[string]any{"Number": n}) },
			"asset":      r.asset,
			"contains":   func(list []int, n int) bool { return slices.Contains(list, n) },
			"hasPrefix":  strings.HasPrefix,
			"errKey":     messageKey,
			"list":       func(items ...string) []string { return items },
			"bytes":      func(n int64) string { return locale.Bytes(lang, n) },
			"colon":      func() string { return locale.Colon(lang) },
			"fieldError": func(field string) string { return fieldError(tr, field) },
			"dict": func(kv ...any) map[string]any {
				m := map[string]any{}
				for i := 0; i+1 < len(kv); i += 2 {
					m[fmt.Sprint(kv[i])] = kv[i+1]
				}
				return m
			},
			"date": func(t any) string {
				switch v := t.(type) {
				case time.Time:
					return formatDate(lang, v)
				case *time.Time:
					if v != nil {
						return formatDate(lang, *v)
					}
				}
				return ""
			},
			// Search (issue 19.1): the words a search asked for, marked in results.
			"marked":  marked,
			"snippet": snippet,
			// (end of search)
		}
		base, err := template.New("base").Funcs(funcs).ParseFS(tfs, "layouts/*.html", "partials/*.html")
		if err != nil {
			return nil, fmt.Errorf("parse layouts: %w", err)
		}
		pages, err := fs.Glob(tfs, "pages/*.html")
		if err != nil {
			return nil, err
		}
		r.bases[lang], r.pages[lang] = base, map[string]*template.Template{}
		for _, p := range pages {
			r.files[strings.TrimSuffix(path.Base(p), ".html")] = p
		}
	}
	// Checked now, kept when first asked for.
	for lang := range r.bases {
		for page := range r.files {
			if _, err := r.build(lang, page); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

// template returns the template of a page in a language, made on its
// first use.
func (r *renderer) template(lang, page string) (*template.Template, error) {
	r.mu.RLock()
	t, ok := r.pages[lang][page]
	r.mu.RUnlock()
	if ok {
		return t, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.pages[lang][page]; ok {
		return t, nil
	}
	t, err := r.build(lang, page)
	if err != nil {
		return nil, err
	}
	r.pages[lang][page] = t
	return t, nil
}

// build makes a page's template: a copy of the layouts of lang with the
// page's own file.
func (r *renderer) build(lang, page string) (*template.Template, error) {
	base, file := r.bases[lang], r.files[page]
	if base == nil || file == "" {
		return nil, fmt.Errorf("no page template %q in %q", page, lang)
	}
	clone, err := base.Clone()
	if err != nil {
		return nil, err
	}
	t, err := clone.ParseFS(r.tfs, file)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	return t, nil
}

// asset returns the URL of a static file by its fingerprinted name, which
// browsers and CDNs may keep forever.
func (r *renderer) asset(name string) string {
	if f, ok := r.hashes[name]; ok {
		return "/static/" + f
	}
	return "/static/" + name
}

// Page is what every page's view model carries.
type Page struct {
	Lang         string
	OtherLang    string
	OtherLangURL string
	// Canonical is the page's absolute address in its own language, and
	// Alternates the same page in each language and for any other
	// (x-default): what search engines index and link between.
	Canonical   string
	Alternates  []Alternate
	Section     string
	RequestID   string
	User        string // who is signed in, "" for visitors
	Supporter   bool   // the signed-in person reports for an organisation
	Secretariat bool   // the signed-in person is of the secretariat
	CSRF        string // the session's CSRF token, for every form

	// Follow is, on a filtered list, its feed and its mail sign-up (follow.go).
	Follow *FollowForm
}

// newPage fills the common part of a view model from the request.
func newPage(c echo.Context, section string) Page {
	lang := langOf(c)
	other := "fr"
	if lang == "fr" {
		other = "en"
	}
	q := c.Request().URL.Query()
	q.Set("lang", other)
	// A query-only link keeps the current page without repeating its path:
	// a path such as //elsewhere.example would otherwise become a link to
	// another site.
	canonical, alternates := addresses(c, lang)
	return Page{Lang: lang, OtherLang: other, OtherLangURL: "?" + q.Encode(), Canonical: canonical, Alternates: alternates,
		Section: section, RequestID: c.Response().Header().Get(echo.HeaderXRequestID),
		User: callerLabel(c), Supporter: isSupporter(c), Secretariat: isSecretariat(c), CSRF: csrfToken(c), Follow: followFormOf(c, lang)}
}

// pageLinks are the addresses of the pages before and after page, in a list
// of total items shown size a page ("" where there is none), made by link.
func pageLinks(page, size, total int, link func(page int) string) (prev, next string) {
	if page > 1 {
		prev = link(page - 1)
	}
	if page*size < total {
		next = link(page + 1)
	}
	return prev, next
}

func isSecretariat(c echo.Context) bool {
	a, ok := user.ActorFrom(c.Request().Context())
	return ok && a.IsSecretariat()
}

func isSupporter(c echo.Context) bool {
	a, ok := user.ActorFrom(c.Request().Context())
	return ok && a.Role == user.Supporter
}

// callerLabel names the signed-in caller for the page header; "" for a visitor.
func callerLabel(c echo.Context) string {
	if a, ok := user.ActorFrom(c.Request().Context()); ok {
		return a.Label()
	}
	return ""
}

func csrfToken(c echo.Context) string {
	if s, ok := session.From(c.Request().Context()); ok {
		return s.CSRF
	}
	return ""
}

// render writes a page with status. It renders into a buffer first so that
// a template error becomes a clean 500, never half a page.
func (r *renderer) render(c echo.Context, status int, page string, lang string, data any) error {
	b, err := r.page(page, lang, data)
	if err != nil {
		return err
	}
	return send(c, status, lang, b)
}

// page renders a page to bytes.
func (r *renderer) page(page string, lang string, data any) ([]byte, error) {
	t, err := r.template(lang, page)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", page, err)
	}
	return buf.Bytes(), nil
}

// send writes a rendered page.
func send(c echo.Context, status int, lang string, page []byte) error {
	h := c.Response().Header()
	h.Set("Content-Language", lang)
	etag.Vary(h, "Accept-Language", "Cookie")
	if _, ok := user.ActorFrom(c.Request().Context()); ok {
		h.Set("Cache-Control", "no-store") // a signed-in page is nobody else's
	}
	return c.HTMLBlob(status, page)
}

// sendCached writes a page kept for visitors, in the coding the visitor
// accepts.
func sendCached(c echo.Context, lang string, a *cache.Answer) error {
	h := c.Response().Header()
	h.Set("Content-Language", lang)
	etag.Vary(h, "Accept-Language", "Cookie")
	return etag.Write(c.Response(), c.Request(), http.StatusOK, a)
}

// noStore keeps a page out of every cache, the browser's history included:
// a secret must not outlive the answer that shows it.
func noStore(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-store")
}

// retryAfter tells a throttled client how long to wait, in the
// Retry-After header and in words of the page's language for the message
// beside it: both from errs' one rounding, so they say the same duration.
func (h *Handler) retryAfter(c echo.Context, err error) string {
	seconds := errs.RetryAfterSeconds(err)
	c.Response().Header().Set("Retry-After", strconv.Itoa(seconds))
	n, minutes := errs.WaitUnits(time.Duration(seconds) * time.Second)
	key := "wait_seconds"
	if minutes {
		key = "wait_minutes"
	}
	return h.renderer.tr[langOf(c)](key, map[string]any{"Count": n})
}

// langOf returns the language chosen for this request by the middleware.
func langOf(c echo.Context) string {
	if l, ok := c.Get(langKey).(string); ok {
		return l
	}
	return "en"
}

const langKey = "lang"

// languageMiddleware picks the language of each page request and remembers
// an explicit choice for a year.
func (h *Handler) languageMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		lang, explicit := pickLanguage(h.matcher, c.Request())
		c.Set(langKey, lang)
		c.Set(baseURLKey, h.BaseURL)
		if explicit {
			c.SetCookie(&http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure})
		}
		return next(c)
	}
}
