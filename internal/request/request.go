// Package request reads what the pages and the API both read from a
// request, one way for both: who is calling, and the ids, years and page
// numbers in its path and query. A path that names nothing is not found; a
// query or form value that cannot be read is invalid, with its field named.
package request

import (
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/user"
)

// Caller returns the signed-in caller, or Unauthorized (which pages turn
// into a visit to the sign-in form).
func Caller(c echo.Context) (user.Actor, error) {
	a, ok := user.ActorFrom(c.Request().Context())
	if !ok {
		return user.Actor{}, errs.E(errs.Unauthorized, "sign in, or send an API token as Authorization: Bearer <token>")
	}
	return a, nil
}

// Secretariat returns the caller if they are of the secretariat, and
// refuses anyone else before the request is read.
func Secretariat(c echo.Context) (user.Actor, error) {
	by, err := Caller(c)
	if err != nil {
		return by, err
	}
	return by, by.RequireSecretariat("this is for the secretariat")
}

// Key reads a key from the path parameter param: a framework's or a
// provision's, which hold spaces, brackets and colons. Echo matches the
// escaped path when the request's differs from Go's own escaping (a key
// with brackets or an escaped colon), and then leaves the parameter
// escaped; otherwise it is already plain, and unescaping it again would
// spoil a key that holds a "%". A key that cannot be read names no noun.
func Key(c echo.Context, param, noun string) (string, error) {
	v := c.Param(param)
	if c.Request().URL.RawPath != "" {
		var err error
		if v, err = url.PathUnescape(v); err != nil {
			v = ""
		}
	}
	if v == "" {
		return "", errs.E(errs.NotFound, "there is no such %s", noun)
	}
	return v, nil
}

// ID reads a positive id from the path parameter param; anything else
// names no noun.
func ID(c echo.Context, param, noun string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(param), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.NotFound, "no such %s", noun)
	}
	return id, nil
}

// Number reads a small positive number, such as a recommendation's, from
// the path parameter param.
func Number(c echo.Context, param, noun string) (int, error) {
	n, err := strconv.Atoi(c.Param(param))
	if err != nil || n <= 0 {
		return 0, errs.E(errs.NotFound, "no such %s", noun)
	}
	return n, nil
}

// Years a cycle may have: the Call dates from 2018.
const (
	FirstYear = 2018
	LastYear  = 2100
)

// PathYear reads a cycle's year from the path parameter "year".
func PathYear(c echo.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y < FirstYear || y > LastYear {
		return 0, errs.E(errs.NotFound, "no such cycle")
	}
	return y, nil
}

// Year reads a cycle's year from a query or form value, field naming it.
func Year(field, value string) (int, error) {
	y, err := strconv.Atoi(value)
	if err != nil || y < FirstYear || y > LastYear {
		return 0, errs.Field(errs.Invalid, field, "must be a year such as 2026")
	}
	return y, nil
}

// QueryYear reads the year of a cycle the query may name in its parameter
// field, as Year does; 0 when it names none.
func QueryYear(c echo.Context, field string) (int, error) {
	v := c.QueryParam(field)
	if v == "" {
		return 0, nil
	}
	return Year(field, v)
}

// Paging is a page of a list: its number, from 1, and its size.
type Paging struct {
	Page, PerPage int
}

// Limit and Offset say which rows the page holds.
func (p Paging) Limit() int  { return p.PerPage }
func (p Paging) Offset() int { return (p.Page - 1) * p.PerPage }

// MaxPage bounds page numbers, so that an offset stays a sane number.
const MaxPage = 100000

// Page reads ?page=, the one way every list reads it, the pages as the
// API: absent is the first page; anything but a whole number from 1 to
// MaxPage is invalid, the field named. (A link that was cut or typed by
// hand gets an answer that says so, never a quiet first page.)
func Page(c echo.Context) (int, error) {
	v := c.QueryParam("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxPage {
		return 1, errs.Field(errs.Invalid, "page", "must be a whole number from 1 to "+strconv.Itoa(MaxPage))
	}
	return n, nil
}

// PageOf reads ?page= (from 1) and ?per_page= (1 to maxPer, per by
// default) for the API, which says what it cannot read.
func PageOf(c echo.Context, per, maxPer int) (Paging, error) {
	n, err := Page(c)
	if err != nil {
		return Paging{}, err
	}
	p := Paging{Page: n, PerPage: per}
	if v := c.QueryParam("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPer {
			return Paging{}, errs.Field(errs.Invalid, "per_page", "must be a whole number from 1 to "+strconv.Itoa(maxPer))
		}
		p.PerPage = n
	}
	return p, nil
}
