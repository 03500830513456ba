package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pctracker/pctracker/internal/action"
	"github.com/pctracker/pctracker/internal/challenge"
	"github.com/pctracker/pctracker/internal/config"
	"github.com/pctracker/pctracker/internal/cycle"
	"github.com/pctracker/pctracker/internal/date"
	"github.com/pctracker/pctracker/internal/errs"
	"github.com/pctracker/pctracker/internal/recommendation"
	"github.com/pctracker/pctracker/internal/report"
	"github.com/pctracker/pctracker/internal/stakeholder"
	"github.com/pctracker/pctracker/internal/store"
	"github.com/pctracker/pctracker/internal/user"
)

// DemoPassword signs in every demo account. It is public, as the demo holds
// only invented data in a throwaway database.
const DemoPassword = "pctracker-demo"

func runDemo(e env, args []string) error {
	f := newFlags(e, "demo", "demo [--data-dir DIR] [--addr HOST:PORT] [--base-url URL] [--seed N]\n\nServes a fresh SQLite database of invented data (PCT_DATABASE_URL is not used).")
	dataDir := f.String("data-dir", "", "`folder` for the demo database (default: a new temporary folder, removed on exit)")
	addr := f.String("addr", "", "listen `address` (env PCT_HTTP_ADDR, default localhost:8080); use localhost:0 for any free port")
	baseURL := f.String("base-url", "", "public `URL` in the demo's links (env PCT_BASE_URL; default: the address it listens on)")
	seed := f.Uint64("seed", 2018, "random `seed`: the same seed gives the same demo data")
	if err := f.parse(args); err != nil {
		return err
	}
	if f.databaseURL != "" {
		return errs.Field(errs.Invalid, "database-url", "the demo always runs on a fresh SQLite file of its own; use --data-dir to keep it, or serve for your database")
	}
	dir, removeDir, err := demoFolder(*dataDir)
	if err != nil {
		return err
	}
	defer removeDir()
	path, err := freshDemoDB(dir)
	if err != nil {
		return err
	}
	cfg := f.cfg
	if err := demoConfig(e, &cfg, dir, path, *addr); err != nil {
		return err
	}
	logger := newLogger(cfg.Log, e.stderr)
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return errs.Wrap(errs.Unavailable, err, "listen on %s (is another server running? try --addr localhost:0)", cfg.HTTP.Addr)
	}
	if err := demoBaseURL(e, &cfg, *baseURL, ln.Addr().String()); err != nil {
		ln.Close()
		return err
	}
	db, err := openDB(e.ctx, cfg, logger)
	if err != nil {
		ln.Close()
		return err
	}
	defer db.Close()

	site, evidenceBase, err := serveDemoEvidence(&cfg)
	if err != nil {
		ln.Close()
		return err
	}
	defer site.Close()
	fmt.Fprintf(e.stdout, "Filling the demo database at %s ...\n", path)
	tour, err := fillDemoSilently(e, db, cfg, logger, *seed, evidenceBase)
	if err != nil {
		ln.Close()
		return err
	}
	svc := newServices(db, time.Now, cfg, newMailer(cfg, logger), logger)
	if err := archiveDemoEvidence(e, cfg, svc); err != nil {
		ln.Close()
		return err
	}
	go func() {
		if r, err := tour.publish(e.ctx, svc); err != nil {
			logger.Error("the demo's report was not published", "err", err)
		} else {
			logger.Info("the demo's report is published", "report", r.ID, "cycle", r.CycleYear)
		}
	}()
	return serve(e.ctx, cfg, db, svc, logger, ln, func(addr string) { printDemoWelcome(e.stdout, cfg, addr, tour) })
}

// demoFolder is the folder of the demo's files: dir, made if need be, or a
// new temporary one that remove takes away again.
func demoFolder(dir string) (_ string, remove func(), err error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", nil, errs.Wrap(errs.Unavailable, err, "create %s", dir)
		}
		return dir, func() {}, nil
	}
	if dir, err = os.MkdirTemp("", "pctracker-demo-"); err != nil {
		return "", nil, errs.Wrap(errs.Unavailable, err, "create a temporary folder")
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// freshDemoDB is the path of the demo's database in dir, with any earlier
// demo's file removed: a fresh demo every time, and only the demo's own
// file is replaced.
func freshDemoDB(dir string) (string, error) {
	path := filepath.Join(dir, "demo.db")
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return "", errs.Wrap(errs.Unavailable, err, "remove the previous demo database")
		}
	}
	return path, nil
}

// demoConfig sets what the demo changes of the configuration: its own
// database at path, migrated; the mail of the file backend kept in dir;
// the address to listen on when --addr gives one (else PCT_HTTP_ADDR's, or
// the default, as serve does).
func demoConfig(e env, cfg *config.Config, dir, path, addr string) error {
	cfg.Database.URL = "sqlite:" + path
	cfg.Database.AutoMigrate = true
	// The demo is tried by people without an authenticator app at hand:
	// the secretariat signs in with the password alone unless asked.
	if e.getenv("PCT_SIGNIN_TWO_STEP") == "" {
		cfg.SignIn.TwoStep = false
	}
	if cfg.Mail.Backend == "file" {
		cfg.Mail.Dir = filepath.Join(dir, "mail")
	}
	if addr == "" {
		return nil
	}
	return cfg.Set("http.addr", addr, "flag --addr")
}

// demoBaseURL sets the public address of the demo's links (mail, feed, the
// report's permanent address): --base-url, else the one the configuration
// names (PCT_BASE_URL or the file), else the address it listens on, so that
// every link leads to this demo and not to some other port.
func demoBaseURL(e env, cfg *config.Config, flagURL, listening string) error {
	switch {
	case flagURL != "":
		return cfg.Set("base_url", flagURL, "flag --base-url")
	case e.getenv("PCT_BASE_URL") != "" || cfg.BaseURL != config.Default().BaseURL:
		return nil
	}
	return cfg.Set("base_url", strings.TrimSuffix(displayURL(listening), "/"), "the address it listens on")
}

// serveDemoEvidence serves the demo's evidence pages on a port of their
// own, so that following and archiving them can be tried without the
// internet, and lets the evidence checks reach it. The pages stop when
// site is closed.
func serveDemoEvidence(cfg *config.Config) (site net.Listener, base string, err error) {
	site, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", errs.Wrap(errs.Unavailable, err, "listen for the demo's evidence pages")
	}
	go http.Serve(site, demoEvidencePages()) //nolint:errcheck // ends when the listener closes
	cfg.Evidence.AllowHosts = append(cfg.Evidence.AllowHosts, site.Addr().String())
	return site, "http://" + site.Addr().String(), nil
}

// fillDemoSilently writes the demo's invented history into db and returns the
// accounts to sign in with, and what to try first.
func fillDemoSilently(e env, db *store.DB, cfg config.Config, logger *slog.Logger, seed uint64, evidenceBase string) (demoTour, error) {
	clock := &demoClock{t: time.Now().UTC()}
	start := time.Now()
	// The demo's history happened before anyone could be told of it: it is
	// written without notices, and its acceptances count as told.
	fill := newServices(db, clock.now, cfg, newMailer(cfg, logger), logger)
	fill.actions = action.NewService(db, clock.now, nil)
	fill.challenges = challenge.NewService(db, fill.actions, nil, clock.now, cfg.Challenges.ReplyDays)
	summary, tour, err := fillDemo(e.ctx, fill, clock, rand.New(rand.NewPCG(seed, seed^0x5eed)), time.Now().UTC(), evidenceBase)
	if err == nil {
		err = db.MarkAllNoticed(e.ctx, time.Now().UTC())
	}
	if err != nil {
		return demoTour{}, err
	}
	fmt.Fprintf(e.stdout, "Done in %s: %s.\n", time.Since(start).Round(10*time.Millisecond), summary)
	return tour, nil
}

// archiveDemoEvidence follows the demo's public evidence as if accepted
// now, and captures it before the first visitor comes.
func archiveDemoEvidence(e env, cfg config.Config, svc *services) error {
	if !cfg.Evidence.Enabled {
		return nil
	}
	n, err := svc.evidence.FollowPublic(e.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Archiving %d evidence links ...\n", n)
	_, err = svc.evidence.CheckAll(e.ctx, 0, nil)
	return err
}

// printDemoWelcome tells, once the demo listens on addr, where it is, how
// to sign in, and what to try first in each role.
func printDemoWelcome(w io.Writer, cfg config.Config, addr string, tour demoTour) {
	fmt.Fprintf(w, "\npctracker demo is running at %s\n\n", displayURL(addr))
	fmt.Fprintf(w, "Demo sign-ins (password for all: %s):\n", DemoPassword)
	for _, l := range tour.logins {
		fmt.Fprintf(w, "  %-58s %s\n", l.email, l.what)
	}
	tour.print(w, strings.TrimSuffix(cfg.BaseURL, "/"))
	if !cfg.SignIn.TwoStep {
		fmt.Fprintln(w, "\nTwo-step sign-in for the secretariat is off in the demo; PCT_SIGNIN_TWO_STEP=true turns it on.")
	}
	if cfg.Mail.Backend == "file" {
		fmt.Fprintf(w, "\nMail (invitations, password resets, reminders) is written to %s\n", cfg.Mail.Dir)
	}
	fmt.Fprintln(w, "\nPress Ctrl+C to stop.")
}

// demoClock lets the demo date its records within each cycle.
type demoClock struct{ t time.Time }

func (c *demoClock) now() time.Time { return c.t }

type demoLogin struct{ email, what string }

// demoTour is what the demo holds to try first: its sign-ins, the past
// cycle's published report, and who to be to see each role's work.
type demoTour struct {
	logins             []demoLogin
	pastYear, openYear int
	reportID           int64      // the past cycle's report, compiled, to publish
	secretariat        user.Actor // who compiled it, and publishes it
	focal, reviewer    string     // sign-ins of a focal point and of a reviewer organisation
}

// print writes, for each role, which sign-in to use and what to try
// first; base is the demo's public address.
func (t demoTour) print(w io.Writer, base string) {
	fmt.Fprintf(w, "\nWhat to try first:\n")
	role := func(name, who string, steps ...string) {
		fmt.Fprintf(w, "  %-12s %s\n", name, who)
		for _, s := range steps {
			fmt.Fprintf(w, "  %-12s - %s\n", "", s)
		}
	}
	role("Secretariat", "sign in as secretariat@demo.pctracker.org",
		fmt.Sprintf("review the submitted actions at %s/review: accept one, or request changes on one marked \"no evidence\" (%d accepts only actions that cite evidence)", base, t.openYear),
		fmt.Sprintf("open the %d report at %s/reports/%d: its files and their SHA-256 are there once the log says \"the demo's report is published\"", t.pastYear, base, t.reportID),
		fmt.Sprintf("see who has reported at %s/admin/status, and the cycles' settings at %s/admin/cycles", base, base))
	role("Focal point", "sign in as "+t.focal,
		fmt.Sprintf("in %s/workspace, carry forward the organisation's accepted %d actions into %d, update a stage, then submit", base, t.pastYear, t.openYear))
	role("Reviewer", "sign in as "+t.reviewer+" (a reviewer organisation)",
		fmt.Sprintf("open another organisation's public action from %s/actions and confirm it, or challenge it with your findings", base))
	role("Public", "no sign-in",
		fmt.Sprintf("the dashboard at %s/, the public actions at %s/actions, the %d report at %s/reports/%d, open data at %s/open-data", base, base, t.pastYear, base, t.reportID, base))
}

// demoOrgs are invented organisations (states use real country names, as
// the Paris Call's supporters do; their actions here are invented).
var demoOrgs = []struct {
	name    string
	kind    stakeholder.Kind
	country string
}{
	{"France", stakeholder.State, "FR"}, {"Germany", stakeholder.State, "DE"}, {"Canada", stakeholder.State, "CA"},
	{"Netherlands", stakeholder.State, "NL"}, {"Estonia", stakeholder.State, "EE"}, {"Japan", stakeholder.State, "JP"},
	{"Kenya", stakeholder.State, "KE"}, {"Chile", stakeholder.State, "CL"}, {"Norway", stakeholder.State, "NO"},
	{"New Zealand", stakeholder.State, "NZ"}, {"Senegal", stakeholder.State, "SN"}, {"Spain", stakeholder.State, "ES"},
	{"Colombia", stakeholder.State, "CO"}, {"Costa Rica", stakeholder.State, "CR"}, {"Poland", stakeholder.State, "PL"},
	{"Australia", stakeholder.State, "AU"}, {"Ghana", stakeholder.State, "GH"}, {"Switzerland", stakeholder.State, "CH"},
	{"Northmark Regional Digital Agency", stakeholder.PublicAuthority, "DE"},
	{"City of Lakeshore Cyber Office", stakeholder.PublicAuthority, "CA"},
	{"Provincial Data Protection Authority of Valmora", stakeholder.PublicAuthority, "ES"},
	{"National Procurement Service of Arvia", stakeholder.PublicAuthority, "CL"},
	{"Helix Cloud Services", stakeholder.Company, "US"}, {"Bastion Systems", stakeholder.Company, "FR"},
	{"Northwind Security", stakeholder.Company, "GB"}, {"Keystone Mobile", stakeholder.Company, "FI"},
	{"Meridian Telecom", stakeholder.Company, "ES"}, {"Aurora Software", stakeholder.Company, "SE"},
	{"Quill Messaging", stakeholder.Company, "CH"}, {"Tessera Hardware", stakeholder.Company, "JP"},
	{"Lumen Threat Intelligence", stakeholder.Company, "IL"}, {"Cobalt Payments", stakeholder.Company, "NL"},
	{"Orchid Browser Company", stakeholder.Company, "NO"}, {"Saltire Networks", stakeholder.Company, "GB"},
	{"Pampas Data", stakeholder.Company, "AR"}, {"Baobab Digital", stakeholder.Company, "SN"},
	{"Everline Operating Systems", stakeholder.Company, "US"}, {"Nordlys Identity", stakeholder.Company, "DK"},
	{"Atlas Bug Bounty Platform", stakeholder.Company, "FR"}, {"Kora Semiconductors", stakeholder.Company, "KR"},
	{"Digital Rights Watch", stakeholder.CivilSociety, "BE"}, {"Citizen Shield", stakeholder.CivilSociety, "CA"},
	{"Reporters' Safety Network", stakeholder.CivilSociety, "FR"}, {"Open Forensics Collective", stakeholder.CivilSociety, "DE"},
	{"Human Rights Tech Alliance", stakeholder.CivilSociety, "KE"}, {"Privacy First Latin America", stakeholder.CivilSociety, "MX"},
	{"Safe Devices for Defenders", stakeholder.CivilSociety, "NL"}, {"Asia Pacific Digital Freedom", stakeholder.CivilSociety, "PH"},
	{"Spyware Accountability Project", stakeholder.CivilSociety, "GB"}, {"Coalition for Secure Journalism", stakeholder.CivilSociety, "ZA"},
	{"Lakeside University Cyber Policy Lab", stakeholder.Academia, "CA"},
	{"Institute for Offensive Security Markets, Lisbon", stakeholder.Academia, "PT"},
	{"Centre for Technology and Human Rights, Nairobi", stakeholder.Academia, "KE"},
	{"Tallinn School of Cyber Governance", stakeholder.Academia, "EE"},
	{"Graduate Institute of Digital Ethics", stakeholder.Academia, "CH"},
	{"Kyoto Security Economics Group", stakeholder.Academia, "JP"},
	{"Regional Cyber Capacity Centre", stakeholder.InternationalOrg, ""},
	{"Global Forum on Responsible Cyber Capabilities", stakeholder.InternationalOrg, ""},
	{"Network of National CERTs", stakeholder.InternationalOrg, ""},
	{"Intergovernmental Export Control Dialogue", stakeholder.InternationalOrg, ""},
}

// demoTitles gives, per recommendation, action titles and the measure types
// that fit them.
var demoTitles = map[int]struct {
	titles   []string
	measures []action.MeasureType
}{
	1:  {[]string{"Guidelines on the lawful use of commercial intrusion software", "Necessity and proportionality test for surveillance tools", "Decree on the use of remote access tools by law enforcement"}, []action.MeasureType{"legal_framework", "public_oversight"}},
	2:  {[]string{"Export licensing of intrusion software under dual-use controls", "End-user risk assessment for cyber-surveillance exports", "Joint export control guidance with partner states"}, []action.MeasureType{"export_controls", "multistakeholder_collaboration"}},
	3:  {[]string{"Ban on transfers of intrusion tools to private buyers", "Customer due-diligence policy for offensive security products", "Know-your-customer screening for exploit sales"}, []action.MeasureType{"moratorium_ban", "mandatory_due_diligence", "voluntary_due_diligence"}},
	4:  {[]string{"Parliamentary oversight committee for surveillance acquisitions", "Internal human-rights review board", "Independent audit of lawful interception use"}, []action.MeasureType{"public_oversight", "ethics_committee"}},
	5:  {[]string{"Publication of surveillance technology contracts", "Procurement clause requiring UN Guiding Principles compliance", "Annual transparency report on spyware procurement"}, []action.MeasureType{"public_oversight", "mandatory_due_diligence"}},
	6:  {[]string{"Register of cyber-capability vendors", "Vendor verification procedure for national contractors", "Licensing regime for offensive cyber service providers"}, []action.MeasureType{"mandatory_due_diligence", "legal_framework"}},
	7:  {[]string{"Entity listing of vendors linked to abuses", "Targeted sanctions against spyware brokers", "Market access restrictions for norm violators"}, []action.MeasureType{"sanctions", "export_controls"}},
	8:  {[]string{"Cooling-off period for former intelligence staff", "Post-employment reporting duty for cyber specialists", "Training on post-service obligations"}, []action.MeasureType{"legal_framework", "awareness_education"}},
	9:  {[]string{"Product misuse response process", "Threat-hunting programme against mercenary spyware", "Customer notifications for state-sponsored attacks", "Hardening of messaging against zero-click exploits"}, []action.MeasureType{"voluntary_due_diligence", "secure_technology", "awareness_education", "victim_assistance"}},
	10: {[]string{"Coordinated vulnerability disclosure policy", "Public bug bounty programme", "Safe-harbour terms for good-faith researchers"}, []action.MeasureType{"secure_technology", "multistakeholder_collaboration"}},
	11: {[]string{"Report on a mercenary spyware campaign", "Forensic indicators published for defenders", "Attribution research on an exploit broker"}, []action.MeasureType{"research_investigation", "victim_assistance"}},
	12: {[]string{"Study of the commercial exploit market", "Open dataset of surveillance-tool vendors", "Workshop series on policy levers against proliferation"}, []action.MeasureType{"research_investigation", "multistakeholder_collaboration", "advocacy"}},
}

// demoCycles chooses three cycles ending with one open on today's date.
func demoCycles(today time.Time) []cycle.Input {
	today = date.Day(today)
	year := today.AddDate(0, 2, 0).Year()
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	var out []cycle.Input
	for y := year - 2; y < year; y++ {
		out = append(out, cycle.Input{Year: y, OpensAt: date(y, 6, 1), Deadline: date(y, 10, 1), ForumDate: date(y, 11, 11), Embargo: cycle.UntilForum})
	}
	// The oldest cycle ran before acceptance required evidence, as a
	// cycle migrated from then does: the dashboard's "N of M cite
	// evidence" has something to say.
	out[0].Evidence = cycle.EvidenceOptional
	open := cycle.Input{Year: year, OpensAt: date(year, 6, 1), Deadline: date(year, 10, 1), ForumDate: date(year, 11, 11), Embargo: cycle.UntilForum}
	if !open.OpensAt.Before(today) {
		open.OpensAt = today.AddDate(0, 0, -45)
	}
	if open.Deadline.Before(today.AddDate(0, 0, 30)) {
		open.Deadline = today.AddDate(0, 0, 30)
	}
	if min := open.Deadline.AddDate(0, 0, 30); open.ForumDate.Before(min) {
		open.ForumDate = min
	}
	open.ReportAt = open.ForumDate.Add(-cycle.DefaultReportLead)
	if open.ReportAt.Before(open.Deadline) {
		open.ReportAt = open.Deadline
	}
	return append(out, open)
}

// fillDemo creates the demo data through the services, so every record has
// its versions, review events and audit entries as real use would leave.
// evidenceBase, when set, is where the demo's evidence pages are served.
func fillDemo(ctx context.Context, svc *services, clock *demoClock, rng *rand.Rand, today time.Time, evidenceBase string) (summary string, tour demoTour, err error) {
	sys := user.System("demo")
	recs, err := svc.recommendations.List(ctx)
	if err != nil {
		return "", demoTour{}, err
	}
	inputs := demoCycles(today)
	clock.t = inputs[0].OpensAt.AddDate(0, -1, 0)
	secretariat, err := svc.users.Create(ctx, sys, user.Input{Email: "secretariat@demo.pctracker.org", Name: "Camille Secrétariat",
		Role: user.Secretariat, Password: DemoPassword})
	if err != nil {
		return "", demoTour{}, err
	}
	logins := []demoLogin{{secretariat.Email, "secretariat"}}
	orgs, people, orgLogins, err := demoOrganisations(ctx, svc, sys, rng)
	if err != nil {
		return "", demoTour{}, err
	}
	logins = append(logins, orgLogins...)

	h := &demoHistory{svc: svc, clock: clock, rng: rng, evidenceBase: evidenceBase, recs: recs,
		sys: sys, reviewer: secretariat.Actor(), people: people, counts: map[action.State]int{}}
	// Four of the organisations people sign in for report much each past
	// cycle, so that carrying forward shows its worth (more would slow the
	// demo's start for little).
	h.prolific = map[int64]bool{}
	for _, o := range orgs {
		switch o.Kind {
		case stakeholder.State, stakeholder.Company, stakeholder.CivilSociety, stakeholder.Academia:
			if len(people[o.ID]) > 0 {
				h.prolific[o.ID] = true
			}
		}
	}
	var previous []action.Action // accepted actions of the previous cycle
	for ci, in := range inputs {
		if previous, err = h.cycle(ctx, in, ci == len(inputs)-1, today, orgs, previous); err != nil {
			return "", demoTour{}, err
		}
		h.accepted = append(h.accepted, previous)
	}
	trust, err := h.trust(ctx, orgs, today)
	if err != nil {
		return "", demoTour{}, err
	}
	crosswalk, err := h.crosswalk(ctx, today)
	if err != nil {
		return "", demoTour{}, err
	}
	parts := []string{fmt.Sprintf("%d organisations, %d cycles, %d actions", len(orgs), len(inputs), h.total)}
	for _, s := range action.States {
		parts = append(parts, fmt.Sprintf("%d %s", h.counts[s], s))
	}
	clock.t = today
	compiled, err := svc.reports.Compile(ctx, h.reviewer, inputs[len(inputs)-2].Year, report.CompileOptions{})
	if err != nil {
		return "", demoTour{}, fmt.Errorf("demo report: %w", err)
	}
	parts = append(parts, trust, crosswalk, fmt.Sprintf("report %d of %d compiled", compiled.ID, compiled.CycleYear))
	tour = demoTour{logins: logins, pastYear: inputs[len(inputs)-2].Year, openYear: inputs[len(inputs)-1].Year, reportID: compiled.ID,
		secretariat: h.reviewer}
	for _, o := range orgs {
		ps := people[o.ID]
		switch {
		case len(ps) == 0:
		case tour.focal == "" && o.Kind == stakeholder.State:
			tour.focal = ps[0].Name
		case tour.reviewer == "" && o.Reviewer:
			tour.reviewer = ps[0].Name
		}
	}
	return strings.Join(parts, ", "), tour, nil
}

// publish publishes the past cycle's report, compiled with the demo's
// data, as the secretariat would, through the report service: its files
// are the real ones, with their checksums, and verify. Rendering them
// (the PDF above all) takes several seconds, so the demo does it once it
// listens rather than before.
func (t demoTour) publish(ctx context.Context, svc *services) (report.Report, error) {
	r, err := svc.reports.Publish(ctx, t.secretariat, t.reportID)
	if err != nil {
		return r, fmt.Errorf("demo report: %w", err)
	}
	return r, nil
}

// demoOrganisations creates the invented organisations, and two people with
// sign-ins for the first organisation of each kind; other organisations
// report through the secretariat's records. people holds an organisation's
// people, its focal point first.
func demoOrganisations(ctx context.Context, svc *services, sys user.Actor, rng *rand.Rand) (orgs []stakeholder.Stakeholder, people map[int64][]user.Actor, logins []demoLogin, err error) {
	people = map[int64][]user.Actor{}
	firstOfKind, reviewerOfKind := map[stakeholder.Kind]bool{}, map[stakeholder.Kind]bool{}
	for i, o := range demoOrgs {
		slug := demoSlug(o.name)
		since := time.Date(2018, 11, 12, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(4*365)) // launched 12 November 2018
		verified := i%9 != 8
		// The first verified organisation of civil society, and of
		// academia, is designated a reviewer, so the demo shows one of each.
		reviewer := verified && o.kind.MayReview() && !reviewerOfKind[o.kind]
		if reviewer {
			reviewerOfKind[o.kind] = true
		}
		st, err := svc.stakeholders.Create(ctx, sys, stakeholder.Input{Name: o.name, Kind: o.kind, Country: o.country,
			Website: "https://" + slug + ".example.org", SupporterSince: &since, Verified: verified, Active: true, Reviewer: reviewer})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("demo organisation %s: %w", o.name, err)
		}
		orgs = append(orgs, st)
		if firstOfKind[o.kind] {
			continue
		}
		firstOfKind[o.kind] = true
		for _, p := range []struct {
			role  user.OrgRole
			local string
		}{{user.FocalPoint, "focal"}, {user.Member, "member"}} {
			u, err := svc.users.Create(ctx, sys, user.Input{Email: p.local + "@" + slug + ".example.org",
				Name: strings.ToUpper(p.local[:1]) + p.local[1:] + " at " + o.name, Role: user.Supporter,
				StakeholderID: st.ID, OrgRole: p.role, Password: DemoPassword})
			if err != nil {
				return nil, nil, nil, err
			}
			people[st.ID] = append(people[st.ID], u.Actor())
			logins = append(logins, demoLogin{u.Email, fmt.Sprintf("%s of %s (%s)", p.role, o.name, o.kind)})
		}
	}
	return orgs, people, logins, nil
}

// demoHistory writes the demo's cycles of actions, each walked through the
// workflow, and counts what they came to.
type demoHistory struct {
	svc           *services
	clock         *demoClock
	rng           *rand.Rand
	evidenceBase  string
	recs          []recommendation.Recommendation
	sys, reviewer user.Actor
	people        map[int64][]user.Actor // an organisation's people, its focal point first
	counts        map[action.State]int
	total         int
	accepted      [][]action.Action // by cycle, oldest first
	prolific      map[int64]bool    // organisations with five accepted actions or more in each past cycle
}

// cycle creates the cycle of in and the actions of each organisation in
// it; last is the cycle open today. It returns the actions accepted, which
// the next cycle may carry forward.
func (h *demoHistory) cycle(ctx context.Context, in cycle.Input, last bool, today time.Time, orgs []stakeholder.Stakeholder, previous []action.Action) ([]action.Action, error) {
	h.clock.t = in.OpensAt.AddDate(0, 0, -14)
	c, err := h.svc.cycles.Create(ctx, h.sys, in)
	if err != nil {
		return nil, err
	}
	span := in.Deadline.Sub(in.OpensAt)
	if last {
		span = date.Day(today).Sub(in.OpensAt)
	}
	var accepted []action.Action
	carried := map[int64]bool{}
	bare := false // the open cycle has a submitted action that cites no evidence
	for _, org := range orgs {
		author, submitter := h.sys, h.sys
		if ps := h.people[org.ID]; len(ps) > 0 {
			author, submitter = ps[h.rng.IntN(len(ps))], ps[0] // ps[0] is the focal point
		}
		addressed := addressedTo(h.recs, org.Kind)
		n := 1 + h.rng.IntN(3)
		prolific := h.prolific[org.ID] && !last
		switch {
		case prolific:
			n = 5 + h.rng.IntN(2)
		case h.prolific[org.ID]:
			n = 1 // the rest is theirs to carry forward
		case org.Kind == stakeholder.Company && h.rng.IntN(3) == 0:
			n = 0 // not every supporter reports every year
		}
		acceptedHere := 0
		for k := 0; k < n || prolific && acceptedHere < 5; k++ {
			h.clock.t = in.OpensAt.Add(time.Duration(h.rng.Int64N(int64(span)*2/3 + 1)))
			a, err := h.newAction(ctx, author, org, c.ID, addressed, previous, carried, !(last && h.prolific[org.ID]))
			if err != nil {
				return nil, fmt.Errorf("demo action: %w", err)
			}
			final := demoFinalState(last, h.rng)
			switch {
			case prolific && acceptedHere < 5:
				final = action.Accepted
			case last && h.prolific[org.ID]:
				// Begun this cycle and not yet sent: the focal point's to
				// finish, beside what there is to carry forward.
				final = action.Draft
			}
			if final == action.Accepted && len(a.Evidence) == 0 && c.RequiresEvidence() {
				// The secretariat asks for the missing link, as the
				// cycle's rule makes it.
				final = action.ChangesRequested
			}
			if a, err = walk(ctx, h.svc, submitter, h.reviewer, a, final, h.clock, h.rng); err != nil {
				return nil, err
			}
			bare = bare || last && a.State == action.Submitted && len(a.Evidence) == 0
			h.counts[a.State]++
			h.total++
			if a.State == action.Accepted {
				accepted = append(accepted, a)
				acceptedHere++
			}
		}
	}
	if last && !bare {
		// The secretariat's first try is to see the evidence rule at work:
		// one submitted action that cites nothing waits in the queue.
		if err := h.bareAction(ctx, orgs[0], c.ID); err != nil {
			return nil, err
		}
	}
	return accepted, nil
}

// bareAction writes an action of org that cites no evidence, submitted
// by its focal point.
func (h *demoHistory) bareAction(ctx context.Context, org stakeholder.Stakeholder, cycleID int64) error {
	in := demoInput(addressedTo(h.recs, org.Kind), org, h.rng, h.evidenceBase)
	in.Evidence = nil
	author := h.sys
	if ps := h.people[org.ID]; len(ps) > 0 {
		author = ps[0]
	}
	a, err := h.svc.actions.Create(ctx, author, org.ID, cycleID, in)
	if err != nil {
		return fmt.Errorf("demo action: %w", err)
	}
	if a, err = walk(ctx, h.svc, author, h.reviewer, a, action.Submitted, h.clock, h.rng); err != nil {
		return err
	}
	h.counts[a.State]++
	h.total++
	return nil
}

// newAction writes a draft of org in the cycle: half the time, while one is
// left, the continuation of an action of org accepted in the previous
// cycle, a stage further; else a new one on the recommendations addressed
// to org.
func (h *demoHistory) newAction(ctx context.Context, author user.Actor, org stakeholder.Stakeholder, cycleID int64, addressed []int, previous []action.Action, carried map[int64]bool, carry bool) (action.Action, error) {
	if from := pickCarry(previous, org.ID, carried, h.rng); carry && from != nil && h.rng.IntN(2) == 0 {
		carried[from.ID] = true
		inp := from.Input()
		inp.Stage = nextStage(from.Stage, h.rng)
		return h.svc.actions.CreateContinuation(ctx, author, org.ID, cycleID, from.ID, inp)
	}
	return h.svc.actions.Create(ctx, author, org.ID, cycleID, demoInput(addressed, org, h.rng, h.evidenceBase))
}

// walk moves a draft through the workflow to final, as the focal point and
// the secretariat would, a few days apart.
func walk(ctx context.Context, svc *services, author, reviewer user.Actor, a action.Action, final action.State, clock *demoClock, rng *rand.Rand) (action.Action, error) {
	type step struct {
		to      action.State
		by      user.Actor
		comment string
	}
	submit := step{action.Submitted, author, ""}
	var path []step
	switch final {
	case action.Submitted:
		path = []step{submit}
	case action.ChangesRequested:
		path = []step{submit, {action.ChangesRequested, reviewer, "Please add a link to the published text so the public can verify the action."}}
	case action.Accepted:
		path = []step{submit, {action.Accepted, reviewer, ""}}
	case action.Withdrawn:
		path = []step{submit, {action.Withdrawn, author, "Reported twice by mistake."}}
	}
	var err error
	for _, st := range path {
		clock.t = clock.t.Add(time.Duration(1+rng.IntN(9)) * 24 * time.Hour)
		if a, err = svc.actions.Move(ctx, st.by, a.ID, a.Version, st.to, st.comment); err != nil {
			return a, fmt.Errorf("demo workflow: %w", err)
		}
	}
	return a, nil
}

func demoFinalState(open bool, rng *rand.Rand) action.State {
	r := rng.IntN(100)
	if !open { // a closed cycle: mostly accepted
		switch {
		case r < 86:
			return action.Accepted
		case r < 92:
			return action.Withdrawn
		case r < 96:
			return action.ChangesRequested
		}
		return action.Draft
	}
	switch {
	case r < 30:
		return action.Draft
	case r < 55:
		return action.Submitted
	case r < 67:
		return action.ChangesRequested
	case r < 94:
		return action.Accepted
	}
	return action.Withdrawn
}

func addressedTo(recs []recommendation.Recommendation, kind stakeholder.Kind) []int {
	var out []int
	for _, r := range recs {
		if r.AddressedTo(kind) {
			out = append(out, r.Number)
		}
	}
	if len(out) == 0 { // international organisations: research and knowledge
		out = []int{11, 12}
	}
	return out
}

func demoInput(addressed []int, org stakeholder.Stakeholder, rng *rand.Rand, evidenceBase string) action.Input {
	n := addressed[rng.IntN(len(addressed))]
	recsOf := []int{n}
	if rng.IntN(4) == 0 {
		if m := addressed[rng.IntN(len(addressed))]; m != n {
			recsOf = append(recsOf, m)
		}
	}
	t := demoTitles[n]
	title := t.titles[rng.IntN(len(t.titles))]
	scope := action.Scope("national")
	switch org.Kind {
	case stakeholder.Company, stakeholder.CivilSociety, stakeholder.Academia:
		scope = []action.Scope{"organisation", "international"}[rng.IntN(2)]
	case stakeholder.InternationalOrg:
		scope = []action.Scope{"regional", "international"}[rng.IntN(2)]
	}
	kinds := []action.EvidenceKind{"law", "regulation", "policy", "report", "press_release", "disclosure_policy", "procurement_notice"}
	in := action.Input{
		Title:           title,
		Description:     fmt.Sprintf("%s adopted this measure to act on recommendation %d.\n\n- Responsible team: international affairs\n- Next review: within a year", org.Name, n),
		Recommendations: recsOf,
		Stage:           action.Stages[rng.IntN(4)],
		MeasureType:     t.measures[rng.IntN(len(t.measures))],
		Scope:           scope,
		Visibility:      action.Public,
	}
	if rng.IntN(10) == 0 {
		in.Visibility = action.SecretariatOnly
	}
	links := 1
	switch rng.IntN(10) {
	case 1: // as many links in all as before evidence was on most actions: archiving them is part of start-up
		links = 2
	case 0:
		links = 0 // one in ten cites nothing: under a cycle that requires evidence, changes are requested
	}
	for e := 0; e < links; e++ {
		k := kinds[rng.IntN(len(kinds))]
		link := fmt.Sprintf("https://%s.example.org/%s/%d", demoSlug(org.Name), strings.ReplaceAll(string(k), "_", "-"), 100+rng.IntN(900))
		if evidenceBase != "" {
			link = evidenceBase + "/" + strings.TrimPrefix(link, "https://")
		}
		in.Evidence = append(in.Evidence, action.Evidence{Kind: k,
			URL:   link,
			Title: strings.ToUpper(string(k[0:1])) + strings.ReplaceAll(string(k[1:]), "_", " ") + ": " + title})
	}
	return in
}

func nextStage(s action.Stage, rng *rand.Rand) action.Stage {
	if rng.IntN(3) == 0 {
		return s // reconfirmed unchanged
	}
	switch s {
	case action.Planned:
		return action.InProgress
	case action.InProgress:
		return action.Adopted
	case action.Adopted:
		return action.Implemented
	}
	return s
}

func pickCarry(prev []action.Action, org int64, used map[int64]bool, rng *rand.Rand) *action.Action {
	var mine []*action.Action
	for i := range prev {
		if prev[i].StakeholderID == org && !used[prev[i].ID] {
			mine = append(mine, &prev[i])
		}
	}
	if len(mine) == 0 {
		return nil
	}
	return mine[rng.IntN(len(mine))]
}

func demoSlug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// demoEvidencePages serves the demo's evidence: a page for any address,
// the same each time, and a few that are gone, so that a broken link can be
// seen too.
func demoEvidencePages() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "7") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Demo evidence page, as published at %s.\n\nThe text of the measure would be here.\n", r.URL.Path)
	})
}

// trust gives the demo's past actions what readers weigh them by: the
// secretariat's checked evidence on some, reviewer organisations'
// confirmations on a few, and challenges in each state, published ones
// among them. Everything happens in the oldest cycle's actions, which
// were accepted long before today.
func (h *demoHistory) trust(ctx context.Context, orgs []stakeholder.Stakeholder, today time.Time) (string, error) {
	if len(h.accepted) == 0 {
		return "", nil
	}
	sec, days := h.reviewer, func(n int) time.Time { return today.AddDate(0, 0, -n) }
	reviewers, err := h.reviewerPeople(ctx, orgs)
	if err != nil {
		return "", err
	}
	cycles, err := h.svc.cycles.List(ctx)
	if err != nil {
		return "", err
	}
	forum := map[int64]time.Time{}
	for _, c := range cycles {
		forum[c.ID] = c.ForumDate
	}
	// at is a moment n days after from, and before today.
	at := func(from time.Time, n int) time.Time {
		if t := from.AddDate(0, 0, n); t.Before(days(1)) {
			return t
		}
		return days(1)
	}
	checked, verified := 0, 0
	notes := []string{"The decree is published in the official journal and says what the action says.",
		"The licensing register lists the measure; the evidence matches the claim.",
		"The policy is on the organisation's site, dated and signed."}
	var targets []action.Action // to challenge
	for ci, cycleActions := range h.accepted[:min(2, len(h.accepted))] {
		for _, a := range cycleActions {
			cur, err := h.svc.actions.Get(ctx, h.sys, a.ID)
			if err != nil || cur.State != action.Accepted || cur.Visibility != action.Public {
				continue
			}
			isReviewer := false
			for _, r := range reviewers {
				isReviewer = isReviewer || r.StakeholderID == cur.StakeholderID
			}
			switch r := h.rng.IntN(10); {
			case r < 3:
				h.clock.t = at(*cur.AcceptedAt, 3+h.rng.IntN(28))
				if cur, err = h.svc.actions.SetAssurance(ctx, sec, cur.ID, cur.Version, action.EvidenceChecked, notes[h.rng.IntN(len(notes))]); err != nil {
					return "", fmt.Errorf("demo assurance: %w", err)
				}
				checked++
			case r == 3 && len(reviewers) > 0 && !isReviewer:
				h.clock.t = at(forum[cur.CycleID], 5+h.rng.IntN(35)) // public from its Forum
				rv := reviewers[h.rng.IntN(len(reviewers))]
				ev := []action.Evidence{{Kind: "report", URL: "https://reviews.example.org/confirmations/" + fmt.Sprint(cur.ID), Title: "Our review of the measure"}}
				if _, _, err = h.svc.actions.Verify(ctx, rv, rv.StakeholderID, cur.ID, cur.Version, "We reviewed the measure in force and found it applied as described.", ev); err != nil {
					return "", fmt.Errorf("demo verification: %w", err)
				}
				verified++
			case ci == 0 && !isReviewer && len(targets) < 4:
				// The first is answered: its organisation needs a focal point.
				if len(targets) > 0 || len(h.people[cur.StakeholderID]) > 0 {
					targets = append(targets, cur)
				}
			}
		}
	}
	if len(reviewers) == 0 || len(targets) == 0 {
		return fmt.Sprintf("%d evidence checked, %d independently verified", checked, verified), nil
	}
	challenged, err := h.challenge(ctx, reviewers, targets, days)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d evidence checked, %d independently verified, %d challenged", checked, verified, challenged), nil
}

// challenge has reviewer organisations challenge the targets, each as far
// as its place in the list: published (upheld, then dismissed without a
// reply), open for a reply, filed; all long after the oldest cycle's
// Forum. days(n) is n days before today.
func (h *demoHistory) challenge(ctx context.Context, reviewers []user.Actor, targets []action.Action, days func(int) time.Time) (int, error) {
	sec := h.reviewer
	yes := true
	statements := []string{
		"Forensic analysis published by our lab found **commercial spyware** deployed against journalists after this measure took effect, which the measure should have prevented.",
		"The measure cited was repealed: the evidence link points to a text no longer in force.",
		"The evidence shows an announcement, not the measure in force; we found no implementing text.",
		"The export licences listed do not cover intrusion software, contrary to the claim.",
	}
	for i, a := range targets {
		rv := reviewers[i%len(reviewers)]
		h.clock.t = days([]int{80, 75, 6, 1}[i])
		in := challenge.Input{Grounds: []challenge.Grounds{challenge.ContradictedByFindings, challenge.Outdated,
			challenge.EvidenceDoesNotSupport, challenge.EvidenceDoesNotSupport}[i], Statement: statements[i], Pseudonymous: i%2 == 0,
			Evidence: []action.Evidence{{Kind: "report", URL: fmt.Sprintf("https://reviews.example.org/findings/%d", a.ID), Title: "Our findings"}}}
		c, err := h.svc.challenges.File(ctx, rv, a.ID, in)
		if err != nil {
			return 0, fmt.Errorf("demo challenge: %w", err)
		}
		if i == 3 {
			continue
		}
		h.clock.t = h.clock.t.Add(24 * time.Hour)
		if c, err = h.svc.challenges.Screen(ctx, sec, c.ID, c.Version, &yes, ""); err != nil {
			return 0, fmt.Errorf("demo challenge: %w", err)
		}
		if i == 2 {
			continue
		}
		d := challenge.Decision{Outcome: challenge.Dismissed, Reasons: "The findings concern another programme than the one the action reports."}
		if i == 0 {
			h.clock.t = h.clock.t.Add(10 * 24 * time.Hour)
			if c, err = h.svc.challenges.Reply(ctx, h.people[a.StakeholderID][0], c.ID, c.Version,
				"We disagree: the deployment the lab describes predates the measure, which now forbids it.", nil); err != nil {
				return 0, fmt.Errorf("demo reply: %w", err)
			}
			d = challenge.Decision{Outcome: challenge.PartlyUpheld, Stage: action.InProgress,
				Reasons: "The findings show the measure is not yet applied in full: the action is in progress rather than implemented."}
			if a.Stage == action.InProgress {
				d.Stage = action.Planned
			}
		} else {
			h.clock.t = c.ReplyDue.Add(48 * time.Hour) // no reply came in time
		}
		if c, err = h.svc.challenges.Decide(ctx, sec, c.ID, c.Version, d); err != nil {
			return 0, fmt.Errorf("demo decision: %w", err)
		}
		h.clock.t = h.clock.t.Add(24 * time.Hour)
		if _, err = h.svc.challenges.Publish(ctx, sec, c.ID, c.Version); err != nil {
			return 0, fmt.Errorf("demo publication: %w", err)
		}
	}
	return len(targets), nil
}

// reviewerPeople returns a person of each reviewer organisation, adding
// an analyst to one that has nobody who signs in.
func (h *demoHistory) reviewerPeople(ctx context.Context, orgs []stakeholder.Stakeholder) ([]user.Actor, error) {
	var reviewers []user.Actor
	for _, o := range orgs {
		if !o.Reviewer {
			continue
		}
		ps := h.people[o.ID]
		if len(ps) == 0 {
			u, err := h.svc.users.Create(ctx, h.sys, user.Input{Email: "analyst@" + demoSlug(o.Name) + ".example.org",
				Name: "Analyst at " + o.Name, Role: user.Supporter, StakeholderID: o.ID, OrgRole: user.Member, Password: DemoPassword})
			if err != nil {
				return nil, err
			}
			ps = []user.Actor{u.Actor()}
		}
		reviewers = append(reviewers, ps[0])
	}
	return reviewers, nil
}
