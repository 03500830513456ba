package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

var months = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
}

// formatDate writes a day the way each language does: "1 October 2026",
// "1 octobre 2026".
func formatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	m, ok := months[lang]
	if !ok {
		m = months["en"]
	}
	day := strconv.Itoa(t.Day())
	if lang == "fr" && t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, m[t.Month()-1], t.Year())
}

// formatDateTime adds the UTC time of day.
func formatDateTime(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	sep := " at "
	if lang == "fr" {
		sep = " à "
	}
	return formatDate(lang, t) + sep + t.UTC().Format("15:04") + " UTC"
}

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
