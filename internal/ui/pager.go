package ui

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
)

// listPage is where a list stands among its pages, as the pager partial
// shows it: "page N of M", with the pages before and after.
type listPage struct {
	PageNo, Pages    int
	PrevURL, NextURL string
}

// pageError is a page of a list that cannot be shown: a page number that
// cannot be read (Invalid) or one past the last page (NotFound). Every list
// answers it with the same page, which says so and links to a page that
// exists; the error page takes it from the error (RenderError).
type pageError struct {
	err    *errs.Error
	Asked  string // the page as asked for
	Last   int    // the last page, when known
	GoURL  string // the page to go to instead: the last, or the first
	Number int    // the page asked for, when it is a number
}

func (e *pageError) Error() string { return e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

// readPage reads ?page= the one way every list does (request.Page); one
// that cannot be read is answered with the first page's address.
func readPage(c echo.Context, link func(page int) string) (int, error) {
	n, err := request.Page(c)
	if err != nil {
		var e *errs.Error
		errors.As(err, &e)
		return 0, &pageError{err: e, Asked: c.QueryParam("page"), GoURL: link(1)}
	}
	return n, nil
}

// paging places page among the pages of a list of total rows, size a page.
// A page past the last is not found; the first page always exists, if
// empty.
func paging(page, size, total int, link func(page int) string) (listPage, error) {
	pages := max((total+size-1)/size, 1)
	if page > pages {
		return listPage{}, &pageError{err: errs.E(errs.NotFound, "page %d does not exist; the last page is %d", page, pages),
			Asked: strconv.Itoa(page), Number: page, Last: pages, GoURL: link(pages)}
	}
	p := listPage{PageNo: page, Pages: pages}
	p.PrevURL, p.NextURL = pageLinks(page, size, total, link)
	return p, nil
}

// pageErrorView is the answer to a page of a list that cannot be shown.
type pageErrorView struct {
	Page
	Status int
	*pageError
}

// renderPageError answers err if it is a pageError, and says whether it was.
func (h *Handler) renderPageError(c echo.Context, err error) (bool, error) {
	var pe *pageError
	if !errors.As(err, &pe) {
		return false, nil
	}
	status := http.StatusNotFound
	if pe.err.Kind == errs.Invalid {
		status = http.StatusUnprocessableEntity
	}
	v := pageErrorView{Page: newPage(c, ""), Status: status, pageError: pe}
	return true, h.renderer.render(c, status, "page_error", v.Lang, v)
}
