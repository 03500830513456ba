package request_test

import (
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/user"
)

func contextWith(query string, params map[string]string, by *user.Actor) echo.Context {
	r := httptest.NewRequest("GET", "/x?"+query, nil)
	if by != nil {
		r = r.WithContext(user.WithActor(r.Context(), *by))
	}
	c := echo.New().NewContext(r, httptest.NewRecorder())
	var names, values []string
	for k, v := range params {
		names, values = append(names, k), append(values, v)
	}
	c.SetParamNames(names...)
	c.SetParamValues(values...)
	return c
}

// A path that names nothing is not found, on both surfaces alike.
func TestPathValues(t *testing.T) {
	for _, c := range []struct {
		value string
		id    int64
		year  int
	}{
		{"42", 42, 0},
		{"2026", 2026, 2026},
		{"0", 0, 0},
		{"-3", 0, 0},
		{"abc", 0, 0},
		{"1e3", 0, 0},
		{"2017", 2017, 0},
		{"2101", 2101, 0},
		{"99999999999999999999", 0, 0},
	} {
		ctx := contextWith("", map[string]string{"id": c.value, "year": c.value}, nil)
		id, err := request.ID(ctx, "id", "action")
		if id != c.id || (c.id == 0) != errs.Is(err, errs.NotFound) {
			t.Errorf("ID(%q): %d %v, want %d", c.value, id, err, c.id)
		}
		y, err := request.PathYear(ctx)
		if y != c.year || (c.year == 0) != errs.Is(err, errs.NotFound) {
			t.Errorf("PathYear(%q): %d %v, want %d", c.value, y, err, c.year)
		}
		// The same value in a query is invalid, with its field named.
		y, err = request.Year("cycle", c.value)
		if y != c.year || (c.year == 0) != (errs.FieldsOf(err)["cycle"] != "") {
			t.Errorf("Year(%q): %d %v, want %d", c.value, y, err, c.year)
		}
		y, err = request.QueryYear(contextWith("cycle="+c.value, nil, nil), "cycle")
		if y != c.year || (c.year == 0) != (errs.FieldsOf(err)["cycle"] != "") {
			t.Errorf("QueryYear(%q): %d %v, want %d", c.value, y, err, c.year)
		}
	}
	// A query that names no cycle asks for none.
	if y, err := request.QueryYear(contextWith("", nil, nil), "cycle"); y != 0 || err != nil {
		t.Errorf("QueryYear without a cycle: %d %v", y, err)
	}
}

// Every list, page or API, reads page one way: what the API refuses, a
// page of the site refuses too, never shows as the first page.
func TestPaging(t *testing.T) {
	for _, c := range []struct {
		query         string
		page, per     int
		bad           string // the field named
		limit, offset int
	}{
		{"", 1, 50, "", 50, 0},
		{"page=3", 3, 50, "", 50, 100},
		{"page=2&per_page=10", 2, 10, "", 10, 10},
		{"page=100000", 100000, 50, "", 50, 4999950},
		{"page=0", 0, 0, "page", 0, 0},
		{"page=-1", 0, 0, "page", 0, 0},
		{"page=x", 0, 0, "page", 0, 0},
		{"page=5432-5431", 0, 0, "page", 0, 0},
		{"page=2.0", 0, 0, "page", 0, 0},
		{"page=100001", 0, 0, "page", 0, 0},
		{"per_page=501", 0, 0, "per_page", 0, 0},
		{"per_page=0", 0, 0, "per_page", 0, 0},
	} {
		ctx := contextWith(c.query, nil, nil)
		p, err := request.PageOf(ctx, 50, 500)
		if c.bad != "" {
			if errs.FieldsOf(err)[c.bad] == "" || !errs.Is(err, errs.Invalid) {
				t.Errorf("PageOf(%q): %+v %v, want %s named", c.query, p, err, c.bad)
			}
		} else if err != nil || p.Page != c.page || p.PerPage != c.per || p.Limit() != c.limit || p.Offset() != c.offset {
			t.Errorf("PageOf(%q): %+v %v", c.query, p, err)
		}
		n, err := request.Page(ctx)
		if pageBad := c.bad == "page"; (errs.FieldsOf(err)["page"] != "") != pageBad || (!pageBad && n != max(c.page, 1)) {
			t.Errorf("Page(%q): %d %v, want page named: %t", c.query, n, err, pageBad)
		}
	}
}

func TestCaller(t *testing.T) {
	sec := user.Actor{UserID: 1, Role: user.Secretariat}
	member := user.Actor{UserID: 2, Role: user.Supporter, StakeholderID: 3, OrgRole: user.Member}
	for _, c := range []struct {
		by          *user.Actor
		caller      errs.Kind
		secretariat errs.Kind
	}{
		{nil, errs.Unauthorized, errs.Unauthorized},
		{&member, "", errs.Forbidden},
		{&sec, "", ""},
	} {
		ctx := contextWith("", nil, c.by)
		if _, err := request.Caller(ctx); errs.KindOf(err) != c.caller {
			t.Errorf("Caller(%v): %v, want %q", c.by, err, c.caller)
		}
		if _, err := request.Secretariat(ctx); errs.KindOf(err) != c.secretariat {
			t.Errorf("Secretariat(%v): %v, want %q", c.by, err, c.secretariat)
		}
	}
}
