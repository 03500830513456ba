// Package ui serves pctracker's HTML pages. Pages work without JavaScript,
// in English and French; handlers are thin: read the request, make one
// service call, render a typed view model.
package ui

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"github.com/pctracker/pctracker/internal/account"
	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/audit"
	"github.com/pctracker/pctracker/internal/cache"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/dashboard"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/etag"
	"github.com/pctracker/pctracker/internal/evidence"
	"github.com/pctracker/pctracker/internal/framework"
	"github.com/pctracker/pctracker/internal/jobs"
	"github.com/pctracker/pctracker/internal/locale"
	"github.com/pctracker/pctracker/internal/purge"
	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/session"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/twostep"
	"github.com/pctracker/pctracker/internal/user"
)

// Recommendations is what the pages need of the recommendations.
type Recommendations interface {
	List(ctx context.Context) ([]recommendation.Recommendation, error)
	Get(ctx context.Context, number int) (recommendation.Recommendation, error)
}

// SignIn checks credentials, and remembers the browsers that signed in.
type SignIn interface {
	SignIn(ctx context.Context, email, password, ip, device string) (user.User, error)
	Remember(ctx context.Context, u user.User, presented string) (string, error)
}

// TwoStep is the second step of signing in.
type TwoStep interface {
	Needed(ctx context.Context, u user.User) (bool, error)
	Begin(ctx context.Context, u user.User, next string) (string, twostep.Challenge, error)
	Pending(ctx context.Context, token string) (twostep.Challenge, user.User, error)
	Enrolment(c twostep.Challenge, u user.User) (twostep.Enrolment, error)
	Complete(ctx context.Context, token, code, ip string) (twostep.Result, error)
	StatusOf(ctx context.Context, u user.User) (twostep.Status, error)
	RenewRecoveryCodes(ctx context.Context, by user.Actor, code, ip string) ([]string, error)
}

// Sessions starts and ends browser sessions.
type Sessions interface {
	Start(ctx context.Context, userID int64, ip, userAgent string) (string, session.Session, error)
	End(ctx context.Context, token string) error
}

// Cycles is what the pages need of reporting cycles.
type Cycles interface {
	Get(ctx context.Context, year int) (cycle.Cycle, error)
	Current(ctx context.Context) (cycle.Cycle, error)
	List(ctx context.Context) ([]cycle.Cycle, error)
	Create(ctx context.Context, by user.Actor, in cycle.Input) (cycle.Cycle, error)
	Update(ctx context.Context, by user.Actor, year, version int, change func(*cycle.Input)) (cycle.Cycle, error)
	Extend(ctx context.Context, by user.Actor, year int, stakeholderID int64, deadline time.Time) (cycle.Extension, error)
	Extensions(ctx context.Context, by user.Actor, year int) (cycle.Cycle, []cycle.Extension, error)
	Extension(ctx context.Context, by user.Actor, year int, stakeholderID int64) (cycle.Cycle, cycle.Extension, error)
	Revoke(ctx context.Context, by user.Actor, year int, stakeholderID int64) (cycle.Extension, error)
	Board(ctx context.Context, by user.Actor, year int, f stakeholder.Filter) (cycle.Cycle, []cycle.BoardRow, error)
}

// Stakeholders is what the pages need of organisations.
type Stakeholders interface {
	Get(ctx context.Context, id int64) (stakeholder.Stakeholder, error)
	Visible(ctx context.Context, by user.Actor, id int64) (stakeholder.Stakeholder, error)
	List(ctx context.Context, f stakeholder.Filter) ([]stakeholder.Stakeholder, int, error)
	Create(ctx context.Context, by user.Actor, in stakeholder.Input) (stakeholder.Stakeholder, error)
	Update(ctx context.Context, by user.Actor, id int64, version int, change func(*stakeholder.Input)) (stakeholder.Stakeholder, error)
}

// Actions is what the pages need of actions.
type Actions interface {
	CreateIn(ctx context.Context, by user.Actor, year int, in action.Input) (action.Action, error)
	Get(ctx context.Context, by user.Actor, id int64) (action.Action, error)
	Update(ctx context.Context, by user.Actor, id int64, version int, change func(*action.Input)) (action.Action, error)
	Delete(ctx context.Context, by user.Actor, id int64) error
	Move(ctx context.Context, by user.Actor, id int64, version int, to action.State, comment string) (action.Action, error)
	Permissions(ctx context.Context, by user.Actor, a action.Action) (action.Permissions, error)
	PermissionsAll(ctx context.Context, by user.Actor, list []action.Action) ([]action.Permissions, error)
	History(ctx context.Context, by user.Actor, id int64) ([]action.Version, []action.ReviewEvent, error)
	List(ctx context.Context, by user.Actor, f action.Filter) ([]action.Action, int, error)
	CarryForward(ctx context.Context, by user.Actor, year int) ([]action.Action, error)
	SubmitAll(ctx context.Context, by user.Actor, year int) ([]action.Action, error)
	ImportFile(ctx context.Context, by user.Actor, year int, format action.Format, r io.Reader) (action.Imported, error)
	DeadlineFor(ctx context.Context, c cycle.Cycle, stakeholderID int64) (time.Time, error)
	Review(ctx context.Context, by user.Actor, id int64, version int, r action.Review) (action.Action, error)
	AcceptAll(ctx context.Context, by user.Actor, picks []action.Pick) ([]action.Action, error)
	Public(ctx context.Context, f action.Filter) ([]action.Action, int, error)
	PublicGet(ctx context.Context, id int64) (action.Action, []action.Action, error)
	Publishers(ctx context.Context) ([]action.Publisher, error) // the public list's filters (issue 19.4)
	SetAssurance(ctx context.Context, by user.Actor, id int64, version int, level action.Assurance, note string) (action.Action, error)
	AssuranceOf(ctx context.Context, a action.Action) (action.Assured, error)
	Verify(ctx context.Context, by user.Actor, reviewer, id int64, version int, note string, ev []action.Evidence) (action.Action, action.Verification, error)
}

// Accounts invites people and resets passwords.
type Accounts interface {
	Invite(ctx context.Context, by user.Actor, in user.Input) (account.Invitation, error)
	ResendInvite(ctx context.Context, by user.Actor, email string) error
	People(ctx context.Context, by user.Actor, stakeholderID int64) ([]account.Person, error)
	Check(ctx context.Context, p account.Purpose, secret string) error
	SetPassword(ctx context.Context, p account.Purpose, secret, password string) (user.User, error)
	RequestReset(ctx context.Context, email string) error
}

// Users lists people and manages their API tokens.
type Users interface {
	Get(ctx context.Context, id int64) (user.User, error)
	List(ctx context.Context, f user.Filter) ([]user.User, int, error)
	Tokens(ctx context.Context, userID int64) ([]user.Token, error)
	CreateToken(ctx context.Context, by user.Actor, email, name string) (user.Token, string, error)
	RevokeToken(ctx context.Context, by user.Actor, id int64) error
	SetPreferences(ctx context.Context, by user.Actor, p user.Preferences) (user.User, error)
	NoteLanguage(ctx context.Context, userID int64, lang string) error
}

// AuditLog reads the audit log.
type AuditLog interface {
	List(ctx context.Context, isSecretariat bool, f audit.Filter) ([]audit.Line, int, error)
}

// Jobs shows and runs the scheduled jobs.
type Jobs interface {
	Statuses(ctx context.Context) ([]jobs.Status, error)
	Preview(ctx context.Context, name string) (jobs.Preview, error)
	RunNow(ctx context.Context, name string) (bool, error)
}

// Reports compiles, lists and publishes the progress reports.
type Reports interface {
	List(ctx context.Context, by user.Actor, year int) ([]report.Report, error)
	Get(ctx context.Context, by user.Actor, id int64) (report.Report, error)
	Compile(ctx context.Context, by user.Actor, year int, opt report.CompileOptions) (report.Report, error)
	Publish(ctx context.Context, by user.Actor, id int64) (report.Report, error)
}

// Evidence is what the pages need of the evidence links followed.
type Evidence interface {
	Links(ctx context.Context, actionIDs []int64) (map[int64][]evidence.Link, error)
	Archived(ctx context.Context, sha string) (evidence.Blob, evidence.Link, error)
	FlagsByOrganisation(ctx context.Context, by user.Actor, cycleID int64) (map[int64]evidence.Flags, error)
	Size(ctx context.Context) (evidence.Size, error)
}

// Challenges is what the pages need of challenges: each read as its
// reader may see it, and what that reader may do with it now.
type Challenges interface {
	MayFile(ctx context.Context, by user.Actor) (stakeholder.Stakeholder, error)
	MayChallenge(ctx context.Context, by user.Actor, a action.Action) error
	Pending(ctx context.Context, by user.Actor, actionID int64) (challenge.Challenge, bool, error)
	File(ctx context.Context, by user.Actor, actionID int64, in challenge.Input) (challenge.Challenge, error)
	Get(ctx context.Context, by user.Actor, id int64) (challenge.Challenge, error)
	List(ctx context.Context, by user.Actor, f challenge.Filter) ([]challenge.Challenge, int, error)
	Permissions(by user.Actor, c challenge.Challenge) challenge.Permissions
	ReplyClosed(c challenge.Challenge) bool
	Screen(ctx context.Context, by user.Actor, id int64, version int, admissible *bool, reason string) (challenge.Challenge, error)
	Reply(ctx context.Context, by user.Actor, id int64, version int, reply string, ev []action.Evidence) (challenge.Challenge, error)
	Decide(ctx context.Context, by user.Actor, id int64, version int, d challenge.Decision) (challenge.Challenge, error)
	Publish(ctx context.Context, by user.Actor, id int64, version int) (challenge.Challenge, error)
}

// Frameworks is what the pages need of the crosswalk: frameworks and their
// provisions, their figures in a cycle, and the provisions an action
// counts for.
type Frameworks interface {
	List(ctx context.Context) ([]framework.Framework, error)
	Get(ctx context.Context, key string) (framework.Framework, error)
	Coverage(ctx context.Context, year int) ([]framework.Coverage, int, error)
	Links(ctx context.Context, by user.Actor, id int64) (framework.ActionLinks, error)
	PublicLinks(ctx context.Context, ids []int64) (map[int64][]framework.Link, error)
	Add(ctx context.Context, by user.Actor, id int64, framework, provision string) (framework.Link, error)
	Remove(ctx context.Context, by user.Actor, id int64, framework, provision, reason string) error
	History(ctx context.Context, by user.Actor, id int64) ([]framework.LinkEvent, error)
	Ours(ctx context.Context, by user.Actor, year int) ([]framework.Own, error)
	UpdateFramework(ctx context.Context, by user.Actor, key string, version int, change func(*framework.FrameworkInput)) (framework.Framework, error)
	UpdateProvision(ctx context.Context, by user.Actor, framework, key string, version int, change func(*framework.ProvisionInput)) (framework.Provision, error)
}

// Versions names the state of the public data and the day, for ETags.
type Versions interface {
	PublicVersion(ctx context.Context) (string, error)
}

// notModified sets, for a visitor, the ETag of a public page that depends
// on the public data and the request's path and query. When the visitor
// holds it already it answers 304 and reports done; done with an error
// means the check failed. Signed-in pages are neither shared nor
// revalidated.
func (h *Handler) notModified(c echo.Context) (done bool, err error) {
	if callerLabel(c) != "" {
		return false, nil
	}
	v, err := h.Versions.PublicVersion(c.Request().Context())
	if err != nil {
		return true, err
	}
	// Built from the public actions: a decision on any of them purges it.
	etag.SurrogateKeys(c.Response().Header(), purge.Actions)
	if etag.NotModified(c.Response(), c.Request(), v, c.Request().URL.RequestURI(), langOf(c)) {
		return true, c.NoContent(http.StatusNotModified)
	}
	return false, nil
}

// Dashboard builds the public dashboard.
type Dashboard interface {
	View(ctx context.Context, year int) (dashboard.View, error)
	Listed(ctx context.Context, year int) (dashboard.Listed, error)
}

// Markdown renders what supporters write, sanitised.
type Markdown interface {
	HTML(src string) template.HTML
}

// Deps are the services the pages call.
type Deps struct {
	Recommendations  Recommendations
	SignIn           SignIn
	TwoStep          TwoStep
	Sessions         Sessions
	Cycles           Cycles
	Stakeholders     Stakeholders
	Actions          Actions
	Markdown         Markdown
	Accounts         Accounts
	Users            Users
	Audit            AuditLog
	Jobs             Jobs
	Reports          Reports
	Differences      Differences
	Reminders        Reminders
	Dashboard        Dashboard
	Versions         Versions
	Evidence         Evidence
	Challenges       Challenges
	PublicChallenges PublicChallenges
	Frameworks       Frameworks
	Releases         Releases
	Follow           Follow
	BaseURL          string // the public address, for links people cite
	Now              func() time.Time
	Logger           *slog.Logger
}

// Handler serves the pages.
type Handler struct {
	Deps
	renderer *renderer
	matcher  language.Matcher
	secure   bool   // served over TLS: cookies are Secure
	cookie   string // name of the session cookie
	timeout  time.Duration
	shared   *cache.Answers // pages built for visitors, compressed
	// reference is the OpenAPI document as the API reference page shows it.
	reference *apiReference
}

// Options configure the pages.
type Options struct {
	Templates       fs.FS
	Catalogues      fs.FS
	AssetHashes     map[string]string
	Secure          bool          // served over TLS (directly or behind a proxy)
	Cookie          string        // session cookie name
	AbsoluteTimeout time.Duration // lifetime of the session cookie
	OpenAPI         []byte        // the API's OpenAPI document, shown as the API reference page
}

// New parses the templates and catalogues; it fails at start, never at
// request time, when one is broken.
func New(d Deps, o Options) (*Handler, error) {
	r, err := newRenderer(o.Templates, o.Catalogues, o.AssetHashes)
	if err != nil {
		return nil, err
	}
	ref, err := newAPIReference(o.OpenAPI, d.Markdown)
	if err != nil {
		return nil, err
	}
	return &Handler{Deps: d, renderer: r, matcher: language.NewMatcher(locale.Languages()), secure: o.Secure,
		cookie: o.Cookie, timeout: o.AbsoluteTimeout, shared: cache.NewAnswers(16 << 20), reference: ref}, nil
}

// Routes lists every page. The language middleware is attached per route:
// a group would add a catch-all route that turns every 405 into a 404.
func (h *Handler) Routes(e *echo.Echo) {
	lang := h.languageMiddleware
	h.publicRoutes(e, lang)
	h.supporterRoutes(e, lang)
	h.workflowRoutes(e, lang)
	h.releaseRoutes(e, lang)
	h.followRoutes(e, lang)
	h.embedRoutes(e, lang)
}

// publicRoutes are the pages anyone reads, and signing in and out.
func (h *Handler) publicRoutes(e *echo.Echo, lang echo.MiddlewareFunc) {
	e.GET("/", h.home, lang)
	e.GET("/recommendations", h.recommendations, lang)
	e.GET("/recommendations/:number", h.recommendation, lang)
	e.GET("/actions", h.publicActions, lang)
	e.GET("/organisations", h.directory, lang)
	e.GET("/about", h.about, lang)
	// For search engines: what to crawl, the public pages, and the icon
	// browsers ask for.
	e.GET("/robots.txt", h.robots)
	e.GET("/sitemap.xml", h.sitemap, lang)
	e.GET("/favicon.ico", h.favicon)
	// The crosswalk's public pages.
	e.GET("/frameworks", h.frameworks, lang)
	e.GET("/frameworks/:key", h.showFramework, lang)
	e.GET("/about/crosswalk-sources", h.crosswalkSources, lang)
	e.GET("/search", h.search, lang)
	e.GET("/organisations/:id", h.profile, lang)
	e.GET("/signin", h.signInForm, lang)
	e.POST("/signin", h.signIn, lang)
	e.GET("/signin/code", h.codeForm, lang)
	e.POST("/signin/code", h.checkCode, lang)
	e.POST("/signout", h.signOut, lang)

	// Open data: the page for people who reuse the data, and
	// the API reference made from the OpenAPI document.
	e.GET("/open-data", h.openData, lang)
	e.GET("/open-data/api", h.apiReference, lang)
}

// supporterRoutes are an organisation's own work (workspace, actions,
// import) and setting a password.
func (h *Handler) supporterRoutes(e *echo.Echo, lang echo.MiddlewareFunc) {
	e.GET("/workspace", h.workspace, lang)
	e.POST("/workspace/carry-forward", h.carryForward, lang)
	e.POST("/workspace/submit-all", h.submitAll, lang)
	e.GET("/workspace/frameworks.csv", h.ownCSV, lang)
	e.GET("/workspace/frameworks.xlsx", h.ownXLSX, lang)
	e.GET("/actions/new", h.newAction, lang)
	e.GET("/actions/import", h.importForm, lang)
	e.POST("/actions/import", h.importActions, lang)
	e.GET("/actions/import/template.csv", h.importTemplate, lang)
	e.POST("/actions", h.createAction, lang)
	e.GET("/actions/:id", h.showAction, lang)
	e.GET("/actions/:id/edit", h.editAction, lang)
	e.POST("/actions/:id", h.saveAction, lang)
	e.POST("/actions/:id/submit", h.submitAction, lang)
	e.GET("/actions/:id/withdraw", h.withdrawAction, lang) // asks first
	e.POST("/actions/:id/withdraw", h.withdrawAction, lang)
	e.POST("/actions/:id/reopen", h.reopenAction, lang)
	e.GET("/actions/:id/delete", h.deleteAction, lang) // asks first
	e.POST("/actions/:id/delete", h.deleteAction, lang)
	e.GET("/actions/:id/history", h.actionHistory, lang)
	e.GET("/archive/:sha256", h.archived)

	e.GET("/invite", h.passwordForm(account.Invite), lang)
	e.POST("/invite", h.setPassword(account.Invite), lang)
	e.GET("/reset", h.resetForm, lang)
	e.POST("/reset", h.requestReset, lang)
	e.GET("/reset/new", h.passwordForm(account.Reset), lang)
	e.POST("/reset/new", h.setPassword(account.Reset), lang)

	// Import templates: the workbook, and the codes a CSV
	// file's cells take, in the person's language.
	e.GET("/actions/import/template.xlsx", h.importTemplateXLSX, lang)
	e.GET("/actions/import/codes.csv", h.importCodesCSV, lang)
}

// workflowRoutes are the yearly cycle's pages: the secretariat's, the
// reviewers', reports, challenges, accounts and people.
func (h *Handler) workflowRoutes(e *echo.Echo, lang echo.MiddlewareFunc) {
	e.GET("/admin/cycles", h.cycles, lang)
	e.POST("/admin/cycles", h.createCycle, lang)
	e.GET("/admin/cycles/:year", h.editCycle, lang)
	e.POST("/admin/cycles/:year", h.saveCycle, lang)
	e.POST("/admin/cycles/:year/extensions", h.extendCycle, lang)
	e.GET("/admin/cycles/:year/extensions/:stakeholder_id/revoke", h.revokeExtension, lang) // asks first
	e.POST("/admin/cycles/:year/extensions/:stakeholder_id/revoke", h.revokeExtension, lang)
	e.POST("/admin/cycles/:year/reports", h.compileReport, lang)
	e.GET("/reports", h.reports, lang)
	e.GET("/reports/:id", h.showReport, lang)
	e.GET("/reports/:id/publish", h.publishReport, lang) // asks first
	e.POST("/reports/:id/publish", h.publishReport, lang)
	e.GET("/admin/organisations", h.organisations, lang)
	e.POST("/admin/organisations", h.createOrganisation, lang)
	e.GET("/admin/organisations/:id", h.organisation, lang)
	e.POST("/admin/organisations/:id", h.saveOrganisation, lang)
	e.POST("/admin/organisations/:id/invite", h.inviteToOrganisation, lang)
	e.GET("/admin/status", h.board, lang)
	e.GET("/admin/status.csv", h.boardCSV, lang)
	e.POST("/admin/status/:id/remind", h.resendReminder, lang)
	e.GET("/admin/audit", h.auditLog, lang)
	e.GET("/admin/jobs", h.jobs, lang)
	e.POST("/admin/jobs/:name/run", h.runJob, lang)
	e.GET("/review", h.reviewQueue, lang)
	e.POST("/review/accept", h.acceptAll, lang)
	e.POST("/actions/:id/review", h.reviewAction, lang)
	e.POST("/actions/:id/assurance", h.setAssurance, lang)
	e.GET("/actions/:id/challenge", h.challengeForm, lang)
	e.POST("/actions/:id/challenge", h.fileChallenge, lang)
	e.GET("/actions/:id/confirm", h.confirmActionForm, lang)
	e.POST("/actions/:id/confirm", h.confirmAction, lang)
	e.GET("/challenges", h.challenges, lang)
	e.GET("/challenges/:id", h.showChallenge, lang)
	e.POST("/challenges/:id/screen", h.screenChallenge, lang)
	e.POST("/challenges/:id/reply", h.replyChallenge, lang)
	e.POST("/challenges/:id/decide", h.decideChallenge, lang)
	e.POST("/challenges/:id/publish", h.publishChallenge, lang) // asks first
	e.GET("/account", h.account, lang)
	e.POST("/account/preferences", h.savePreferences, lang)
	e.POST("/account/tokens", h.createToken, lang)
	e.POST("/account/recovery-codes", h.renewRecoveryCodes, lang)
	e.POST("/account/tokens/:id/revoke", h.revokeToken, lang)
	e.GET("/people", h.people, lang)
	e.POST("/people/invite", h.invite, lang)
	e.POST("/people/resend", h.resendInvite, lang)

	// The crosswalk: the secretariat's pages, and an action's provisions.
	e.GET("/admin/frameworks", h.adminFrameworks, lang)
	e.GET("/admin/frameworks/:key", h.adminFramework, lang)
	e.POST("/admin/frameworks/:key", h.saveFramework, lang)
	e.GET("/admin/frameworks/:key/provisions/:provision", h.adminProvision, lang)
	e.POST("/admin/frameworks/:key/provisions/:provision", h.saveProvision, lang)
	e.POST("/actions/:id/provisions", h.addProvision, lang)
	e.POST("/actions/:id/provisions/remove", h.removeProvision, lang)
}

func (h *Handler) now() time.Time { return h.Deps.Now() }

// RenderError renders the error page for err. Internal details are never
// shown; the request id lets the secretariat find the log line.
func (h *Handler) RenderError(c echo.Context, status int, err error) error {
	lang, _ := pickLanguage(h.matcher, c.Request())
	c.Set(langKey, lang)
	c.Set(baseURLKey, h.BaseURL)
	if status == http.StatusUnauthorized && c.Request().Method == http.MethodGet {
		// A page that needs a sign-in sends the visitor to the form and back.
		return c.Redirect(http.StatusSeeOther, "/signin?next="+url.QueryEscape(c.Request().URL.RequestURI()))
	}
	if done, perr := h.renderPageError(c, err); done { // a list's page that does not exist (issue 19.3)
		return perr
	}
	v := errorView{Page: newPage(c, ""), Status: status}
	v.HeadingKey, v.TextKey = errorKeys(errs.KindOf(err))
	if ro, _ := errs.DetailsOf(err)["read_only"].(bool); ro {
		// The primary database is down; public pages still answer.
		v.HeadingKey, v.TextKey = "replica_read_only_title", "replica_read_only_text"
	}
	if v.TextKey == "error_generic_text" {
		// Input problems say what was wrong: each field by its code, with the
		// catalogue's sentence; a message of no field is English, the rules'
		// own vocabulary, and shown as such on English pages only.
		if v.Fields = errs.FieldsOf(err); len(v.Fields) == 0 && lang == "en" {
			v.Detail = errs.MessageOf(err)
		}
	}
	if rerr := h.renderer.render(c, status, "error", lang, v); rerr != nil {
		// The error page itself failed: fall back to plain text.
		return c.String(status, fmt.Sprintf("%d %s", status, http.StatusText(status)))
	}
	return nil
}

// logFailure logs work that failed apart from a request's answer (a reset
// worked on after its page, a job run from its page) at the level of who
// must act, as the request log does: a bug or failure is an ERROR for the
// operator, a dependency down a WARN, and anything else (the caller's
// input, rights or pace) INFO with the reason it was refused.
func (h *Handler) logFailure(ctx context.Context, msg string, err error, args ...any) {
	switch errs.KindOf(err) {
	case errs.Internal:
		h.Logger.ErrorContext(ctx, msg, append(args, "error", err)...)
	case errs.Unavailable:
		h.Logger.WarnContext(ctx, msg, append(args, "error", err)...)
	default:
		args = append(args, "reason", errs.MessageOf(err))
		if fields := errs.FieldsOf(err); len(fields) > 0 {
			args = append(args, "fields", fields)
		}
		h.Logger.InfoContext(ctx, msg, args...)
	}
}

// errorKeys names the heading and text of the error page for a kind.
func errorKeys(k errs.Kind) (heading, text string) {
	switch k {
	case errs.NotFound:
		return "error_not_found_title", "error_not_found_text"
	case errs.Forbidden:
		return "error_forbidden_title", "error_forbidden_text"
	case errs.Unauthorized:
		return "error_unauthorized_title", "error_unauthorized_text"
	case errs.Internal, errs.Unavailable:
		return "error_title", "error_internal_text"
	}
	return "error_title", "error_generic_text"
}

type errorView struct {
	Page
	Status     int
	HeadingKey string
	TextKey    string
	Detail     string            // why, in English: shown on English pages only
	Fields     map[string]string // the fields refused, shown by code with the catalogue's sentence
	DetailKey  string            // why, in the page's language, where a handler knows it
}

// refused answers a step the service refused with the error page of its
// kind, saying why in the page's language: the service's own words are
// English only.
func (h *Handler) refused(c echo.Context, err error, why string) error {
	status := http.StatusConflict
	switch errs.KindOf(err) {
	case errs.Forbidden:
		status = http.StatusForbidden
	case errs.NotFound, errs.Unauthorized, errs.Internal, errs.Unavailable:
		return err
	}
	v := errorView{Page: newPage(c, ""), Status: status, DetailKey: why}
	v.HeadingKey, v.TextKey = errorKeys(errs.KindOf(err))
	if ro, _ := errs.DetailsOf(err)["read_only"].(bool); ro {
		// The primary database is down; public pages still answer.
		v.HeadingKey, v.TextKey = "replica_read_only_title", "replica_read_only_text"
	}
	if status == http.StatusConflict {
		v.TextKey = "error_conflict_text"
	}
	return h.renderer.render(c, status, "error", v.Lang, v)
}
