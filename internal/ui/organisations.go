package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/account"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/request"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/user"
)

// orgForm holds what was typed, to come back as it was when refused.
type orgForm struct {
	Name, Kind, Country, Website string
	Since                        string // supporter since, YYYY-MM-DD or empty
	Verified, Active             bool
	Reviewer                     bool
	ReviewerUntil                string // YYYY-MM-DD or empty
}

func orgFormOf(s stakeholder.Stakeholder) orgForm {
	return orgFormOfInput(s.Input())
}

func orgFormOfInput(in stakeholder.Input) orgForm {
	f := orgForm{Name: in.Name, Kind: string(in.Kind), Country: in.Country, Website: in.Website, Verified: in.Verified, Active: in.Active,
		Reviewer: in.Reviewer}
	if in.SupporterSince != nil {
		f.Since = in.SupporterSince.Format(time.DateOnly)
	}
	if in.ReviewerUntil != nil {
		f.ReviewerUntil = in.ReviewerUntil.Format(time.DateOnly)
	}
	return f
}

// check finds what the form itself can tell is wrong before the service
// sees it: a date that is not one.
func (f orgForm) check() error {
	bad := errs.FieldErrors{}
	for field, value := range map[string]string{"supporter_since": f.Since, "reviewer_until": f.ReviewerUntil} {
		if value == "" {
			continue
		}
		if _, err := date.Parse(value); err != nil {
			bad.Add(field, err.Error())
		}
	}
	return bad.Err()
}

func readOrgForm(c echo.Context) orgForm {
	return readOrgFields(c, "")
}

// readOrgFields reads the organisation's fields named with prefix: "" for
// what was typed, "orig_" for the values the page was rendered with.
func readOrgFields(c echo.Context, prefix string) orgForm {
	v := func(name string) string { return c.FormValue(prefix + name) }
	return orgForm{Name: v("name"), Kind: v("kind"), Country: v("country"),
		Website: v("website"), Since: strings.TrimSpace(v("supporter_since")), Verified: v("verified") != "", Active: v("active") != "",
		Reviewer: v("reviewer") != "", ReviewerUntil: strings.TrimSpace(v("reviewer_until"))}
}

// apply sets the form's values on in; the form has passed check.
func (f orgForm) apply(in *stakeholder.Input) {
	in.Name, in.Kind, in.Country, in.Website = f.Name, stakeholder.Kind(f.Kind), f.Country, f.Website
	in.Verified, in.Active = f.Verified, f.Active
	in.SupporterSince = nil
	if d, err := date.Parse(f.Since); err == nil {
		in.SupporterSince = &d
	}
	in.Reviewer, in.ReviewerUntil = f.Reviewer, nil
	if d, err := date.Parse(f.ReviewerUntil); err == nil {
		in.ReviewerUntil = &d
	}
}

// over lays the fields of f that differ from orig, what the person
// changed, over base.
func (f orgForm) over(orig, base orgForm) orgForm {
	str := func(mine, was, theirs string) string {
		if mine != was {
			return mine
		}
		return theirs
	}
	flag := func(mine, was, theirs bool) bool {
		if mine != was {
			return mine
		}
		return theirs
	}
	return orgForm{Name: str(f.Name, orig.Name, base.Name), Kind: str(f.Kind, orig.Kind, base.Kind),
		Country: str(f.Country, orig.Country, base.Country), Website: str(f.Website, orig.Website, base.Website),
		Since:    str(f.Since, orig.Since, base.Since),
		Verified: flag(f.Verified, orig.Verified, base.Verified), Active: flag(f.Active, orig.Active, base.Active),
		Reviewer: flag(f.Reviewer, orig.Reviewer, base.Reviewer), ReviewerUntil: str(f.ReviewerUntil, orig.ReviewerUntil, base.ReviewerUntil)}
}

type orgsView struct {
	Page
	Flash   *Flash
	Orgs    []stakeholder.Stakeholder
	Total   int
	Kinds   []stakeholder.Kind
	Kind    string
	Country string
	Query   string
	Form    orgForm
	Errors  map[string]string
	listPage
	Today time.Time // the day a reviewer's badge is judged on
}

const orgsPageSize = 100

func (h *Handler) organisations(c echo.Context) error {
	if _, err := request.Secretariat(c); err != nil {
		return err
	}
	return h.renderOrganisations(c, http.StatusOK, orgsView{Flash: h.takeFlash(c), Form: orgForm{Active: true}})
}

func (h *Handler) renderOrganisations(c echo.Context, status int, v orgsView) error {
	v.Page, v.Kinds, v.Today = newPage(c, "organisations"), stakeholder.Kinds, h.now()
	if k := stakeholder.Kind(c.QueryParam("kind")); k.Valid() {
		v.Kind = string(k)
	}
	v.Country = strings.ToUpper(strings.TrimSpace(c.QueryParam("country")))
	v.Query = strings.TrimSpace(c.QueryParam("q"))
	link := func(page int) string {
		q := url.Values{"page": {strconv.Itoa(page)}, "kind": {v.Kind}, "country": {v.Country}, "q": {v.Query}}
		return "/admin/organisations?" + q.Encode()
	}
	page, err := readPage(c, link)
	if err != nil {
		return err
	}
	v.Orgs, v.Total, err = h.Stakeholders.List(c.Request().Context(), stakeholder.Filter{Kind: stakeholder.Kind(v.Kind),
		Country: v.Country, Query: v.Query, Limit: orgsPageSize, Offset: (page - 1) * orgsPageSize})
	if err != nil {
		return err
	}
	if v.listPage, err = paging(page, orgsPageSize, v.Total, link); err != nil {
		return err
	}
	return h.renderer.render(c, status, "organisations", v.Lang, v)
}

func (h *Handler) createOrganisation(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	form := readOrgForm(c)
	form.Active = true
	if err := form.check(); err != nil {
		return h.renderOrganisations(c, http.StatusUnprocessableEntity, orgsView{Form: form, Errors: errs.FieldsOf(err)})
	}
	var in stakeholder.Input
	form.apply(&in)
	s, err := h.Stakeholders.Create(c.Request().Context(), by, in)
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) {
		return h.renderOrganisations(c, http.StatusUnprocessableEntity, orgsView{Form: form, Errors: errs.FieldsOf(err)})
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash_org_created", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/organisations/%d", s.ID))
}

type orgView struct {
	Page
	Flash        *Flash
	ID           int64
	Version      int
	Form         orgForm
	Orig         orgForm // what the form was rendered with, posted back
	Errors       map[string]string
	Kinds        []stakeholder.Kind
	People       []account.Person
	Invite       user.Input
	InviteErrors map[string]string
}

func (h *Handler) organisation(c echo.Context) error {
	if _, err := request.Secretariat(c); err != nil {
		return err
	}
	id, err := request.ID(c, "id", "organisation")
	if err != nil {
		return err
	}
	s, err := h.Stakeholders.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return h.renderOrganisation(c, http.StatusOK, orgView{Flash: h.takeFlash(c), ID: s.ID, Version: s.Version, Form: orgFormOf(s), Orig: orgFormOf(s),
		Invite: user.Input{OrgRole: user.FocalPoint}})
}

func (h *Handler) renderOrganisation(c echo.Context, status int, v orgView) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	if v.People, err = h.Accounts.People(c.Request().Context(), by, v.ID); err != nil {
		return err
	}
	v.Page, v.Kinds = newPage(c, "organisations"), stakeholder.Kinds
	return h.renderer.render(c, status, "organisation", v.Lang, v)
}

func (h *Handler) saveOrganisation(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "organisation")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	form, orig := readOrgForm(c), readOrgFields(c, "orig_")
	hasOrig := c.FormValue("orig") != "" // absent on a form from elsewhere: every field counts as changed
	err = form.check()
	if err == nil {
		_, err = h.Stakeholders.Update(c.Request().Context(), by, id, version, func(in *stakeholder.Input) {
			if !hasOrig {
				form.apply(in)
				return
			}
			// Only what the person changed: a field someone else changed
			// meanwhile keeps their value.
			form.over(orig, orgFormOfInput(*in)).apply(in)
		})
	}
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) {
		v := orgView{ID: id, Version: version, Form: form, Orig: orig, Errors: errs.FieldsOf(err), Invite: user.Input{OrgRole: user.FocalPoint}}
		if cur, gerr := h.Stakeholders.Get(c.Request().Context(), id); gerr == nil && hasOrig && v.Errors["version"] != "" {
			// Someone saved first: their values with this person's changes
			// on top, at the new version; saving again keeps both.
			v.Version, v.Orig = cur.Version, orgFormOf(cur)
			v.Form = form.over(orig, v.Orig)
		}
		return h.renderOrganisation(c, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash_saved", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/organisations/%d", id))
}

func (h *Handler) inviteToOrganisation(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	id, err := request.ID(c, "id", "organisation")
	if err != nil {
		return err
	}
	in := user.Input{Email: c.FormValue("email"), Name: c.FormValue("name"), Role: user.Supporter, StakeholderID: id,
		OrgRole: user.OrgRole(c.FormValue("org_role"))}
	// An address that has an account gets the same answer as any other.
	_, err = h.Accounts.Invite(c.Request().Context(), by, in)
	if errs.Is(err, errs.Invalid) {
		s, gerr := h.Stakeholders.Get(c.Request().Context(), id)
		if gerr != nil {
			return gerr
		}
		return h.renderOrganisation(c, http.StatusUnprocessableEntity, orgView{ID: s.ID, Version: s.Version, Form: orgFormOf(s),
			Orig: orgFormOf(s), Invite: in, InviteErrors: errs.FieldsOf(err)})
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "flash_invited", 0)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/organisations/%d", id))
}
