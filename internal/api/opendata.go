package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/export"
	"github.com/pctracker/pctracker/internal/report"
)

// Licence is the licence of every public datum.
const Licence = report.LicenceName + " (" + report.LicenceURL + ")"

// The evidence_* columns hold one value per link, in the order of
// evidence_urls, separated by spaces; "-" where a link has none yet.
var openDataHeader = []string{"id", "cycle", "organisation_id", "organisation", "organisation_kind", "title", "description",
	"recommendations", "stage", "measure", "scope", "starts_on", "ends_on", "carried_from", "accepted_at", "evidence_urls",
	"evidence_state", "evidence_sha256", "archived_at", "assurance"}

func openDataRow(d publicActionDTO) []string {
	recs := make([]string, len(d.Recommendations))
	for i, n := range d.Recommendations {
		recs[i] = strconv.Itoa(n)
	}
	urls := make([]string, len(d.Evidence))
	states, shas, archived := make([]string, len(d.Evidence)), make([]string, len(d.Evidence)), make([]string, len(d.Evidence))
	for i, e := range d.Evidence {
		urls[i], states[i], shas[i], archived[i] = e.URL, "-", "-", "-"
		if c := e.Check; c != nil {
			states[i] = c.State
			if c.SHA256 != "" && c.ArchivedAt != nil {
				shas[i], archived[i] = c.SHA256, c.ArchivedAt.UTC().Format(time.RFC3339)
			}
		}
	}
	day := func(p *dateDTO) string {
		if p == nil {
			return ""
		}
		return time.Time(*p).Format(time.DateOnly)
	}
	carried, accepted := "", ""
	if d.CarriedFrom != nil {
		carried = strconv.FormatInt(*d.CarriedFrom, 10)
	}
	if d.AcceptedAt != nil {
		accepted = d.AcceptedAt.UTC().Format(time.RFC3339)
	}
	return []string{strconv.FormatInt(d.ID, 10), strconv.Itoa(d.Cycle), strconv.FormatInt(d.OrganisationID, 10), d.Organisation,
		d.OrganisationKind, d.Title, d.Description, strings.Join(recs, ";"), d.Stage, d.Measure, d.Scope, day(d.StartsOn),
		day(d.EndsOn), carried, accepted, strings.Join(urls, " "), strings.Join(states, " "), strings.Join(shas, " "),
		strings.Join(archived, " "), d.Assurance}
}

func downloadHeaders(c echo.Context, contentType, name string) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, contentType)
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s"`, name))
	h.Set("Link", "<"+report.LicenceURL+">; rel=\"license\"")
}

// openDataCSV streams every public action as CSV, a batch at a time.
func (h *Handler) openDataCSV(c echo.Context) error {
	f, err := action.ParsePublicFilter(c.QueryParams())
	if err == nil {
		err = f.CheckPublic() // before the status goes out
	}
	if err == nil {
		err = h.checkFrameworkFilter(c, f.Framework, f.Provision)
	}
	if err != nil {
		return err
	}
	if done, err := h.notModified(c); done {
		return err
	}
	downloadHeaders(c, "text/csv; charset=utf-8", "pctracker-actions.csv")
	c.Response().WriteHeader(http.StatusOK)
	t, err := export.NewTable(c.Response(), openDataHeader)
	if err != nil {
		return err
	}
	err = h.Actions.EachPublic(c.Request().Context(), f, func(batch []action.Action) error {
		rows, err := h.publicDTOs(c, batch)
		if err != nil {
			return err
		}
		for _, d := range rows {
			if err := t.Row(openDataRow(d)); err != nil {
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

// openDataJSON streams every public action as one JSON document, with its
// licence, element by element.
func (h *Handler) openDataJSON(c echo.Context) error {
	f, err := action.ParsePublicFilter(c.QueryParams())
	if err == nil {
		err = f.CheckPublic()
	}
	if err == nil {
		err = h.checkFrameworkFilter(c, f.Framework, f.Provision)
	}
	if err != nil {
		return err
	}
	if done, err := h.notModified(c); done {
		return err
	}
	list, err := h.startJSONList(c, "pctracker-actions.json", "actions")
	if err != nil {
		return err
	}
	err = h.Actions.EachPublic(c.Request().Context(), f, func(batch []action.Action) error {
		rows, err := h.publicDTOs(c, batch)
		if err != nil {
			return err
		}
		for _, d := range rows {
			if err := list.add(d); err != nil {
				return err
			}
		}
		return nil
	})
	return list.end(err)
}

// jsonList streams an open-data JSON document, element by element:
// {"licence", "generated_at", "<name>": [...]}, so that no download holds
// the whole list in memory.
type jsonList struct {
	w     io.Writer
	first bool
}

// startJSONList sends the headers and the document's opening.
func (h *Handler) startJSONList(c echo.Context, filename, name string) (*jsonList, error) {
	downloadHeaders(c, "application/json", filename)
	w := c.Response()
	w.WriteHeader(http.StatusOK)
	head, _ := json.Marshal(map[string]any{"licence": Licence, "generated_at": h.Now().UTC().Format(time.RFC3339)})
	if _, err := fmt.Fprintf(w, "%s,%q:[", head[:len(head)-1], name); err != nil {
		return nil, err
	}
	return &jsonList{w: w, first: true}, nil
}

// add writes one element of the list.
func (l *jsonList) add(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if !l.first {
		if _, err := l.w.Write([]byte(",\n")); err != nil {
			return err
		}
	}
	l.first = false
	_, err = l.w.Write(b)
	return err
}

// end closes the document, unless the list failed: the status is sent,
// so an error ends the body early, and is logged.
func (l *jsonList) end(err error) error {
	if err != nil {
		return err
	}
	_, err = l.w.Write([]byte("]}\n"))
	return err
}
