package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/locale"
)

// formatDate writes a day the way each language does: "1 October 2026",
// "1er octobre 2026"; mail and pages write dates alike.
func formatDate(lang string, t time.Time) string { return locale.Date(lang, t) }

// fieldError says in the page's language what is wrong with a parameter
// or field that a domain rule refused. The rules' own messages are
// English, the API's machine vocabulary; a page says the catalogue's
// sentence for the field ("err_filter_<field>"), or its general one.
func fieldError(tr locale.Translate, field string) string {
	if key := "err_filter_" + field; tr(key) != key {
		return tr(key)
	}
	return tr("err_filter_value")
}

// formatDateTime adds the UTC time of day.
func formatDateTime(lang string, t time.Time) string { return locale.DateTime(lang, t) }

// The flash message of the next page, after a redirect (post, redirect,
// get). The cookie holds a catalogue key and a count, never user text.
const flashCookie = "pct_flash"

func (h *Handler) setFlash(c echo.Context, key string, count int) {
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: url.QueryEscape(key + "|" + strconv.Itoa(count)), Path: "/",
		MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.secure})
}

// Flash is a message shown once.
type Flash struct {
	Key   string
	Count int
}

func (h *Handler) takeFlash(c echo.Context) *Flash {
	ck, err := c.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.secure})
	raw, _ := url.QueryUnescape(ck.Value)
	key, n, _ := strings.Cut(raw, "|")
	if !strings.HasPrefix(key, "flash_") {
		return nil // only our own messages
	}
	count, _ := strconv.Atoi(n)
	return &Flash{Key: key, Count: count}
}
