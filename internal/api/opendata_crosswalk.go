package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/export"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/request"
)

// The crosswalk's open data: every link of an action the public sees to a
// provision, how it was made, one row a link.

// openLinkDTO is a link of the open data.
type openLinkDTO struct {
	ActionID  int64  `json:"action_id"`
	Cycle     int    `json:"cycle"`
	Framework string `json:"framework"`
	Provision string `json:"provision"`
	Kind      string `json:"kind"`
}

func openLinkOf(l framework.PublicLink) openLinkDTO {
	return openLinkDTO{ActionID: l.ActionID, Cycle: l.Year, Framework: l.FrameworkKey, Provision: l.ProvisionKey, Kind: string(l.Kind)}
}

// The columns of the crosswalk's CSV: those of the JSON, in its order.
var openLinksHeader = []string{"action_id", "cycle", "framework", "provision", "kind"}

// linkFilter reads cycle=, framework= and provision= and checks that the
// framework and its provision exist, before any answer goes out.
func (h *Handler) linkFilter(c echo.Context) (framework.LinkFilter, error) {
	var f framework.LinkFilter
	var err error
	if f.Year, err = request.QueryYear(c, "cycle"); err != nil {
		return f, err
	}
	f.Framework, f.Provision = strings.TrimSpace(c.QueryParam("framework")), strings.TrimSpace(c.QueryParam("provision"))
	return f, h.checkFrameworkFilter(c, f.Framework, f.Provision)
}

// checkFrameworkFilter says whether framework= and provision= name a
// framework and a provision of it, as every public list asks.
func (h *Handler) checkFrameworkFilter(c echo.Context, key, provision string) error {
	if key == "" && provision == "" {
		return nil
	}
	if key == "" {
		return errs.Field(errs.Invalid, "provision", "needs the framework it belongs to (framework=KEY)")
	}
	all, err := h.Frameworks.List(c.Request().Context())
	if err != nil {
		return err
	}
	return framework.CheckFilter(all, key, provision)
}

// openDataCrosswalkCSV streams the links of the public actions as CSV.
func (h *Handler) openDataCrosswalkCSV(c echo.Context) error {
	f, err := h.linkFilter(c)
	if err != nil {
		return err
	}
	if done, err := h.notModified(c); done {
		return err
	}
	downloadHeaders(c, "text/csv; charset=utf-8", "pctracker-crosswalk.csv")
	c.Response().WriteHeader(http.StatusOK)
	t, err := export.NewTable(c.Response(), openLinksHeader)
	if err != nil {
		return err
	}
	err = h.Frameworks.EachPublicLink(c.Request().Context(), f, func(batch []framework.PublicLink) error {
		for _, l := range batch {
			d := openLinkOf(l)
			if err := t.Row([]string{strconv.FormatInt(d.ActionID, 10), strconv.Itoa(d.Cycle), d.Framework, d.Provision, d.Kind}); err != nil {
				return err
			}
		}
		return nil
	})
	if ferr := t.Flush(); err == nil {
		err = ferr
	}
	return err // the status is sent: an error now ends the body early, and is logged
}

// openDataCrosswalkJSON streams the links of the public actions as one
// JSON document, with its licence, as the other open data.
func (h *Handler) openDataCrosswalkJSON(c echo.Context) error {
	f, err := h.linkFilter(c)
	if err != nil {
		return err
	}
	if done, err := h.notModified(c); done {
		return err
	}
	list, err := h.startJSONList(c, "pctracker-crosswalk.json", "links")
	if err != nil {
		return err
	}
	err = h.Frameworks.EachPublicLink(c.Request().Context(), f, func(batch []framework.PublicLink) error {
		for _, l := range batch {
			if err := list.add(openLinkOf(l)); err != nil {
				return err
			}
		}
		return nil
	})
	return list.end(err)
}
