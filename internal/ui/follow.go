package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/subscription"
)

// Follow is what the pages need of the mail subscriptions.
type Follow interface {
	Subscribe(ctx context.Context, in subscription.Input, client string) error
	Pending(ctx context.Context, token string) (subscription.Subscription, error)
	Confirm(ctx context.Context, token string) (subscription.Subscription, error)
	Managed(ctx context.Context, token string) (subscription.Subscription, error)
	Change(ctx context.Context, token string, f subscription.Frequency, lang string) (subscription.Subscription, error)
	Unsubscribe(ctx context.Context, token string) error
	Describe(ctx context.Context, sub subscription.Subscription, t locale.Translate) (string, error)
}

// followRoutes are the pages of the mail subscriptions people follow without an account.
// A GET only shows: mail scanners follow links, so every change is a POST.
func (h *Handler) followRoutes(e *echo.Echo, lang echo.MiddlewareFunc) {
	e.POST("/follow", h.followSignUp, lang)
	e.GET("/follow/confirm/:token", h.followConfirmPage, lang)
	e.POST("/follow/confirm/:token", h.followConfirm, lang)
	e.GET("/follow/manage/:token", h.followManagePage, lang)
	e.POST("/follow/manage/:token", h.followManage, lang)
	e.GET("/unsubscribe/:token", h.unsubscribePage, lang)
	e.POST("/unsubscribe/:token", h.unsubscribe, lang)
}

// followedFilters are the filters of the actions list that a feed and a
// mail subscription follow; each may be given several times.
var followedFilters = []string{"recommendation", "country", "organisation", "kind"}

// FollowForm is, on a page that shows a filtered list, the address of
// its Atom feed and the sign-up form for its mail digest.
type FollowForm struct {
	Feed      string
	Params    []Param // the filters, as hidden fields of the form
	Email     string  // what the person typed, given back with an error
	Frequency string
	MailLang  string
	Errors    []string // the messages' keys of the wrong fields
}

// Param is one name and value of a query.
type Param struct{ Name, Value string }

// followFormOf follows what a page shows: the actions list's followed
// filters, a recommendation's actions, an organisation's actions; nil for
// every other page, which advertises the whole feed. The values are
// passed on as given: the feed and the sign-up check them.
func followFormOf(c echo.Context, lang string) *FollowForm {
	q := followedQuery(c)
	if len(q) == 0 {
		return nil
	}
	return newFollowForm(q, lang)
}

func newFollowForm(q url.Values, lang string) *FollowForm {
	f := &FollowForm{Frequency: string(subscription.Weekly), MailLang: lang}
	for _, name := range followedFilters {
		for _, v := range q[name] {
			f.Params = append(f.Params, Param{name, v})
		}
	}
	feed := url.Values{}
	for _, p := range f.Params {
		feed.Add(p.Name, p.Value)
	}
	feed.Set("lang", lang)
	f.Feed = "/feed.atom?" + feed.Encode()
	return f
}

// followedQuery is what a page shows, as the filters a feed or a
// subscription follows.
func followedQuery(c echo.Context) url.Values {
	q := url.Values{}
	switch c.Path() {
	case "/actions":
		in := c.QueryParams()
		for _, name := range followedFilters {
			for _, v := range in[name] {
				if v = strings.TrimSpace(v); v != "" {
					q.Add(name, v)
				}
			}
		}
	case "/recommendations/:number":
		q.Set("recommendation", c.Param("number"))
	case "/organisations/:id":
		q.Set("organisation", c.Param("id"))
	}
	return q
}

// followView is every page of a subscription.
type followView struct {
	Page
	Token     string // the secret of the link that opened the page
	Filters   string // what the subscription follows, in words
	Frequency string
	MailLang  string
	Saved     bool
	Done      bool     // the page tells a step taken
	Gone      bool     // the link is used, expired or was never valid
	Errors    []string // the messages' keys of the wrong fields
}

// followErrorKeys are the catalogue's keys of the messages of wrong fields, in
// a stable order.
func followErrorKeys(fields map[string]string) []string {
	var out []string
	for k := range fields {
		out = append(out, "follow_err_"+strings.ReplaceAll(k, ".", "_"))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (h *Handler) followView(c echo.Context, token string, sub *subscription.Subscription) followView {
	if token != "" {
		noStore(c) // the page's address holds a secret
	}
	v := followView{Page: h.formPage(c, "follow"), Token: token}
	if sub != nil {
		t := h.renderer.tr[v.Lang]
		what, err := h.Follow.Describe(c.Request().Context(), *sub, t)
		if err != nil {
			what = sub.Filters.Describe(t, nil) // the organisations by number
		}
		v.Filters, v.Frequency, v.MailLang = what, string(sub.Frequency), sub.Lang
	}
	return v
}

// followGone renders a page for a link that no longer works, or passes on
// any other error.
func (h *Handler) followGone(c echo.Context, err error, page string, v followView) error {
	if errs.KindOf(err) != errs.NotFound {
		return err
	}
	v.Gone = true
	return h.renderer.render(c, http.StatusNotFound, page, v.Lang, v)
}

// followSignUp takes the sign-up form. Its answer is the same page for
// every valid sign-up (see subscription.Service.Subscribe); a wrong field
// shows the form again with the person's text. The form is on public
// pages that any visitor may be served from a cache, so it carries no
// visitor's token: the server's cross-origin check refuses a post made
// from another site, a signed-in person's post carries the session's
// token as every form does, and a sign-up does nothing before the
// address confirms it.
func (h *Handler) followSignUp(c echo.Context) error {
	form, _ := c.FormParams()
	in, err := subscription.Read(form.Get("email"), form, form.Get("frequency"), form.Get("mail_lang"))
	if err == nil {
		err = h.Follow.Subscribe(c.Request().Context(), in, c.RealIP())
	}
	v := h.followView(c, "", nil)
	var e *errs.Error
	if errors.As(err, &e) && e.Kind == errs.Invalid {
		v.Follow = newFollowForm(form, v.Lang)
		v.Follow.Email, v.Follow.Frequency, v.Follow.MailLang = form.Get("email"), form.Get("frequency"), form.Get("mail_lang")
		v.Follow.Errors = followErrorKeys(e.Fields)
		return h.renderer.render(c, http.StatusUnprocessableEntity, "follow_signup", v.Lang, v)
	}
	if err != nil {
		return err
	}
	v.Done = true
	return h.renderer.render(c, http.StatusOK, "follow_signup", v.Lang, v)
}

func (h *Handler) followConfirmPage(c echo.Context) error {
	token := c.Param("token")
	sub, err := h.Follow.Pending(c.Request().Context(), token)
	if err != nil {
		return h.followGone(c, err, "follow_confirm", h.followView(c, token, nil))
	}
	v := h.followView(c, token, &sub)
	return h.renderer.render(c, http.StatusOK, "follow_confirm", v.Lang, v)
}

func (h *Handler) followConfirm(c echo.Context) error {
	if err := h.checkForm(c); err != nil {
		return err
	}
	token := c.Param("token")
	sub, err := h.Follow.Confirm(c.Request().Context(), token)
	if err != nil {
		return h.followGone(c, err, "follow_confirm", h.followView(c, token, nil))
	}
	v := h.followView(c, token, &sub)
	v.Done = true
	return h.renderer.render(c, http.StatusOK, "follow_confirm", v.Lang, v)
}

func (h *Handler) followManagePage(c echo.Context) error {
	token := c.Param("token")
	sub, err := h.Follow.Managed(c.Request().Context(), token)
	if err != nil {
		return h.followGone(c, err, "follow_manage", h.followView(c, token, nil))
	}
	v := h.followView(c, token, &sub)
	v.Saved = c.QueryParam("saved") == "1"
	return h.renderer.render(c, http.StatusOK, "follow_manage", v.Lang, v)
}

// followManage changes the frequency and language, then shows the page
// again (post, redirect, get).
func (h *Handler) followManage(c echo.Context) error {
	if err := h.checkForm(c); err != nil {
		return err
	}
	token := c.Param("token")
	_, err := h.Follow.Change(c.Request().Context(), token, subscription.Frequency(c.FormValue("frequency")), c.FormValue("mail_lang"))
	var e *errs.Error
	switch {
	case errors.As(err, &e) && e.Kind == errs.Invalid:
		sub, gerr := h.Follow.Managed(c.Request().Context(), token)
		if gerr != nil {
			return h.followGone(c, gerr, "follow_manage", h.followView(c, token, nil))
		}
		v := h.followView(c, token, &sub)
		v.Errors = followErrorKeys(e.Fields)
		return h.renderer.render(c, http.StatusUnprocessableEntity, "follow_manage", v.Lang, v)
	case err != nil:
		return h.followGone(c, err, "follow_manage", h.followView(c, token, nil))
	}
	return c.Redirect(http.StatusSeeOther, "/follow/manage/"+url.PathEscape(token)+"?saved=1&lang="+langOf(c))
}

func (h *Handler) unsubscribePage(c echo.Context) error {
	token := c.Param("token")
	if _, err := h.Follow.Managed(c.Request().Context(), token); err != nil {
		return h.followGone(c, err, "follow_unsubscribe", h.followView(c, token, nil))
	}
	v := h.followView(c, token, nil)
	return h.renderer.render(c, http.StatusOK, "follow_unsubscribe", v.Lang, v)
}

// unsubscribe ends a subscription. It takes no form token: the secret in
// its address is proof enough, and a mail program's one-click POST (RFC
// 8058, List-Unsubscribe-Post) has no page to take one from. A link that
// no longer works says so; the address is gone either way.
func (h *Handler) unsubscribe(c echo.Context) error {
	token := c.Param("token")
	if err := h.Follow.Unsubscribe(c.Request().Context(), token); err != nil {
		return h.followGone(c, err, "follow_unsubscribe", h.followView(c, token, nil))
	}
	v := h.followView(c, token, nil)
	v.Done = true
	return h.renderer.render(c, http.StatusOK, "follow_unsubscribe", v.Lang, v)
}
