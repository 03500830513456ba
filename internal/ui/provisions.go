package ui

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/user"
)

// An action's provisions on its signed-in page: the provisions it counts
// for (through its recommendations, or declared), the derived ones taken
// away, and, for those who may change them, a form to add one, one to
// take each away (with a reason) and one to restore each taken away.

// linkLine is one provision as the action page lists it.
type linkLine struct {
	FrameworkKey, Key string
	Title             string // the provision's, in the page's language
	Kind              framework.LinkKind
	Confidence        framework.Confidence
	Anchor            string // the id of its remove form's reason
}

// linkGroup is a framework's provisions on the page.
type linkGroup struct {
	Framework string // its title, in the page's language
	Key       string
	Links     []linkLine
}

// provisionChoice is a provision the action could be made to count for.
type provisionChoice struct {
	Value string // "framework/provision": keys hold no "/"
	Label string
}

type provisionChoices struct {
	Framework string
	Items     []provisionChoice
}

// crosswalkView is the "counts for" section of the action page.
type crosswalkView struct {
	May     bool // the reader may change the links
	Groups  []linkGroup
	Removed []linkGroup
	Choices []provisionChoices
	// A refused change comes back with what was typed: the link whose
	// removal was refused, its reason and the error, or the add error.
	RemoveAnchor, Reason, RemoveError string
	AddError                          string
	Pick                              string
}

// crosswalkOf gathers the section for the action a, which by has read.
func (h *Handler) crosswalkOf(ctx context.Context, by user.Actor, a action.Action, lang string) (*crosswalkView, error) {
	links, err := h.Frameworks.Links(ctx, by, a.ID)
	if err != nil {
		return nil, err
	}
	all, err := h.Frameworks.List(ctx)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	for _, f := range all {
		titles[f.Key] = f.Title.In(lang)
	}
	v := &crosswalkView{May: framework.MayLink(by, a)}
	counted := map[string]bool{}
	group := func(groups []linkGroup, fw string, l linkLine) []linkGroup {
		if n := len(groups); n == 0 || groups[n-1].Key != fw {
			groups = append(groups, linkGroup{Framework: titles[fw], Key: fw})
		}
		groups[len(groups)-1].Links = append(groups[len(groups)-1].Links, l)
		return groups
	}
	for i, l := range links.Links {
		counted[l.Framework.Key+"/"+l.Provision.Key] = true
		v.Groups = group(v.Groups, l.Framework.Key, linkLine{FrameworkKey: l.Framework.Key, Key: l.Provision.Key,
			Title: l.Provision.Title.In(lang), Kind: l.Kind, Confidence: l.Provision.Confidence, Anchor: fmt.Sprintf("pl-reason-%d", i)})
	}
	for _, p := range links.Removed {
		fw := frameworkKeyOf(all, p)
		counted[fw+"/"+p.Key] = true
		v.Removed = group(v.Removed, fw, linkLine{FrameworkKey: fw, Key: p.Key, Title: p.Title.In(lang), Kind: framework.Derived,
			Confidence: p.Confidence})
	}
	if v.May {
		for _, f := range all {
			g := provisionChoices{Framework: f.Title.In(lang)}
			for _, p := range f.Provisions {
				if !counted[f.Key+"/"+p.Key] {
					g.Items = append(g.Items, provisionChoice{Value: f.Key + "/" + p.Key, Label: p.Key + " · " + p.Title.In(lang)})
				}
			}
			if len(g.Items) > 0 {
				v.Choices = append(v.Choices, g)
			}
		}
	}
	return v, nil
}

// frameworkKeyOf names the framework of p, which the service gives
// without its key.
func frameworkKeyOf(all []framework.Framework, p framework.Provision) string {
	if p.FrameworkKey != "" {
		return p.FrameworkKey
	}
	for _, f := range all {
		if f.ID == p.FrameworkID {
			return f.Key
		}
	}
	return ""
}

// addProvision makes an action count for a provision: one picked from the
// list ("pick": "framework/provision"), or a derived one taken away and
// restored (the fields "framework" and "provision").
func (h *Handler) addProvision(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	fw, key := c.FormValue("framework"), c.FormValue("provision")
	pick := c.FormValue("pick")
	if pick != "" {
		fw, key, _ = strings.Cut(pick, "/")
	}
	_, err = h.Frameworks.Add(c.Request().Context(), by, id, fw, key)
	if err != nil {
		return h.linkRefused(c, by, id, err, func(cw *crosswalkView) {
			cw.Pick = pick
			cw.AddError = "cw_err_add"
			if errs.Is(err, errs.Conflict) {
				cw.AddError = "cw_err_add_already"
			}
		})
	}
	h.setFlash(c, "flash_provision_added", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/actions/%d#provisions-heading", id))
}

// removeProvision takes a provision away from an action, for a reason.
func (h *Handler) removeProvision(c echo.Context) error {
	by, id, err := actorAndID(c)
	if err != nil {
		return err
	}
	fw, key, reason := c.FormValue("framework"), c.FormValue("provision"), c.FormValue("reason")
	err = h.Frameworks.Remove(c.Request().Context(), by, id, fw, key, reason)
	if err != nil {
		return h.linkRefused(c, by, id, err, func(cw *crosswalkView) {
			cw.Reason = reason
			switch fields := errs.FieldsOf(err); {
			case fields["reason"] != "" && strings.TrimSpace(reason) == "":
				cw.RemoveError = "cw_err_reason"
			case fields["reason"] != "":
				cw.RemoveError = "cw_err_reason_long"
			default:
				cw.RemoveError = "cw_err_remove"
			}
			for _, g := range cw.Groups {
				for _, l := range g.Links {
					if l.FrameworkKey == fw && l.Key == key {
						cw.RemoveAnchor = l.Anchor
					}
				}
			}
		})
	}
	h.setFlash(c, "flash_provision_removed", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/actions/%d#provisions-heading", id))
}

// linkRefused answers a change of links the service refused: not found
// stays not found; a refusal of who may is the error page; a form the
// service could not take comes back on the action's page, with what was
// typed and why (422, or 409 when the action or its links changed).
func (h *Handler) linkRefused(c echo.Context, by user.Actor, id int64, err error, set func(*crosswalkView)) error {
	switch {
	case errs.Is(err, errs.Invalid):
	case errs.Is(err, errs.Conflict) && len(errs.FieldsOf(err)) > 0:
	case errs.Is(err, errs.Conflict):
		return h.refused(c, err, "cw_err_withdrawn")
	default:
		return err
	}
	v, verr := h.actionPage(c, by, id)
	if verr != nil {
		return verr
	}
	if v.Crosswalk == nil || !v.Crosswalk.May {
		return err
	}
	set(v.Crosswalk)
	status := http.StatusUnprocessableEntity
	if errs.Is(err, errs.Conflict) {
		status = http.StatusConflict
	}
	return h.renderer.render(c, status, "action", v.Lang, v)
}

// linkChange is a change of an action's provisions in its history.
type linkChange struct {
	Change            framework.Change
	Kind              framework.LinkKind
	Framework         string // its title, or its key once gone
	FrameworkKey, Key string
	Title             string // the provision's, "" once gone
	Reason            string
}

// withLinkChanges merges the changes of an action's provisions into its
// versions, newest first; nameOf names who made each as the page does.
func (h *Handler) withLinkChanges(ctx context.Context, by user.Actor, a action.Action, lang string, entries []historyEntry, nameOf func(int64) string) ([]historyEntry, error) {
	events, err := h.Frameworks.History(ctx, by, a.ID)
	if errs.Is(err, errs.NotFound) {
		return entries, nil // a reader outside the organisation and the secretariat: none to show
	}
	if err != nil || len(events) == 0 {
		return entries, err
	}
	all, err := h.Frameworks.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		ch := linkChange{Change: e.Change, Kind: e.Kind, Framework: e.FrameworkKey, FrameworkKey: e.FrameworkKey, Key: e.ProvisionKey, Reason: e.Reason}
		for _, f := range all {
			if f.Key == e.FrameworkKey {
				ch.Framework = f.Title.In(lang)
				if p, err := f.Provision(e.ProvisionKey); err == nil {
					ch.Title = p.Title.In(lang)
				}
			}
		}
		entries = append(entries, historyEntry{At: formatDateTime(lang, e.At), By: nameOf(e.UserID), Link: &ch, when: e.At,
			Datetime: e.At.UTC().Format(time.RFC3339)})
	}
	// At the same moment (a clock that does not move, in tests and
	// demos), a change of links reads as made after the version.
	sort.SliceStable(entries, func(i, j int) bool {
		if !entries[i].when.Equal(entries[j].when) {
			return entries[i].when.After(entries[j].when)
		}
		return entries[i].Link != nil && entries[j].Link == nil
	})
	return entries, nil
}

// recCounts is what one recommendation counts for elsewhere, for the
// action editor: each framework's provisions an action with it counts for.
type recCounts struct {
	Provisions int
	Groups     []linkGroup
}

// previewCounts says, for each recommendation, which provisions an action
// with it counts for.
func (h *Handler) previewCounts(ctx context.Context, numbers []int, lang string) (map[int]recCounts, error) {
	all, err := h.Frameworks.List(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int]recCounts{}
	for _, n := range numbers {
		var rc recCounts
		for _, l := range framework.Preview(all, []int{n}) {
			if k := len(rc.Groups); k == 0 || rc.Groups[k-1].Key != l.Framework.Key {
				rc.Groups = append(rc.Groups, linkGroup{Framework: l.Framework.Title.In(lang), Key: l.Framework.Key})
			}
			g := &rc.Groups[len(rc.Groups)-1]
			g.Links = append(g.Links, linkLine{FrameworkKey: l.Framework.Key, Key: l.Provision.Key, Title: l.Provision.Title.In(lang),
				Kind: l.Kind, Confidence: l.Provision.Confidence})
			rc.Provisions++
		}
		out[n] = rc
	}
	return out, nil
}
