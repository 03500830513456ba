package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/request"
)

// The secretariat's pages of the crosswalk: the list of frameworks, and a
// form for each framework and each provision. A save names the version
// the form was read at: someone else's save meanwhile is refused (409)
// and the form comes back with the person's text and the version now
// current, so that saving again is a deliberate choice.

// adminFrameworkURL and adminProvisionURL are the addresses of the forms. Keys are
// the frameworks' own numbering and hold spaces, brackets and colons
// ("4.E.1.c (2017 notes)", "pillar:accountability").
func adminFrameworkURL(key string) string { return "/admin/frameworks/" + url.PathEscape(key) }

func adminProvisionURL(framework, key string) string {
	return adminFrameworkURL(framework) + "/provisions/" + url.PathEscape(key)
}

type frameworkRow struct {
	Key, Title, URL string
	Provisions      int
	Version         int
	Updated         string
}

type adminFrameworksView struct {
	Page
	Flash      *Flash
	Frameworks []frameworkRow
	Provisions int
}

func (h *Handler) adminFrameworks(c echo.Context) error {
	if _, err := request.Secretariat(c); err != nil {
		return err
	}
	all, err := h.Frameworks.List(c.Request().Context())
	if err != nil {
		return err
	}
	v := adminFrameworksView{Page: newPage(c, "frameworks_admin"), Flash: h.takeFlash(c)}
	for _, f := range all {
		v.Frameworks = append(v.Frameworks, frameworkRow{Key: f.Key, Title: f.Title.In(v.Lang), URL: adminFrameworkURL(f.Key),
			Provisions: len(f.Provisions), Version: f.Version, Updated: formatDateTime(v.Lang, f.UpdatedAt)})
		v.Provisions += len(f.Provisions)
	}
	return h.renderer.render(c, http.StatusOK, "admin_frameworks", v.Lang, v)
}

// frameworkForm is the framework's form as typed.
type frameworkForm struct {
	TitleEN, TitleFR string
	FRUnofficial     bool
	Issued           string
	Source, Note     string
}

func frameworkFormOf(f framework.Framework) frameworkForm {
	form := frameworkForm{TitleEN: f.Title.EN, TitleFR: f.Title.FR, FRUnofficial: f.FRUnofficial, Source: f.Source, Note: f.Note}
	if f.Issued != nil {
		form.Issued = f.Issued.Format(time.DateOnly)
	}
	return form
}

func readFrameworkForm(c echo.Context) frameworkForm {
	return frameworkForm{TitleEN: c.FormValue("title_en"), TitleFR: c.FormValue("title_fr"), FRUnofficial: c.FormValue("fr_unofficial") != "",
		Issued: strings.TrimSpace(c.FormValue("issued")), Source: c.FormValue("source"), Note: c.FormValue("note")}
}

// input turns the form into the service's input; a day it cannot read is
// a field error.
func (f frameworkForm) input() (framework.FrameworkInput, errs.FieldErrors) {
	bad := errs.FieldErrors{}
	in := framework.FrameworkInput{TitleEN: f.TitleEN, TitleFR: f.TitleFR, FRUnofficial: f.FRUnofficial, Source: f.Source, Note: f.Note}
	bad.OptionalDay("issued", f.Issued, &in.Issued)
	return in, bad
}

type adminProvisionRow struct {
	Key, Title, URL string
	Recommendations []int
	Confidence      framework.Confidence
}

type adminFrameworkView struct {
	Page
	Flash      *Flash
	Key        string
	Title      string // as stored, in the page's language
	Action     string // the form's address
	Version    int
	Updated    string
	Form       frameworkForm
	Errors     map[string]string
	Conflict   int // the version someone else saved, when saving was refused
	Provisions []adminProvisionRow
}

func (h *Handler) adminFramework(c echo.Context) error {
	if _, err := request.Secretariat(c); err != nil {
		return err
	}
	f, err := h.frameworkOf(c)
	if err != nil {
		return err
	}
	return h.renderFramework(c, http.StatusOK, f, adminFrameworkView{Flash: h.takeFlash(c), Version: f.Version, Form: frameworkFormOf(f)})
}

func (h *Handler) renderFramework(c echo.Context, status int, f framework.Framework, v adminFrameworkView) error {
	v.Page = newPage(c, "frameworks_admin")
	v.Key, v.Title, v.Action, v.Updated = f.Key, f.Title.In(v.Lang), adminFrameworkURL(f.Key), formatDateTime(v.Lang, f.UpdatedAt)
	for _, p := range f.Provisions {
		v.Provisions = append(v.Provisions, adminProvisionRow{Key: p.Key, Title: p.Title.In(v.Lang), URL: adminProvisionURL(f.Key, p.Key),
			Recommendations: p.Recommendations, Confidence: p.Confidence})
	}
	return h.renderer.render(c, status, "admin_framework", v.Lang, v)
}

func (h *Handler) saveFramework(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f, err := h.frameworkOf(c)
	if err != nil {
		return err
	}
	key := f.Key
	version, _ := strconv.Atoi(c.FormValue("version"))
	form := readFrameworkForm(c)
	v := adminFrameworkView{Version: version, Form: form}
	in, bad := form.input()
	if len(bad) > 0 {
		// Every problem at once: those of the other fields too.
		check := in
		check.Normalize()
		for k, msg := range errs.FieldsOf(check.Validate()) {
			bad[k] = msg
		}
		v.Errors = bad
		return h.renderFramework(c, http.StatusUnprocessableEntity, f, v)
	}
	_, err = h.Frameworks.UpdateFramework(ctx, by, key, version, func(cur *framework.FrameworkInput) { *cur = in }) // the form holds every field
	switch {
	case errs.Is(err, errs.Conflict):
		// Someone saved first: keep this person's text, and take the new
		// version so that saving again is a deliberate choice.
		if f, err = h.Frameworks.Get(ctx, key); err != nil {
			return err
		}
		v.Conflict, v.Version = f.Version, f.Version
		return h.renderFramework(c, http.StatusConflict, f, v)
	case errs.Is(err, errs.Invalid):
		v.Errors = errs.FieldsOf(err)
		return h.renderFramework(c, http.StatusUnprocessableEntity, f, v)
	case err != nil:
		return err
	}
	h.setFlash(c, "flash_framework_saved", 0)
	return c.Redirect(http.StatusSeeOther, adminFrameworkURL(key))
}

// provisionForm is the provision's form as typed.
type provisionForm struct {
	TitleEN, TitleFR string
	Recommendations  []int
	Confidence       string
	Note             string
}

func readProvisionForm(c echo.Context) provisionForm {
	f := provisionForm{TitleEN: c.FormValue("title_en"), TitleFR: c.FormValue("title_fr"), Confidence: c.FormValue("confidence"),
		Note: c.FormValue("note")}
	params, _ := c.FormParams()
	for _, r := range params["recommendations"] {
		if n, err := strconv.Atoi(r); err == nil {
			f.Recommendations = append(f.Recommendations, n)
		}
	}
	return f
}

type adminProvisionView struct {
	Page
	Flash           *Flash
	Framework       string // its title
	FrameworkKey    string
	FrameworkURL    string
	Key             string
	Action          string
	Version         int
	Updated         string
	Form            provisionForm
	Errors          map[string]string
	Conflict        int
	Recommendations []checkItem
	Confidences     []framework.Confidence
}

func (h *Handler) adminProvision(c echo.Context) error {
	if _, err := request.Secretariat(c); err != nil {
		return err
	}
	f, p, err := h.provisionOf(c)
	if err != nil {
		return err
	}
	form := provisionForm{TitleEN: p.Title.EN, TitleFR: p.Title.FR, Recommendations: p.Recommendations, Confidence: string(p.Confidence), Note: p.Note}
	return h.renderProvision(c, http.StatusOK, f, p, adminProvisionView{Flash: h.takeFlash(c), Version: p.Version, Form: form})
}

// frameworkOf reads the framework the path names.
func (h *Handler) frameworkOf(c echo.Context) (framework.Framework, error) {
	key, err := request.Key(c, "key", "framework")
	if err != nil {
		return framework.Framework{}, err
	}
	return h.Frameworks.Get(c.Request().Context(), key)
}

// provisionOf reads the framework and provision the path names.
func (h *Handler) provisionOf(c echo.Context) (framework.Framework, framework.Provision, error) {
	f, err := h.frameworkOf(c)
	if err != nil {
		return f, framework.Provision{}, err
	}
	key, err := request.Key(c, "provision", "provision")
	if err != nil {
		return f, framework.Provision{}, err
	}
	p, err := f.Provision(key)
	return f, p, err
}

func (h *Handler) renderProvision(c echo.Context, status int, f framework.Framework, p framework.Provision, v adminProvisionView) error {
	v.Page = newPage(c, "frameworks_admin")
	v.Framework, v.FrameworkKey, v.FrameworkURL = f.Title.In(v.Lang), f.Key, adminFrameworkURL(f.Key)
	v.Key, v.Action, v.Updated, v.Confidences = p.Key, adminProvisionURL(f.Key, p.Key), formatDateTime(v.Lang, p.UpdatedAt), framework.Confidences
	recs, err := h.Recommendations.List(c.Request().Context())
	if err != nil {
		return err
	}
	for _, r := range recs {
		v.Recommendations = append(v.Recommendations, checkItem{Number: r.Number, Title: r.Title.In(v.Lang)})
	}
	return h.renderer.render(c, status, "admin_provision", v.Lang, v)
}

func (h *Handler) saveProvision(c echo.Context) error {
	by, err := request.Secretariat(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	f, p, err := h.provisionOf(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	form := readProvisionForm(c)
	v := adminProvisionView{Version: version, Form: form}
	_, err = h.Frameworks.UpdateProvision(ctx, by, f.Key, p.Key, version, func(cur *framework.ProvisionInput) {
		*cur = framework.ProvisionInput{TitleEN: form.TitleEN, TitleFR: form.TitleFR, Recommendations: form.Recommendations,
			Confidence: framework.Confidence(form.Confidence), Note: form.Note}
	})
	switch {
	case errs.Is(err, errs.Conflict):
		if f, p, err = h.provisionOf(c); err != nil {
			return err
		}
		v.Conflict, v.Version = p.Version, p.Version
		return h.renderProvision(c, http.StatusConflict, f, p, v)
	case errs.Is(err, errs.Invalid):
		v.Errors = errs.FieldsOf(err)
		return h.renderProvision(c, http.StatusUnprocessableEntity, f, p, v)
	case err != nil:
		return err
	}
	h.setFlash(c, "flash_provision_saved", 0)
	return c.Redirect(http.StatusSeeOther, adminProvisionURL(f.Key, p.Key))
}
