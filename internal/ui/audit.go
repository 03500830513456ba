package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/audit"
)

type auditView struct {
	Page
	Entries []auditLine
	Total   int
	Actor   string
	Verb    string
	Object  string
	Verbs   []string
	PrevURL string
	NextURL string
}

type auditLine struct {
	At, Actor, Verb, Object, Details string
}

const auditPageSize = 100

// auditVerbs are the families of the log, for the filter.
func auditVerbs() []string {
	return []string{"action.", "report.", "cycle.", "stakeholder.", "user.", "token."}
}

func (h *Handler) auditLog(c echo.Context) error {
	by, err := actor(c)
	if err != nil {
		return err
	}
	v := auditView{Page: newPage(c, "audit"), Actor: strings.TrimSpace(c.QueryParam("actor")), Verbs: auditVerbs()}
	if verb := c.QueryParam("verb"); verb != "" {
		for _, known := range v.Verbs {
			if verb == known {
				v.Verb = verb
			}
		}
	}
	f := audit.Filter{Actor: v.Actor, Verb: v.Verb, Limit: auditPageSize}
	if obj := strings.TrimSpace(c.QueryParam("object")); obj != "" {
		// "action 12" or "action": a type and, perhaps, an id
		typ, id, _ := strings.Cut(obj, " ")
		f.ObjectType, f.ObjectID, v.Object = typ, strings.TrimSpace(id), obj
	}
	page := 1
	if p, err := strconv.Atoi(c.QueryParam("page")); err == nil && p > 1 {
		page = p
	}
	f.Offset = (page - 1) * auditPageSize
	entries, total, err := h.Audit.List(c.Request().Context(), by.IsSecretariat(), f)
	if err != nil {
		return err
	}
	v.Total = total
	for _, e := range entries {
		details, _ := json.Marshal(e.Details)
		v.Entries = append(v.Entries, auditLine{At: formatDateTime(v.Lang, e.At), Actor: e.Actor, Verb: e.Verb,
			Object: e.ObjectType + " " + e.ObjectID, Details: string(details)})
	}
	link := func(p int) string {
		q := url.Values{"actor": {v.Actor}, "verb": {v.Verb}, "object": {v.Object}, "page": {strconv.Itoa(p)}}
		return "/admin/audit?" + q.Encode()
	}
	if page > 1 {
		v.PrevURL = link(page - 1)
	}
	if page*auditPageSize < total {
		v.NextURL = link(page + 1)
	}
	return h.renderer.render(c, http.StatusOK, "audit", v.Lang, v)
}
